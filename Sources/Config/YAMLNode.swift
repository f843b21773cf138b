import CYAML

/// A YAML document as a tree, read with libyaml's event parser (the `CYAML`
/// system library). Each node keeps its 1-based line and column for errors.
/// Anchors, aliases and tags are not part of Pyroscope's config and are refused.
indirect enum YAMLNode: Sendable {
    /// `plain`: written without quotes (so `~`, `null` and nothing mean "no value").
    case scalar(String, plain: Bool, line: Int, column: Int)
    case mapping([YAMLEntry], line: Int, column: Int)
    case sequence([YAMLNode], line: Int, column: Int)

    var line: Int {
        switch self {
        case .scalar(_, _, let line, _), .mapping(_, let line, _), .sequence(_, let line, _): return line
        }
    }

    var column: Int {
        switch self {
        case .scalar(_, _, _, let column), .mapping(_, _, let column), .sequence(_, _, let column): return column
        }
    }

    /// A plain scalar that YAML reads as null.
    var isNull: Bool {
        if case .scalar(let text, true, _, _) = self { return ["", "~", "null", "Null", "NULL"].contains(text) }
        return false
    }

    /// Parses `text`; nil for a document with no content. Errors carry the line
    /// and column libyaml reports, against `path`.
    static func parse(_ text: String, path: String) throws(ConfigError) -> YAMLNode? {
        var bytes = Array(text.utf8)
        bytes.append(0)
        // libyaml keeps the parser by address: one heap allocation, never copied.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            throw .unreadableFile(path: path, reason: "cannot start the YAML parser")
        }
        defer { yaml_parser_delete(parser) }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(ConfigError) -> YAMLNode? in
            guard let base = buffer.baseAddress else { return nil }
            yaml_parser_set_input_string(parser, base, buffer.count - 1)
            let reader = EventReader(parser: parser, path: path)
            return try reader.document()
        }
    }
}

/// One `key: value` pair of a mapping.
struct YAMLEntry: Sendable {
    var key: String
    var keyLine: Int
    var keyColumn: Int
    var value: YAMLNode
}

/// Pulls libyaml events and builds nodes (recursive descent over the event stream).
private struct EventReader {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let path: String

    init(parser: UnsafeMutablePointer<yaml_parser_t>, path: String) {
        self.parser = parser
        self.path = path
    }

    /// The first document's root node (nil when the stream holds none or it is empty).
    func document() throws(ConfigError) -> YAMLNode? {
        var root: YAMLNode?
        while true {
            let event = try next()
            switch event.kind {
            case .streamStart, .documentStart: continue
            case .streamEnd, .documentEnd: return root
            default:
                root = try node(startingWith: event)
                // Stop after the first document; the rest is not read.
                return root
            }
        }
    }

    /// How deep mappings and sequences may nest. Pyroscope's config nests a handful of
    /// levels; the bound keeps a hostile file (thousands of `[`) from overflowing the stack
    /// of this recursive reader (found by FuzzConfigFile).
    static let maxDepth = 64

    private func node(startingWith event: Event, depth: Int = 1) throws(ConfigError) -> YAMLNode {
        if depth > Self.maxDepth {
            throw .inFile(position(event), key: "", problem: "YAML nested deeper than \(Self.maxDepth) levels")
        }
        switch event.kind {
        case .scalar(let text, let plain):
            return .scalar(text, plain: plain, line: event.line, column: event.column)
        case .mappingStart:
            var entries: [YAMLEntry] = []
            while true {
                let keyEvent = try next()
                if case .mappingEnd = keyEvent.kind { break }
                guard case .scalar(let key, _) = keyEvent.kind else {
                    throw .inFile(position(keyEvent), key: "", problem: "a mapping key must be a plain word")
                }
                let value = try node(startingWith: try next(), depth: depth + 1)
                entries.append(YAMLEntry(key: key, keyLine: keyEvent.line, keyColumn: keyEvent.column, value: value))
            }
            return .mapping(entries, line: event.line, column: event.column)
        case .sequenceStart:
            var items: [YAMLNode] = []
            while true {
                let itemEvent = try next()
                if case .sequenceEnd = itemEvent.kind { break }
                items.append(try node(startingWith: itemEvent, depth: depth + 1))
            }
            return .sequence(items, line: event.line, column: event.column)
        case .alias:
            throw .inFile(position(event), key: "", problem: "YAML aliases are not supported")
        default:
            throw .inFile(position(event), key: "", problem: "unexpected YAML structure")
        }
    }

    private func position(_ event: Event) -> FilePosition {
        FilePosition(path: path, line: event.line, column: event.column)
    }

    private func next() throws(ConfigError) -> Event {
        var raw = yaml_event_t()
        guard yaml_parser_parse(parser, &raw) != 0 else {
            let problem = parser.pointee.problem.map { String(cString: $0) } ?? "malformed YAML"
            let mark = parser.pointee.problem_mark
            throw .inFile(FilePosition(path: path, line: Int(mark.line) + 1, column: Int(mark.column) + 1),
                          key: "", problem: "invalid YAML: \(problem)")
        }
        defer { yaml_event_delete(&raw) }
        let line = Int(raw.start_mark.line) + 1, column = Int(raw.start_mark.column) + 1
        let kind: Event.Kind
        switch raw.type {
        case YAML_STREAM_START_EVENT: kind = .streamStart
        case YAML_STREAM_END_EVENT: kind = .streamEnd
        case YAML_DOCUMENT_START_EVENT: kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
        case YAML_MAPPING_START_EVENT: kind = .mappingStart
        case YAML_MAPPING_END_EVENT: kind = .mappingEnd
        case YAML_SEQUENCE_START_EVENT: kind = .sequenceStart
        case YAML_SEQUENCE_END_EVENT: kind = .sequenceEnd
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            let text = scalar.value.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: Int(scalar.length)), as: UTF8.self)
            } ?? ""
            kind = .scalar(text, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE)
        default: kind = .alias
        }
        return Event(kind: kind, line: line, column: column)
    }

    struct Event {
        enum Kind {
            case streamStart, streamEnd, documentStart, documentEnd
            case mappingStart, mappingEnd, sequenceStart, sequenceEnd
            case scalar(String, plain: Bool)
            case alias
        }

        var kind: Kind
        var line: Int
        var column: Int
    }
}
