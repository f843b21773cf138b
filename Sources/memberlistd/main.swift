import Config
import EventLoop
import Glibc
import Node

/// memberlistd: a memberlist node configured by Pyroscope's `-memberlist.*`
/// flags, logging in logfmt, leaving gracefully on SIGTERM/SIGINT.
func runDaemon() -> Int32 {
    ProcessMemory.unmapLargeBuffers()
    let config: NodeConfig
    do {
        config = try NodeConfig.parse(Array(CommandLine.arguments.dropFirst()))
    } catch .helpRequested {
        print(FlagCatalog.usage, terminator: "")
        return 0
    } catch {
        let line = "memberlistd: \(error)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        return 2
    }
    let logger = Logger(level: config.logLevel)
    do {
        // Block before any thread exists so only the loop's signalfd sees them.
        try EventLoop.blockSignals([SIGTERM, SIGINT])
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
