/// Our persistent packet connection between two memberlistd nodes over dskit's
/// TLS transport (issue 14): one connection carries many dskit packets instead
/// of one TLS handshake per packet (dskit-kv-ring.md §1).
///
/// Negotiation: our client offers the ALPN protocol ``applicationProtocol``; our
/// server selects it. dskit's Go client offers no ALPN and Go's server selects
/// none, so either side of a Go pair sees a plain dskit connection. Only when the
/// handshake selected it does the client open with the marker
/// ``DskitConnectionKind/packetStream`` (0x03) followed by frames:
///
///     length: UInt32 big-endian | 01 N addr[N] payload md5(payload)[16]
///
/// Why a length prefix: a dskit packet frame carries no payload length, its end is
/// the connection's EOF, so frames sharing a connection must be delimited. A prefix
/// (rather than e.g. escaping) lets the reader take a whole frame without scanning
/// it, and bound it before reading it; 32 bits because dskit packets reach 10 MiB.
/// Each frame stays a complete dskit packet frame, MD5 included, decoded by
/// ``DskitPacketFrame/decode(_:)`` exactly as a packet connection's bytes are.
public enum DskitPacketStreamFrame {
    /// The ALPN protocol name our client offers and our server accepts.
    public static let applicationProtocol = "memberlistd-packets/1"
    /// Bytes of the length prefix before each frame.
    public static let lengthPrefixBytes = 4

    /// Appends one length-prefixed frame (prefix, then dskit's packet frame).
    public static func encode(address: String, payload: UnsafeRawBufferPointer,
                              into buffer: inout WireBuffer) throws(DskitFrameError) {
        let start = buffer.count
        buffer.append(bigEndian: UInt32(0))
        try DskitPacketFrame.encode(address: address, payload: payload, into: &buffer)
        let length = buffer.count - start - lengthPrefixBytes
        guard length <= Int(UInt32.max) else {
            buffer.truncate(to: start)
            throw .frameTooLarge(declared: length, limit: Int(UInt32.max))
        }
        buffer.set(bigEndian: UInt32(length), at: start)
    }

    /// The first complete frame at the start of `bytes` (a dskit packet frame,
    /// without its prefix) and how many bytes it used, prefix included; nil while
    /// incomplete. Throws when the prefix declares more than `limit` bytes, or zero.
    public static func next(in bytes: UnsafeRawBufferPointer,
                            limit: Int) throws(DskitFrameError) -> (frame: UnsafeRawBufferPointer, consumed: Int)? {
        guard bytes.count >= lengthPrefixBytes else { return nil }
        var declared = 0
        for index in 0..<lengthPrefixBytes { declared = declared << 8 | Int(bytes[index]) }
        guard declared > 0 else { throw .empty }
        guard declared <= limit else { throw .frameTooLarge(declared: declared, limit: limit) }
        let end = lengthPrefixBytes + declared
        guard bytes.count >= end else { return nil }
        return (UnsafeRawBufferPointer(rebasing: bytes[lengthPrefixBytes..<end]), end)
    }
}
