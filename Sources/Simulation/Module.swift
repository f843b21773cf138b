import Membership
/// Deterministic cluster simulator (test support).
public enum SimulationModule {}
