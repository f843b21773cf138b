import Foundation
import Testing
import Wire

/// One golden vector written by the real Go memberlist v0.2.2
/// (Interop/go/fixtures/run.sh generate; schema in Interop/go/fixtures/README.md).
struct GoFixture: Sendable, CustomTestStringConvertible {
    var name: String
    var file: String
    /// "packet", "stream", "dskitPacket" or "lzw".
    var framing: String
    /// "library" (bytes from memberlist's own functions) or "spec" (labels, dskit framing).
    var origin: String
    var deterministic: Bool
    /// Framing outside the message tree, outermost first: "dskit", "label", "encrypt", "crc".
    var layers: [String]
    var label: String
    var keys: [[UInt8]]
    var encryptKey: [UInt8]?
    var encryptionVersion: Int?
    var nonce: [UInt8]?
    var dskitSource: String?
    /// Go v0.2.2 cannot decode these bytes (compounds of 128...255 parts).
    var goRejects: Bool
    var message: GoFixtureMessage

    var testDescription: String { name }

    /// True when nothing but the message tree is in the file.
    var isBare: Bool { layers.isEmpty }
}

/// The decoded content of a fixture, in the Swift codec's types.
indirect enum GoFixtureMessage: Hashable, Sendable {
    case message(Message)
    case compound([GoFixtureMessage])
    case compress(algorithm: UInt8, inner: GoFixtureMessage)
    /// Uncompressed bytes of a bare LZW fixture.
    case raw([UInt8])

    /// The message with every compress wrapper removed.
    var uncompressed: GoFixtureMessage {
        switch self {
        case .compress(_, let inner): inner.uncompressed
        case .compound(let parts): .compound(parts.map(\.uncompressed))
        default: self
        }
    }

    var leaf: Message? {
        if case .message(let message) = self { return message }
        return nil
    }
}

struct GoFixtureFormatError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Loads the committed fixtures from the test bundle (WireTests declares
/// `resources: [.copy("Fixtures")]`).
enum GoFixtures {
    static let directoryName = "memberlist-go"

    static var directory: URL? {
        Bundle.module.url(forResource: directoryName, withExtension: nil, subdirectory: "Fixtures")
    }

    /// All fixtures; empty if the manifest is missing or malformed (`GoFixtureTests.manifestLoads` fails then).
    static let all: [GoFixture] = (try? load()) ?? []

    static func load() throws -> [GoFixture] {
        guard let directory else { throw GoFixtureFormatError("Fixtures/\(directoryName) is not in the test bundle") }
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = root["fixtures"] as? [[String: Any]] else {
            throw GoFixtureFormatError("manifest.json has no fixtures list")
        }
        return try list.map(GoFixture.init(json:))
    }

    static func bytes(of fixture: GoFixture) throws -> [UInt8] {
        guard let directory else { throw GoFixtureFormatError("no fixture directory") }
        return [UInt8](try Data(contentsOf: directory.appendingPathComponent(fixture.file)))
    }

    static func named(_ name: String) -> GoFixture? { all.first { $0.name == name } }
}

// MARK: - JSON → Swift values

private func hexBytes(_ text: String) throws -> [UInt8] {
    guard text.count % 2 == 0 else { throw GoFixtureFormatError("odd hex length: \(text)") }
    var out: [UInt8] = []
    out.reserveCapacity(text.count / 2)
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        guard let byte = UInt8(text[index..<next], radix: 16) else { throw GoFixtureFormatError("bad hex: \(text)") }
        out.append(byte)
        index = next
    }
    return out
}

/// Typed access to a JSON object's fields, with errors naming the field.
private struct JSONFields {
    var object: [String: Any]
    var context: String

    func string(_ key: String) throws -> String {
        guard let value = object[key] as? String else { throw GoFixtureFormatError("\(context).\(key): expected a string") }
        return value
    }

    func optionalString(_ key: String) -> String? { object[key] as? String }

    func int(_ key: String) throws -> Int {
        guard let number = object[key] as? NSNumber, let value = Int(exactly: number.doubleValue) else {
            throw GoFixtureFormatError("\(context).\(key): expected an integer")
        }
        return value
    }

    func uint32(_ key: String) throws -> UInt32 {
        guard let value = UInt32(exactly: try int(key)) else { throw GoFixtureFormatError("\(context).\(key): out of range") }
        return value
    }

    func uint16(_ key: String) throws -> UInt16 {
        guard let value = UInt16(exactly: try int(key)) else { throw GoFixtureFormatError("\(context).\(key): out of range") }
        return value
    }

