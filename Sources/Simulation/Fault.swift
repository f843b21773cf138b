/// A scheduled change to the simulated world (ARCHITECTURE.md testing ladder,
/// step 3: "loss, delay, partitions, crashes").
public enum Fault: Sendable {
    /// The node stops: its pending timers and its in-flight traffic (both
    /// directions) are dropped and it receives nothing until restarted.
    case crash(NodeID)
    /// A fresh core boots in the node's slot with the same name and address
    /// (crashing the old one first if it is still running). Its incarnation
    /// is whatever the core's own rules make of it (memberlist-wire.md §9:
    /// a fresh node announces incarnation 1 and refutes older claims).
    case restart(NodeID)
    /// Puts a partition in force, lifted at `healAt` when given.
    case partition(Partition, healAt: VirtualInstant?)
    /// Lifts every partition in force.
    case healPartitions
    /// Replaces the default link conditions (e.g. loss starts at this instant).
    case setConditions(LinkConditions)
}
