/// dskit's TCP-transport packet framing (dskit-kv-ring.md §1):
/// `01 N addr[N] payload md5(payload)[16]`, no payload length (the receiver
/// reads to EOF). The address is the sender's advertised `ip:port` in ASCII.
public enum DskitPacketFrame {
    /// Bytes of the MD5 trailer.
    public static let digestLength = MD5Digest.byteCount

    /// Writes a whole packet connection's bytes (marker, address, payload, MD5 of the payload).
    public static func encode(address: String, payload: UnsafeRawBufferPointer,
                              into buffer: inout WireBuffer) throws(DskitFrameError) {
        let length = address.utf8.count
        guard length <= 255 else { throw .addressTooLong(length: length) }
        buffer.append(DskitConnectionKind.packet.rawValue)
        buffer.append(UInt8(length))
        buffer.append(utf8: address)
        buffer.append(contentsOf: payload)
        MD5Digest(of: payload).withUnsafeBytes { buffer.append(contentsOf: $0) }
    }

    /// Convenience for arrays.
    public static func encode(address: String, payload: [UInt8], into buffer: inout WireBuffer) throws(DskitFrameError) {
        var result: Result<Void, DskitFrameError> = .success(())
        payload.withUnsafeBytes { raw in
            do throws(DskitFrameError) { try encode(address: address, payload: raw, into: &buffer) } catch { result = .failure(error) }
        }
        try result.get()
    }

    /// Decodes everything a packet connection delivered up to EOF, starting with its 0x01 marker.
    /// The returned views point into `connection`. A digest mismatch is reported,
    /// not thrown: dskit counts it and still delivers the packet.
    public static func decode(_ connection: UnsafeRawBufferPointer) throws(DskitFrameError) -> DskitPacketView {
        guard let marker = connection.first else { throw .empty }
        guard marker == DskitConnectionKind.packet.rawValue else {
            _ = try DskitConnectionKind.classify(marker)
            throw .notAPacket(found: marker)
        }
        guard connection.count >= 2 else { throw .truncatedAddress(declared: -1, available: 0) }
        let addressLength = Int(connection[1])
        guard connection.count - 2 >= addressLength else {
            throw .truncatedAddress(declared: addressLength, available: connection.count - 2)
        }
        let payloadStart = 2 + addressLength
        let rest = connection.count - payloadStart
        guard rest >= digestLength else { throw .missingDigest(available: rest) }
        let payloadEnd = connection.count - digestLength
        let address = UnsafeRawBufferPointer(rebasing: connection[2..<payloadStart])
        let payload = UnsafeRawBufferPointer(rebasing: connection[payloadStart..<payloadEnd])
        let trailer = UnsafeRawBufferPointer(rebasing: connection[payloadEnd...])
        let matches = MD5Digest(bytes: trailer) == MD5Digest(of: payload)
        return DskitPacketView(address: address, payload: payload, digestMatches: matches)
    }
}

/// One decoded dskit packet; the views borrow the connection's bytes and are
/// valid only as long as those are.
public struct DskitPacketView {
    /// The sender's advertised address, ASCII `ip:port` (what memberlist sees as the source).
    public let address: UnsafeRawBufferPointer
    /// The memberlist packet (memberlist-wire.md §3, dskit-kv-ring.md §2).
    public let payload: UnsafeRawBufferPointer
    /// False when the MD5 trailer did not match; dskit logs, counts and still delivers.
    public let digestMatches: Bool

    /// The address as a string (allocates for long addresses).
    public var addressString: String { String(decoding: address, as: UTF8.self) }
}
