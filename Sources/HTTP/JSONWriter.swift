/// Writes JSON text into a byte buffer without Foundation (ARCHITECTURE.md,
/// "no Foundation in the daemon"): error bodies and the admin pages' JSON
/// models. The caller emits a well-formed sequence; commas are placed here.
public struct JSONWriter {
    public private(set) var bytes: [UInt8]
    private var needsComma: [Bool] = []
    private let indent: Bool

    /// `pretty` indents by two spaces per level (dskit's `format=json-pretty`).
    public init(pretty: Bool = false, reservingCapacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(reservingCapacity)
        indent = pretty
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func beginObject() { beginValue(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { beginValue(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// An object member's name; the value follows with one of the value calls.
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        if indent { bytes.append(UInt8(ascii: " ")) }
        pendingKey = true
    }

    public mutating func string(_ value: String) { beginValue(); appendQuoted(value) }
    public mutating func integer<T: BinaryInteger>(_ value: T) { beginValue(); bytes.append(contentsOf: String(value).utf8) }
    public mutating func bool(_ value: Bool) { beginValue(); bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    public mutating func null() { beginValue(); bytes.append(contentsOf: "null".utf8) }
    /// A finite number in Swift's shortest round-trip form (non-finite becomes null).
    public mutating func number(_ value: Double) {
        guard value.isFinite else { return null() }
        beginValue()
        bytes.append(contentsOf: value.description.utf8)
    }

    /// `key` then `string`.
    public mutating func field(_ name: String, _ value: String) { key(name); string(value) }
    public mutating func field<T: BinaryInteger>(_ name: String, _ value: T) { key(name); integer(value) }
    public mutating func field(_ name: String, _ value: Bool) { key(name); bool(value) }

    /// `"name": [ {…}, {…} ]`: one object per element, its fields written by `body`.
    public mutating func objects<Elements: Sequence>(_ name: String, _ elements: Elements,
                                                     _ body: (inout JSONWriter, Elements.Element) -> Void) {
        key(name)
        beginArray()
        for element in elements {
            beginObject()
            body(&self, element)
            endObject()
        }
        endArray()
    }

    private var pendingKey = false

    private mutating func beginValue() {
        if pendingKey {
            pendingKey = false
            return
        }
        separate()
    }

    private mutating func separate() {
        guard let last = needsComma.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
        newline(depth: needsComma.count)
    }

    private mutating func close(_ bracket: UInt8) {
        let hadMembers = needsComma.popLast() ?? false
        if hadMembers { newline(depth: needsComma.count) }
        bytes.append(bracket)
    }

    private mutating func newline(depth: Int) {
        guard indent else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    /// RFC 8259 7: quote, backslash and control characters escaped; other UTF-8 as is.
    private mutating func appendQuoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
