import Config
import Glibc
import Wire

/// Structured logs in logfmt, Grafana's convention (ARCHITECTURE.md,
/// "Observability"): `ts=2024-05-01T10:00:00.123Z level=info msg="..." key=value`.
/// Timestamps come from CLOCK_REALTIME and are used for logging only; every
/// line is one write(2), so lines from several threads never interleave.
public struct Logger: Sendable {
    public var level: LogLevel
    /// Fields added to every line (e.g. `node=...`).
    public var baseFields: [(String, String)]
    /// Where lines go: 2 = stderr.
    public var fileDescriptor: Int32

    public init(level: LogLevel, fileDescriptor: Int32 = 2, baseFields: [(String, String)] = []) {
        self.level = level
        self.fileDescriptor = fileDescriptor
        self.baseFields = baseFields
    }

    /// Whether lines at `level` are written; check it before building costly fields.
    @inline(__always) public func enabled(_ level: LogLevel) -> Bool { level >= self.level }

    public func debug(_ message: String, _ fields: (String, String)...) { write(.debug, message, fields) }
    public func info(_ message: String, _ fields: (String, String)...) { write(.info, message, fields) }
    public func warn(_ message: String, _ fields: (String, String)...) { write(.warn, message, fields) }
    public func error(_ message: String, _ fields: (String, String)...) { write(.error, message, fields) }

    public func write(_ level: LogLevel, _ message: String, _ fields: [(String, String)]) {
        guard enabled(level) else { return }
        var line = "ts=" + Self.timestamp() + " level=" + level.rawValue
        for (key, value) in baseFields { line += " " + key + "=" + Self.quoted(value) }
        line += " msg=" + Self.quoted(message)
        for (key, value) in fields { line += " " + key + "=" + Self.quoted(value) }
        line += "\n"
        var bytes = Array(line.utf8)
        let descriptor = fileDescriptor
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// A logfmt value: bare when safe, else double-quoted with `"` and `\` escaped.
    static func quoted(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.utf8.contains { byte in
            byte <= 0x20 || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
                || byte >= 0x7f
        }
        guard needsQuotes else { return value }
        return "\"" + TextEscaping.escape(value, TextEscaping.backslashEscape) + "\""
    }

    /// RFC 3339 UTC with milliseconds, from the process's wall clock (`WallClock`).
    static func timestamp() -> String { rfc3339(unixMillis: WallClock.nowMillis()) }

    /// `unixMillis` as RFC 3339 UTC with milliseconds (2024-05-01T10:00:00.000Z).
    public static func rfc3339(unixMillis: Int64) -> String {
        var seconds = time_t(unixMillis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let millis = Int32(unixMillis % 1000)
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2)
            + "T" + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2)
            + "." + pad(millis, 3) + "Z"
    }
}
