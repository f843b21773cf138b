import Config
import EventLoop
import Glibc
import Node

/// memberlistd: a memberlist node configured by Pyroscope's `-memberlist.*`
/// flags and `memberlist:` YAML block, logging in logfmt, leaving gracefully
/// on SIGTERM/SIGINT, reloading its TLS files on SIGHUP.
func runDaemon() -> Int32 {
    ProcessMemory.unmapLargeBuffers()
    ProcessMemory.recycleOpenSSLSmallBlocks()
    let loaded: LoadedConfig
    do {
        loaded = try NodeConfig.load(Array(CommandLine.arguments.dropFirst()),
                                     environment: { name in getenv(name).map { String(cString: $0) } },
                                     readFile: SmallFile.readConfig)
    } catch .helpRequested {
        print(FlagCatalog.usage, terminator: "")
        return 0
    } catch {
        let line = "memberlistd: \(error)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        return 2
    }
    if loaded.printConfig {
        print(loaded.settings.yaml, terminator: "")
        return 0
    }
    let config = loaded.config
    let logger = Logger(level: config.logLevel)
    for warning in loaded.warnings { logger.warn(warning) }
    do {
        // Block before any thread exists so only the loop's signalfd sees them.
        try EventLoop.blockSignals([SIGTERM, SIGINT, SIGHUP])
        let loop = try EventLoop()
        let daemon = try Daemon(config: config, loop: loop, logger: logger)
        try daemon.start()
        try withExtendedLifetime(daemon) { try loop.run() }
        return daemon.exitCode
    } catch {
        logger.error("cannot start", ("err", "\(error)"))
        return 1
    }
}

exit(runDaemon())
