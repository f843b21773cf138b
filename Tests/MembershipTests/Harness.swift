import Membership
import MonotonicTime
import Wire

/// Drives one core through its public API with a fake clock and a seeded generator.
final class Harness {
    let core: MembershipCore
    var now = MonotonicInstant.zero
    /// Effects of the most recent call.
    var effects: [MembershipEffect] = []
    /// Latest instant each timer was armed for.
    var armed: [MembershipTimer: MonotonicInstant] = [:]

    static let localAddress = NodeAddress(ip: IPAddress(10, 0, 0, 1), port: 7946)

    init(name: String = "a", config: MembershipConfig = .lan, seed: UInt64 = 1, meta: [UInt8]? = nil,
         start: Bool = true) throws {
        var config = config
        config.name = name
        core = try MembershipCore(config: config, advertise: Self.localAddress, meta: meta,
                                  random: SeededRandom(seed: seed))
        if start { run { core, now, effects in core.start(at: now, into: &effects) } }
    }

    @discardableResult
    func run(_ body: (MembershipCore, MonotonicInstant, inout [MembershipEffect]) throws -> Void) rethrows -> [MembershipEffect] {
        effects.removeAll()
        try body(core, now, &effects)
        for case .armTimer(let timer, let at) in effects { armed[timer] = at }
        return effects
    }

    func advance(seconds: Double) { now = now.advanced(byNanoseconds: Int64(seconds * 1e9)) }
    func advance(to instant: MonotonicInstant) { now = instant }

    @discardableResult
    func receive(_ message: Message, from: NodeAddress = NodeAddress(ip: IPAddress(10, 0, 0, 200), port: 7946)) -> [MembershipEffect] {
        run { core, now, effects in core.receive(message, from: from, at: now, into: &effects) }
    }

    @discardableResult
    func fire(_ timer: MembershipTimer) -> [MembershipEffect] {
        run { core, now, effects in core.timerFired(timer, at: now, into: &effects) }
    }

    /// Move the clock to the armed instant of `timer` and fire it.
    @discardableResult
    func fireArmed(_ timer: MembershipTimer) -> [MembershipEffect] {
        if let at = armed[timer], at > now { now = at }
        return fire(timer)
    }

    /// Make `name` known and alive through an alive message.
    func addAlive(_ name: String, _ last: UInt8, incarnation: UInt32 = 1, protocolMax: UInt8 = 5) {
        receive(.alive(aliveMessage(name, last, incarnation: incarnation, protocolMax: protocolMax)))
    }

    /// Make `count` nodes n1...nCount known (addresses 10.0.x.y).
    func addNodes(_ count: Int) {
        for i in 1...count {
            receive(.alive(Alive(incarnation: 1, node: "n\(i)", addr: IPAddress(10, 1, UInt8(i / 250), UInt8(i % 250)),
                                 port: 7946, meta: nil, vsn: ProtocolVersion.vsn())))
        }
    }

    var packets: [OutgoingPacket] { effects.compactMap { if case .send(let p) = $0 { p } else { nil } } }
    var events: [MembershipEvent] { effects.compactMap { if case .event(let e) = $0 { e } else { nil } } }
    var timers: [(MembershipTimer, MonotonicInstant)] {
        effects.compactMap { if case .armTimer(let t, let at) = $0 { (t, at) } else { nil } }
    }
}

func address(_ last: UInt8, port: UInt16 = 7946) -> NodeAddress { NodeAddress(ip: IPAddress(10, 0, 0, last), port: port) }

func aliveMessage(_ name: String, _ last: UInt8, incarnation: UInt32 = 1, protocolMax: UInt8 = 5,
                  meta: [UInt8]? = nil) -> Alive {
    Alive(incarnation: incarnation, node: name, addr: IPAddress(10, 0, 0, last), port: 7946, meta: meta,
          vsn: [1, protocolMax, 2, 0, 0, 0])
}

func seconds(_ value: Double) -> Int64 { Int64(value * 1e9) }

extension MonotonicInstant {
    static func seconds(_ value: Double) -> MonotonicInstant { MonotonicInstant(nanoseconds: Int64(value * 1e9)) }
}

extension OutgoingPacket {
    var pings: [Ping] { messages.compactMap { if case .ping(let p) = $0 { p } else { nil } } }
    var acks: [AckResponse] { messages.compactMap { if case .ack(let a) = $0 { a } else { nil } } }
}
