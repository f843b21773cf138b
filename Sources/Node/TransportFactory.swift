import Config
import EventLoop
import Transport

/// Builds the transport the configuration names (ARCHITECTURE.md,
/// "Transports"): dskit's TCP transport (optionally TLS) or memberlist's UDP+TCP.
enum TransportFactory {
    static func make(_ config: NodeConfig, loop: EventLoop) throws(TransportError) -> any NodeTransport {
        switch config.transport {
        case .tcp:
            let settings = DskitTransportConfiguration(
                bindAddresses: config.bindAddresses, bindPort: Int(config.bindPort),
                advertiseAddress: config.advertiseAddress, advertisePort: Int(config.advertisePort),
                packetDialTimeout: config.packetWriters.dialTimeout,
                packetWriteTimeout: config.packetWriters.writeTimeout,
                maxConcurrentWrites: config.packetWriters.maxConcurrentWrites,
                acquireWriterTimeout: config.packetWriters.acquireWriterTimeout,
                tls: config.tls, maxPacketPayloadBytes: NodeConfig.dskitPacketBudget + 64 * 1024)
            return try DskitTransport(loop: loop, configuration: settings)
        case .udp:
            let settings = MemberlistTransportConfiguration(
                bindAddress: config.bindAddress, bindPort: Int(config.bindPort),
                advertiseAddress: config.advertiseAddress, advertisePort: Int(config.advertisePort))
            return try MemberlistTransport(loop: loop, configuration: settings)
        }
    }
}
