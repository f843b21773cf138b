import Glibc
import FuzzSupport
import Config

/// The YAML config file (libyaml, Pyroscope's `memberlist:` and `server:` blocks) read
/// through `NodeConfig.load` as `-config.file` gives it. Bit 0 of the selector byte turns
/// on `-config.expand-env` with a fixed environment. Every outcome is a config or a typed
/// error that names this file at a 1-based position; a config that loads prints
/// (`-print.config`) to YAML that loads to the same config and prints the same text.
let environment = ["LABEL": "blue", "PORT": "7947", "EMPTY": "", "SEEDS": "10.0.0.1,10.0.0.2"]

func load(_ text: String, _ arguments: [String], environment: @escaping (String) -> String?) throws(ConfigError) -> LoadedConfig {
    try NodeConfig.load(arguments, environment: environment, readFile: { _ in .success(text) })
}

func fuzzConfigFile(_ data: UnsafeRawBufferPointer) {
    guard let selector = data.first else { return }
    let text = String(decoding: data.dropFirst(), as: UTF8.self)
    var arguments = ["-config.file=fuzz.yaml"]
    if selector & 1 != 0 { arguments.append("-config.expand-env") }
    let loaded: LoadedConfig
    do {
        loaded = try load(text, arguments) { environment[$0] }
    } catch {
        precondition(!error.description.isEmpty, "an error without a message")
        if case .inFile(let position, _, _) = error {
            precondition(position.path == "fuzz.yaml" && position.line >= 1 && position.column >= 1,
                         "error at \(position) is not a position in the file")
        }
        return
    }
    let printed = loaded.settings.yaml
    let again: LoadedConfig
    do {
        again = try load(printed, ["-config.file=printed.yaml"]) { _ in nil }
    } catch {
        preconditionFailure("-print.config output does not load: \(error)\n\(printed)")
    }
    precondition(again.config == loaded.config, "-print.config output loads to another config\n\(printed)")
    precondition(again.settings.yaml == printed, "-print.config output prints differently\n\(printed)")
}

exit(FuzzDriver.run(fuzzConfigFile))