    func bool(_ key: String) throws -> Bool {
        guard let value = object[key] as? Bool else { throw GoFixtureFormatError("\(context).\(key): expected a bool") }
        return value
    }

    /// Hex string → bytes, JSON null → nil.
    func optionalBytes(_ key: String) throws -> [UInt8]? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw GoFixtureFormatError("\(context).\(key): expected hex or null") }
        return try hexBytes(text)
    }

    func bytes(_ key: String) throws -> [UInt8] { try optionalBytes(key) ?? [] }

    func address(_ key: String) throws -> IPAddress {
        try optionalAddress(key) ?? IPAddress()
    }

    func optionalAddress(_ key: String) throws -> IPAddress? {
        guard let raw = try optionalBytes(key) else { return nil }
        guard let address = IPAddress(bytes: raw) else { throw GoFixtureFormatError("\(context).\(key): more than 16 bytes") }
        return address
    }
}

extension GoFixture {
    init(json: [String: Any]) throws {
        let fields = JSONFields(object: json, context: "fixture")
        name = try fields.string("name")
        file = try fields.string("file")
        framing = try fields.string("framing")
        origin = try fields.string("origin")
        deterministic = (json["deterministic"] as? Bool) ?? false
        layers = (json["layers"] as? [String]) ?? []
        label = fields.optionalString("label") ?? ""
        keys = try ((json["keys"] as? [String]) ?? []).map(hexBytes)
        encryptKey = try fields.optionalString("encryptKey").map(hexBytes)
        encryptionVersion = json["encryptionVersion"] as? Int
        nonce = try fields.optionalString("nonce").map(hexBytes)
        dskitSource = fields.optionalString("dskitSource")
        goRejects = (json["goRejects"] as? Bool) ?? false
        guard let message = json["message"] as? [String: Any] else { throw GoFixtureFormatError("\(name): no message") }
        self.message = try GoFixtureMessage(json: message, context: name)
    }
}

extension GoFixtureMessage {
    init(json: [String: Any], context: String) throws {
        guard let type = json["type"] as? String else { throw GoFixtureFormatError("\(context): message without type") }
        let f = JSONFields(object: (json["fields"] as? [String: Any]) ?? [:], context: "\(context).\(type)")
        switch type {
        case "compound":
            let parts = (json["parts"] as? [[String: Any]]) ?? []
            self = .compound(try parts.enumerated().map { try GoFixtureMessage(json: $1, context: "\(context).part\($0)") })
        case "compress":
            guard let inner = json["inner"] as? [String: Any], let algo = json["algo"] as? Int, let algorithm = UInt8(exactly: algo) else {
                throw GoFixtureFormatError("\(context): compress without inner/algo")
            }
            self = .compress(algorithm: algorithm, inner: try GoFixtureMessage(json: inner, context: context))
        case "raw":
            self = .raw(try f.bytes("Payload"))
        case "ping":
            self = .message(.ping(Ping(seqNo: try f.uint32("SeqNo"), node: try f.string("Node"),
                                       sourceAddr: try f.optionalAddress("SourceAddr"), sourcePort: try f.uint16("SourcePort"),
                                       sourceNode: try f.string("SourceNode"))))
        case "indirectPing":
            self = .message(.indirectPing(IndirectPingRequest(
                seqNo: try f.uint32("SeqNo"), target: try f.address("Target"), port: try f.uint16("Port"),
                node: try f.string("Node"), nack: try f.bool("Nack"), sourceAddr: try f.optionalAddress("SourceAddr"),
                sourcePort: try f.uint16("SourcePort"), sourceNode: try f.string("SourceNode"))))
        case "ack":
            self = .message(.ack(AckResponse(seqNo: try f.uint32("SeqNo"), payload: try f.optionalBytes("Payload"))))
        case "nack":
            self = .message(.nack(NackResponse(seqNo: try f.uint32("SeqNo"))))
        case "err":
            self = .message(.error(ErrorResponse(error: try f.string("Error"))))
        case "suspect":
            self = .message(.suspect(Suspect(incarnation: try f.uint32("Incarnation"), node: try f.string("Node"), from: try f.string("From"))))
        case "dead":
            self = .message(.dead(Dead(incarnation: try f.uint32("Incarnation"), node: try f.string("Node"), from: try f.string("From"))))
        case "alive":
            self = .message(.alive(Alive(incarnation: try f.uint32("Incarnation"), node: try f.string("Node"),
                                         addr: try f.address("Addr"), port: try f.uint16("Port"),
                                         meta: try f.optionalBytes("Meta"), vsn: try f.bytes("Vsn"))))
        case "user":
            self = .message(.user(try f.bytes("Payload")))
        case "pushPull":
            let states = (json["states"] as? [[String: Any]]) ?? []
            let nodes = try states.enumerated().map { index, state throws -> PushNodeState in
                let s = JSONFields(object: state, context: "\(context).states[\(index)]")
                guard let kind = NodeStateKind(rawValue: try s.int("State")) else {
                    throw GoFixtureFormatError("\(context).states[\(index)]: unknown State")
                }
                return PushNodeState(name: try s.string("Name"), addr: try s.address("Addr"), port: try s.uint16("Port"),
                                     meta: try s.optionalBytes("Meta"), incarnation: try s.uint32("Incarnation"),
                                     state: kind, vsn: try s.bytes("Vsn"))
            }
            guard try f.int("Nodes") == nodes.count else { throw GoFixtureFormatError("\(context): Nodes ≠ states count") }
            self = .message(.pushPull(PushPullState(join: try f.bool("Join"), nodes: nodes, userState: try f.bytes("UserState"))))
        default:
            throw GoFixtureFormatError("\(context): unknown message type \(type)")
        }
    }
}

