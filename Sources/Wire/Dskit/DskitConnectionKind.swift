/// The first byte of every dskit TCP-transport connection (dskit-kv-ring.md §1).
public enum DskitConnectionKind: UInt8, Sendable, CaseIterable {
    /// One memberlist packet, then the sender closes.
    case packet = 0x01
    /// A memberlist stream follows (optional label header, then the stream protocol).
    case stream = 0x02
    /// Ours, never dskit's: length-prefixed packet frames until the sender closes
    /// (``DskitPacketStreamFrame``). Sent only on a TLS connection whose handshake
    /// negotiated ``DskitPacketStreamFrame/applicationProtocol``; anywhere else it is
    /// an unknown connection, as dskit would count it.
    case packetStream = 0x03

    /// Classifies a connection's first byte.
    public static func classify(_ firstByte: UInt8) throws(DskitFrameError) -> DskitConnectionKind {
        guard let kind = DskitConnectionKind(rawValue: firstByte) else { throw .unknownConnectionType(firstByte) }
        return kind
    }
}
