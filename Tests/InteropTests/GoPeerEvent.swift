import Foundation

/// One JSON line printed by the Go peer (Interop/go/peer). Every line has
/// `event`; the other fields depend on the kind:
/// - `ready`: name, addr, transport
/// - `join` / `leave` / `update`: node, addr, state, incarnation
/// - `user`: payload (or payload_bytes, base64, if not UTF-8), size
/// - `members`: members
/// - `joined`: count; `join_error`: error, count
/// - `left`, `shutdown`; `leave_error`, `fatal`, `error`: error
/// - `broadcast_queued`: payload or payload_bytes, size; `drop` / `undrop`: addr; `stats`: counters
/// - `kv`, `kv_set`: key, codec, size, value_hex; `kv_state`: pairs (all carried), changed (keys), join, size;
///   `kv_dump`: pairs
struct GoPeerEvent: Sendable, Decodable, CustomStringConvertible {
    let event: String
    let name: String?
    let node: String?
    let addr: String?
    let state: String?
    let incarnation: UInt32?
    let payload: String?
    /// A user payload that is not valid UTF-8 (printed as base64 `payload_bytes`).
    let payloadBytes: Data?
    let size: Int?
    let count: Int?
    let error: String?
    let transport: String?
    let members: [GoPeerMember]?
    let key: String?
    let codec: String?
    let valueHex: String?
    let join: Bool?
    let pairs: [GoPeerKVPair]?
    /// `kv_state`: keys of the carried pairs that changed the peer's store (a pair already
    /// received by gossip is carried but unchanged).
    let changed: [String]?
    /// The line exactly as printed, for diagnostics and ad-hoc fields.
    var line: String = ""

    private enum CodingKeys: String, CodingKey {
        case event, name, node, addr, state, incarnation, payload, size, count, error, transport, members
        case key, codec, join, pairs, changed
        case payloadBytes = "payload_bytes"
        case valueHex = "value_hex"
    }

    var description: String { line }

    /// The user payload's bytes, whichever way it was printed.
    var payloadData: Data? { payloadBytes ?? payload.map { Data($0.utf8) } }

    /// Decodes one stdout line; nil if it is not a JSON event.
    static func parse(_ line: String) -> GoPeerEvent? {
        guard var event = try? JSONDecoder().decode(GoPeerEvent.self, from: Data(line.utf8)) else { return nil }
        event.line = line
        return event
    }

    /// Integer fields of the line (for `stats`).
    var integerFields: [String: Int] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return [:] }
        return object.compactMapValues { ($0 as? NSNumber)?.intValue }
    }
}

/// One node in a `members` reply, as the Go memberlist sees it.
struct GoPeerMember: Sendable, Decodable, Equatable {
    let name: String
    let addr: String
    /// "alive", "suspect", "dead" or "left".
    let state: String
    let incarnation: UInt32
}

/// One dskit `KeyValuePair` in a `kv_state` or `kv_dump` event.
struct GoPeerKVPair: Sendable, Decodable, Equatable {
    let key: String
    let codec: String
    let size: Int
    let valueHex: String

    private enum CodingKeys: String, CodingKey {
        case key, codec, size
        case valueHex = "value_hex"
    }

    /// The value's bytes.
    var value: [UInt8] {
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in valueHex.utf8 {
            guard let nibble = character.hexNibble else { return [] }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}

extension UInt8 {
    /// The value of an ASCII hex digit.
    fileprivate var hexNibble: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