// MARK: - Swift values → JSON (for the Go verifier)

private func hexText(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

private func jsonBytes(_ bytes: [UInt8]?) -> Any { bytes.map(hexText) ?? NSNull() }

extension GoFixtureMessage {
    /// The manifest form Interop/go/fixtures/run.sh verify expects.
    /// `streamForm` adds UserMsgLen to user messages, as the stream decoder reports it.
    func json(streamForm: Bool) -> [String: Any] {
        switch self {
        case .compound(let parts):
            return ["type": "compound", "parts": parts.map { $0.json(streamForm: streamForm) }]
        case .compress(let algorithm, let inner):
            return ["type": "compress", "algo": Int(algorithm), "inner": inner.json(streamForm: streamForm)]
        case .raw(let bytes):
            return ["type": "raw", "fields": ["Payload": hexText(bytes)]]
        case .message(let message):
            return Self.json(message, streamForm: streamForm)
        }
    }

    private static func json(_ message: Message, streamForm: Bool) -> [String: Any] {
        switch message {
        case .ping(let p):
            return ["type": "ping", "fields": ["SeqNo": p.seqNo, "Node": p.node, "SourceAddr": jsonBytes(p.sourceAddr?.bytes),
                                                "SourcePort": p.sourcePort, "SourceNode": p.sourceNode]]
        case .indirectPing(let p):
            return ["type": "indirectPing", "fields": ["SeqNo": p.seqNo, "Target": hexText(p.target.bytes), "Port": p.port,
                                                        "Node": p.node, "Nack": p.nack, "SourceAddr": jsonBytes(p.sourceAddr?.bytes),
                                                        "SourcePort": p.sourcePort, "SourceNode": p.sourceNode]]
        case .ack(let a):
            return ["type": "ack", "fields": ["SeqNo": a.seqNo, "Payload": jsonBytes(a.payload)]]
        case .nack(let n):
            return ["type": "nack", "fields": ["SeqNo": n.seqNo]]
        case .error(let e):
            return ["type": "err", "fields": ["Error": e.error]]
        case .suspect(let s):
            return ["type": "suspect", "fields": ["Incarnation": s.incarnation, "Node": s.node, "From": s.from]]
        case .dead(let d):
            return ["type": "dead", "fields": ["Incarnation": d.incarnation, "Node": d.node, "From": d.from]]
        case .alive(let a):
            return ["type": "alive", "fields": ["Incarnation": a.incarnation, "Node": a.node, "Addr": hexText(a.addr.bytes),
                                                 "Port": a.port, "Meta": jsonBytes(a.meta), "Vsn": hexText(a.vsn)]]
        case .user(let payload):
            var fields: [String: Any] = ["Payload": hexText(payload)]
            if streamForm { fields["UserMsgLen"] = payload.count }
            return ["type": "user", "fields": fields]
        case .pushPull(let state):
            let states: [[String: Any]] = state.nodes.map { n in
                ["Name": n.name, "Addr": hexText(n.addr.bytes), "Port": n.port, "Meta": jsonBytes(n.meta),
                 "Incarnation": n.incarnation, "State": n.state.rawValue, "Vsn": hexText(n.vsn)]
            }
            return ["type": "pushPull", "states": states,
                    "fields": ["Join": state.join, "Nodes": state.nodes.count, "UserStateLen": state.userState.count,
                               "UserState": hexText(state.userState)]]
        }
    }
}
