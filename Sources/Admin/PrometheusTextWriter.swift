/// Writes the Prometheus text exposition format 0.0.4: `# HELP`/`# TYPE`
/// lines, then one line per series, with label values escaped (`\\`, `\"`,
/// `\n`) and HELP text escaped (`\\`, `\n`). Every name gets `prefix_` in front
/// (`-metrics.prefix`, dskit's namespace). The buffer is kept between scrapes
/// (`reset`), and numbers are written digit by digit, so a scrape of
/// unchanged families allocates nothing per line.
public struct PrometheusTextWriter {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    public private(set) var bytes: [UInt8] = []
    public let prefix: String

    public init(prefix: String, reservingCapacity: Int = 16 * 1024) {
        self.prefix = prefix
        bytes.reserveCapacity(reservingCapacity)
    }

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Empties the buffer, keeping its capacity.
    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    /// The HELP and TYPE lines of a family.
    public mutating func family(_ name: String, _ kind: Kind, help: String) {
        bytes.append(contentsOf: "# HELP ".utf8)
        appendName(name)
        bytes.append(0x20)
        for byte in help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            default: bytes.append(byte)
            }
        }
        bytes.append(contentsOf: "\n# TYPE ".utf8)
        appendName(name)
        bytes.append(0x20)
        bytes.append(contentsOf: kind.rawValue.utf8)
        bytes.append(0x0A)
    }

    /// A series without labels.
    public mutating func sample(_ name: String, _ value: Int64) {
        appendName(name)
        bytes.append(0x20)
        appendInteger(value)
        bytes.append(0x0A)
    }

    /// A series with one label.
    public mutating func sample(_ name: String, _ label: String, _ labelValue: String, _ value: Int64) {
        appendName(name)
        bytes.append(UInt8(ascii: "{"))
        appendLabel(label, labelValue)
        bytes.append(contentsOf: "} ".utf8)
        appendInteger(value)
        bytes.append(0x0A)
    }

    /// A series with two labels.
    public mutating func sample(_ name: String, _ label1: String, _ value1: String,
                                _ label2: String, _ value2: String, _ value: Int64) {
        appendName(name)
        bytes.append(UInt8(ascii: "{"))
        appendLabel(label1, value1)
        bytes.append(UInt8(ascii: ","))
        appendLabel(label2, value2)
        bytes.append(contentsOf: "} ".utf8)
        appendInteger(value)
        bytes.append(0x0A)
    }

    /// A whole counter family of one unlabelled series.
    public mutating func counter(_ name: String, help: String, _ value: Int) {
        family(name, .counter, help: help)
        sample(name, Int64(value))
    }

    /// A whole gauge family of one unlabelled series.
    public mutating func gauge(_ name: String, help: String, _ value: Int) {
        family(name, .gauge, help: help)
        sample(name, Int64(value))
    }

    /// A whole histogram family of one unlabelled series: `_bucket{le="..."}` with the
    /// cumulative counts (the last is `+Inf`), `_sum` and `_count`. Bounds and sum are whole
    /// milliseconds, written as seconds.
    public mutating func histogram(_ name: String, help: String, boundsMillis: [Int64], cumulativeCounts: [Int],
                                   sumMillis: Int64, count: Int) {
        family(name, .histogram, help: help)
        for (index, bucketCount) in cumulativeCounts.enumerated() {
            appendName(name)
            bytes.append(contentsOf: "_bucket{le=\"".utf8)
            if index < boundsMillis.count {
                appendSeconds(millis: boundsMillis[index])
            } else {
                bytes.append(contentsOf: "+Inf".utf8)
            }
            bytes.append(contentsOf: "\"} ".utf8)
            appendInteger(Int64(bucketCount))
            bytes.append(0x0A)
        }
        appendName(name)
        bytes.append(contentsOf: "_sum ".utf8)
        appendSeconds(millis: sumMillis)
        bytes.append(0x0A)
        appendName(name)
        bytes.append(contentsOf: "_count ".utf8)
        appendInteger(Int64(count))
        bytes.append(0x0A)
    }

    /// Milliseconds as decimal seconds without trailing zeros: 5 → 0.005, 2500 → 2.5, 10000 → 10.
    private mutating func appendSeconds(millis: Int64) {
        if millis < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = Int64(clamping: millis.magnitude)
        appendInteger(magnitude / 1000)
        var fraction = magnitude % 1000
        guard fraction > 0 else { return }
        bytes.append(UInt8(ascii: "."))
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let start = bytes.count
        for _ in 0..<digits {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10))
            fraction /= 10
        }
        bytes[start...].reverse()
    }

    private mutating func appendName(_ name: String) {
        if !prefix.isEmpty {
            bytes.append(contentsOf: prefix.utf8)
            bytes.append(UInt8(ascii: "_"))
        }
        bytes.append(contentsOf: name.utf8)
    }

    private mutating func appendLabel(_ name: String, _ value: String) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(contentsOf: "=\"".utf8)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendInteger(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }
}
