/// dskit's push/pull user state: `[uint32 big-endian length][KeyValuePair]` repeated, in no
/// defined order (dskit-kv-ring.md 3.3).
public enum LocalStateFrame {
    /// Appends one framed pair.
    public static func append(_ pair: KeyValuePair, to output: inout [UInt8]) {
        let body = pair.encoded()
        let length = UInt32(truncatingIfNeeded: body.count)
        output.append(UInt8(truncatingIfNeeded: length >> 24))
        output.append(UInt8(truncatingIfNeeded: length >> 16))
        output.append(UInt8(truncatingIfNeeded: length >> 8))
        output.append(UInt8(truncatingIfNeeded: length))
        output.append(contentsOf: body)
    }

    /// The result of parsing remote state: every pair read before the first bad frame, and
    /// why parsing stopped early, if it did (dskit logs the error and keeps what it applied).
    public struct Parsed: Sendable {
        public var pairs: [KeyValuePair]
        public var stoppedAt: StopReason?
    }

    public enum StopReason: Equatable, Sendable {
        /// Fewer bytes than a length prefix or than the length announced.
        case truncated(offset: Int)
        /// A frame's body is not a KeyValuePair.
        case malformedPair(offset: Int, ProtobufError)
    }

    public static func parse(_ bytes: [UInt8]) -> Parsed {
        var pairs: [KeyValuePair] = []
        var index = 0
        while index < bytes.count {
            guard bytes.count - index >= 4 else { return Parsed(pairs: pairs, stoppedAt: .truncated(offset: index)) }
            let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            let bodyStart = index + 4
            guard length <= bytes.count - bodyStart else { return Parsed(pairs: pairs, stoppedAt: .truncated(offset: index)) }
            do {
                pairs.append(try KeyValuePair(decoding: bytes[bodyStart..<(bodyStart + length)]))
            } catch {
                return Parsed(pairs: pairs, stoppedAt: .malformedPair(offset: index, error))
            }
            index = bodyStart + length
        }
        return Parsed(pairs: pairs, stoppedAt: nil)
    }
}
