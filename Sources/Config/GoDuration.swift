/// Go's `time.ParseDuration` syntax, which every duration flag of dskit uses:
/// an optional sign, then one or more decimal numbers each followed by a unit
/// (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`), e.g. `300ms`, `1.5h`,
/// `1m30s`; a bare `0` is also accepted. Parsed to whole nanoseconds.
public enum GoDuration {
    /// The duration, or nil when `text` is not Go syntax or overflows 2^63 ns.
    public static func parse(_ text: String) -> Duration? {
        var scalars = Array(text.unicodeScalars)[...]
        var negative = false
        if let first = scalars.first, first == "-" || first == "+" {
            negative = first == "-"
            scalars = scalars.dropFirst()
        }
        if scalars.count == 1 && scalars.first == "0" { return .zero }
        guard !scalars.isEmpty else { return nil }
        var total: UInt64 = 0
        while !scalars.isEmpty {
            // Integer part.
            var whole: UInt64 = 0
            var digits = 0
            while let scalar = scalars.first, let digit = digitValue(scalar) {
                let (times, o1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(UInt64(digit))
                guard !o1 && !o2 else { return nil }
                whole = sum
                digits += 1
                scalars = scalars.dropFirst()
            }
            // Fraction as Go's leadingFraction keeps it: digits while they fit 2^63, the
            // scale as a Double.
            var fraction: UInt64 = 0
            var fractionScale: Double = 1
            var fractionDigits = 0
            var fractionOverflow = false
            if scalars.first == "." {
                scalars = scalars.dropFirst()
                while let scalar = scalars.first, let digit = digitValue(scalar) {
                    if !fractionOverflow {
                        if fraction > (UInt64(1) << 63 - 1) / 10 {
                            fractionOverflow = true
                        } else {
                            let next = fraction * 10 + UInt64(digit)
                            if next > UInt64(1) << 63 {
                                fractionOverflow = true
                            } else {
                                fraction = next
                                fractionScale *= 10
                            }
                        }
                    }
                    fractionDigits += 1
                    scalars = scalars.dropFirst()
                }
            }
            guard digits + fractionDigits > 0 else { return nil }
            // Unit.
            var unit = ""
            while let scalar = scalars.first, scalar != ".", digitValue(scalar) == nil {
                unit.unicodeScalars.append(scalar)
                scalars = scalars.dropFirst()
            }
            guard let nanosPerUnit = unitNanoseconds[unit] else { return nil }
            let (wholeNanos, o3) = whole.multipliedReportingOverflow(by: nanosPerUnit)
            guard !o3 else { return nil }
            // Go's order, f × (unit / scale), so results round as Go's do: `0.25436s` is
            // 254,360,000 ns there, and (f / scale) × unit gave 254,359,999 (issue #12).
            let fractionNanos = UInt64(Double(fraction) * (Double(nanosPerUnit) / fractionScale))
            let (partial, o4) = wholeNanos.addingReportingOverflow(fractionNanos)
            let (sum, o5) = total.addingReportingOverflow(partial)
            guard !o4 && !o5, sum <= UInt64(Int64.max) else { return nil }
            total = sum
        }
        let nanos = Int64(total)
        return .nanoseconds(negative ? -nanos : nanos)
    }

    /// The shortest Go-style rendering (`1m30s`, `200ms`, `0s`), as Go's
    /// `Duration.String` prints whole values; used by `-help` and logs.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var nanos = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        if nanos == 0 { return "0s" }
        var text = ""
        if nanos < 0 { text = "-"; nanos = -nanos }
        if nanos < 1_000_000_000 {
            if nanos % 1_000_000 == 0 { return text + "\(nanos / 1_000_000)ms" }
            if nanos % 1_000 == 0 { return text + "\(nanos / 1_000)us" }
            return text + "\(nanos)ns"
        }
        let hours = nanos / 3_600_000_000_000
        nanos %= 3_600_000_000_000
        let minutes = nanos / 60_000_000_000
        nanos %= 60_000_000_000
        if hours > 0 { text += "\(hours)h" }
        if hours > 0 || minutes > 0 { text += "\(minutes)m" }
        let wholeSeconds = nanos / 1_000_000_000
        let rest = nanos % 1_000_000_000
        if rest == 0 { return text + "\(wholeSeconds)s" }
        var digits = String(rest)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return text + "\(wholeSeconds).\(digits)s"
    }

    private static let unitNanoseconds: [String: UInt64] = [
        "ns": 1, "us": 1_000, "\u{00B5}s": 1_000, "\u{03BC}s": 1_000, "ms": 1_000_000,
        "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    private static func digitValue(_ scalar: Unicode.Scalar) -> UInt32? {
        scalar.value >= 48 && scalar.value <= 57 ? scalar.value - 48 : nil
    }
}
