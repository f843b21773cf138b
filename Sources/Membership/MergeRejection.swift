/// Why a remote state was not merged (memberlist `verifyProtocol`, §7.4).
public enum MergeRejection: Error, Hashable, Sendable {
    /// `node` speaks protocol `current`, outside the cluster range [min, max].
    case protocolVersion(node: String, current: UInt8, min: UInt8, max: UInt8)
    /// `node` speaks delegate protocol `current`, outside the cluster range [min, max].
    case delegateVersion(node: String, current: UInt8, min: UInt8, max: UInt8)
}
