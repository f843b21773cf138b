import Testing
@testable import Wire

/// Runs the Swift codec's packet layers over a fixture, outermost first, in the
/// receive order of memberlist-wire.md §3.1: label → (decrypt) → CRC → message tree
/// (compound §3.5, compress §6, messages §2.4).
enum GoFixtureCodec {
    struct Unsupported: Error, CustomStringConvertible {
        var description: String
    }

    /// Decodes `type body` recursively into the fixture tree.
    static func decodeTree(_ bytes: [UInt8]) throws -> GoFixtureMessage {
        switch bytes.first {
        case MessageType.compound.rawValue?:
            var parts: [[UInt8]] = []
            let summary = try bytes.withUnsafeBytes { raw throws(PacketError) in
                try Compound.decode(UnsafeRawBufferPointer(rebasing: raw[1...])) { (part) throws(PacketError) in
                    parts.append([UInt8](part))
                }
            }
            #expect(summary.truncatedParts == 0)
            return .compound(try parts.map(decodeTree))
        case MessageType.compress.rawValue?:
            throw Unsupported(description: "compress (LZW) needs the wire-transforms API")
        default:
            return .message(try Message.decode(bytes))
        }
    }

    /// Encodes a fixture tree the way Go's sender builds it.
    static func encodeTree(_ tree: GoFixtureMessage) throws -> [UInt8] {
        switch tree {
        case .message(let message):
            return message.encodedBytes
        case .compound(let parts):
            var buffer = WireBuffer()
            try Compound.encode(parts: try parts.map(encodeTree), into: &buffer)
            return buffer.bytes
        case .compress, .raw:
            throw Unsupported(description: "compress (LZW) needs the wire-transforms API")
        }
    }

    /// Strips label and CRC (the layers the Swift codec has today) and decodes the tree.
    static func decodePacket(_ bytes: [UInt8], label expectedLabel: String) throws -> (tree: GoFixtureMessage, layers: [String]) {
        var layers: [String] = []
        var label: [UInt8] = []
        var inner: [UInt8] = []
        var failure: PacketError?
        bytes.withUnsafeBytes { raw in
            do throws(PacketError) {
                let stripped = try LabelHeader.strip(raw)
                _ = try LabelHeader.verify(packetLabel: stripped.label, localLabel: Array(expectedLabel.utf8),
                                           skipInboundLabelCheck: false)
                label = [UInt8](stripped.label)
                inner = [UInt8](stripped.rest)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        if !label.isEmpty { layers.append("label") }
        let message: [UInt8] = try inner.withUnsafeBytes { raw throws(PacketError) in [UInt8](try ChecksumHeader.unwrap(raw)) }
        if message.count != inner.count { layers.append("crc") }
        return (try decodeTree(message), layers)
    }

    /// Builds a packet: message tree, then CRC, then label (memberlist-wire.md §3.1 send order).
    static func encodePacket(_ tree: GoFixtureMessage, crc: Bool, label: String) throws -> [UInt8] {
        let message = try encodeTree(tree)
        var buffer = WireBuffer()
        try LabelHeader.encode(Array(label.utf8), into: &buffer)
        if crc {
            message.withUnsafeBytes { ChecksumHeader.encode($0, into: &buffer) }
        } else {
            buffer.append(contentsOf: message)
        }
        return buffer.bytes
    }
}

extension GoFixtureMessage {
    var containsCompression: Bool {
        switch self {
        case .compress, .raw: true
        case .compound(let parts): parts.contains { $0.containsCompression }
        case .message: false
        }
    }
}
