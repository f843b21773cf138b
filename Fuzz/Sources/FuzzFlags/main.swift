import Glibc
import FuzzSupport
import Config

/// The flag parser and Go durations, as an operator feeds them: the input is split at
/// NUL bytes into arguments; every outcome is a config or a typed error, and a duration
/// that parses formats to text that parses to the same value.
func fuzzFlags(_ data: UnsafeRawBufferPointer) {
    let arguments = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    _ = try? NodeConfig.parse(arguments)
    for argument in arguments {
        guard let duration = GoDuration.parse(argument) else { continue }
        let text = GoDuration.format(duration)
        precondition(GoDuration.parse(text) == duration, "\(argument) → \(text) does not parse back")
    }
}

exit(FuzzDriver.run(fuzzFlags))
