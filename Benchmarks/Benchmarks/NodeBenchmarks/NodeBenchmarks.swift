import Benchmark
import BenchmarkSupport
import Config
import EventLoop
import Glibc
import MallocInterposerSwift
import Membership
import Node
import Wire

// The node's steady-state packet path end to end (ARCHITECTURE.md, "The event loop owns
// the hot path"): a ping arrives on the node's UDP socket, the loop decodes it, the core
// answers, the ack is encoded and sent. A client socket in this process plays the peer.
// The malloc counts are process-wide, so they include the node's loop thread: divided by
// the 1,000 round trips of a sample they are the allocations per received+answered ping
// (plus whatever the node's own 200 ms gossip and 1 s probe ticks made meanwhile: with no
// other member those send nothing).

/// A memberlistd node on memberlist's UDP transport (or dskit's TCP transport with
/// `transport: "tcp"`, plain unless `extra` turns TLS on), bound to 127.0.0.1:`port`, alone.
func nodeConfig(port: UInt16, compression: Bool, transport: String = "udp", extra: [String] = []) throws -> NodeConfig {
    try NodeConfig.parse([
        "-memberlist.transport=\(transport)",
        "-memberlist.nodename=bench-node", "-memberlist.randomize-node-name=false",
        "-memberlist.bind-addr=127.0.0.1", "-memberlist.bind-port=\(port)",
        "-memberlist.advertise-addr=127.0.0.1", "-memberlist.advertise-port=\(port)",
        "-memberlist.compression-enabled=\(compression)",
        "-log.level=error",
    ] + extra)
}

/// A peer played from this process: one ping out, the node's ack back.
protocol RoundTripClient: AnyObject {
    /// One ping → ack; returns the reply's length.
    @discardableResult func roundTrip() throws -> Int
    /// The messages of the last reply (allocates; for checking, not for measuring).
    func lastReply(length: Int) throws -> [Message]
}

extension PingClient: RoundTripClient {}
extension DskitPingClient: RoundTripClient {}
extension DskitTLSPingClient: RoundTripClient {}
extension TransportPingClient: RoundTripClient {}

/// What a round-trip benchmark's setup started, and how to clean up after it.
struct RunningNode<Client: RoundTripClient> {
    var node: NodeHandle
    var client: Client
    var cleanUp: () -> Void = {}
}

/// Registers a benchmark that starts a node and its peer once (`start`), warms up (drains
/// the node's own alive broadcast, grows its buffers and pools) and checks that the reply
/// is an ack, then measures ping → ack round trips with `measuring`.
func registerRoundTrip<Client: RoundTripClient>(
    _ name: String, configuration: Benchmark.Configuration = thousandOperations,
    measuring: @escaping (Benchmark, () throws -> Void) throws -> Void = { try measure($0, $1) },
    start: @escaping () async throws -> RunningNode<Client>
) {
    var running: RunningNode<Client>?
    Benchmark(name, configuration: configuration, closure: { benchmark in
        guard let client = running?.client else {
            benchmark.error("node did not start")
            return
        }
        do {
            try measuring(benchmark) { try client.roundTrip() }
        } catch {
            benchmark.error("\(error)")
        }
    }, setup: {
        let started = try await start()
        var length = 0
        for _ in 0..<100 { length = try started.client.roundTrip() }
        guard case .ack(let ack)? = try started.client.lastReply(length: length).first, ack.seqNo == 1 else {
            throw PingClient.Failure.noAck("the node's reply is not an ack for SeqNo 1")
        }
        running = started
    }, teardown: {
        if let node = running?.node { await node.shutdown() }
        running?.cleanUp()
        running = nil
    })
}

/// The ping every client sends.
let benchmarkPing = Ping(seqNo: 1, node: "bench-node")

/// memberlist's UDP transport: a plain UDP socket pings the node.
func roundTripBenchmark(_ name: String, compression: Bool) {
    registerRoundTrip(name) {
        let port = try freeLoopbackPort()
        let node = try await NodeHandle.start(try nodeConfig(port: port, compression: compression),
                                              logger: Logger(level: .error))
        return RunningNode(node: node, client: try PingClient(pingingPort: port, ping: benchmarkPing))
    }
}

/// dskit's TCP transport (dskit-kv-ring.md §1): per round trip the node accepts one
/// connection, reads and checks the frame, answers, and dials a new connection to send the
/// ack. Each round trip leaves one TIME_WAIT socket on the node's side (it closes first,
/// as dskit does), so the samples are capped to stay well inside the ephemeral port range.
func dskitRoundTripBenchmark(_ name: String, compression: Bool) {
    var configuration = thousandOperations
    configuration.maxIterations = 10
    registerRoundTrip(name, configuration: configuration) {
        let port = try freeLoopbackPort()
        let clientPort = try freeLoopbackPort()
        let node = try await NodeHandle.start(try nodeConfig(port: port, compression: compression, transport: "tcp"),
                                              logger: Logger(level: .error))
        return RunningNode(node: node, client: try DskitPingClient(nodePort: port, listenPort: clientPort, ping: benchmarkPing))
    }
}

/// The client's OpenSSL allocations in a TLS sample (`OpenSSLThreadAllocations`), the
/// rest of the process's (the node's share), and of that the part OpenSSL made.
let clientOpenSSLMallocsPerThousand = BenchmarkMetric.custom("Client OpenSSL mallocs in 1,000 ops (exact)",
                                                             polarity: .prefersSmaller, useScalingFactor: false)
let nodeOpenSSLMallocsPerThousand = BenchmarkMetric.custom("Node OpenSSL mallocs in 1,000 ops (exact)",
                                                           polarity: .prefersSmaller, useScalingFactor: false)
let nodeMallocsPerThousand = BenchmarkMetric.custom("Node mallocs in 1,000 ops (exact, total - client)",
                                                    polarity: .prefersSmaller, useScalingFactor: false)

/// `measure`, plus the split of the sample's allocations between the benchmark thread's
/// OpenSSL calls (the TLS client) and everything else (the node's loop thread).
func measureSplit(_ benchmark: Benchmark, _ operation: () throws -> Void) rethrows {
    OpenSSLThreadAllocations.watchCurrentThread()
    benchmark.startMeasurement()
    let before = MallocInterposerSwift.getStatistics().mallocCount
    let clientBefore = OpenSSLThreadAllocations.count
    let nodeOpenSSLBefore = OpenSSLThreadAllocations.otherThreadsCount
    for _ in benchmark.scaledIterations { try operation() }
    let nodeOpenSSLAfter = OpenSSLThreadAllocations.otherThreadsCount
    let clientAfter = OpenSSLThreadAllocations.count
    let after = MallocInterposerSwift.getStatistics().mallocCount
    benchmark.stopMeasurement()
    benchmark.measurement(exactMallocsPerThousand, after - before)
    benchmark.measurement(clientOpenSSLMallocsPerThousand, clientAfter - clientBefore)
    benchmark.measurement(nodeMallocsPerThousand, (after - before) - (clientAfter - clientBefore))
    benchmark.measurement(nodeOpenSSLMallocsPerThousand, nodeOpenSSLAfter - nodeOpenSSLBefore)
}

/// Registers a benchmark that starts a node on dskit's TCP transport with TLS
/// (`-memberlist.tls-enabled`, dskit-kv-ring.md §1) once, then measures ping → ack round
/// trips: per round trip two TLS connections and full handshakes (the ping's, node as
/// server; the ack's, node as client verifying the client's certificate against the CA and
/// IP SAN). Capped at 10 samples like the plain TCP rows (TIME_WAIT per round trip); a
/// sample of 1,000 round trips takes about 2 s, so the duration allows a few samples.
/// `OpenSSLThreadAllocations.install()` must have run before any OpenSSL allocation.
func dskitTLSRoundTripBenchmark(_ name: String, tls12Only: Bool) {
    var configuration = thousandOperations
    configuration.metrics += [clientOpenSSLMallocsPerThousand, nodeMallocsPerThousand, nodeOpenSSLMallocsPerThousand]
    configuration.maxIterations = 10
    configuration.maxDuration = .seconds(10)
    registerRoundTrip(name, configuration: configuration, measuring: { try measureSplit($0, $1) }) {
        guard OpenSSLThreadAllocations.installed else {
            throw DskitTLSPingClient.Failure.setup("OpenSSL allocated before the counting functions were installed")
        }
        let certificates = try TestCertificates.make()
        let port = try freeLoopbackPort()
        let clientPort = try freeLoopbackPort()
        let tls = ["-memberlist.tls-enabled=true", "-memberlist.tls-cert-path=\(certificates.certificate)",
                   "-memberlist.tls-key-path=\(certificates.key)", "-memberlist.tls-ca-path=\(certificates.ca)"]
        let node = try await NodeHandle.start(try nodeConfig(port: port, compression: true, transport: "tcp", extra: tls),
                                              logger: Logger(level: .error))
        let client = try DskitTLSPingClient(nodePort: port, listenPort: clientPort, ping: benchmarkPing,
                                            certificate: certificates.certificate, key: certificates.key,
                                            ca: certificates.ca, tls12Only: tls12Only)
        return RunningNode(node: node, client: client, cleanUp: { certificates.remove() })
    }
}

/// Two memberlistd transports (issue 14): the node, and `TransportPingClient` (memberlistd's
/// `DskitTransport` on its own loop) pinging it. With TLS, after the warm-up both directions
/// are persistent connections negotiated by ALPN, so a round trip is two TLS records each
/// way on established connections: no handshake, no connection. Without TLS it is dskit's
/// connection per packet both ways (two TIME_WAIT sockets per round trip, so capped at 5
/// samples). The malloc count is the whole process: node and client transport.
func transportRoundTripBenchmark(_ name: String, tls: Bool) {
    var configuration = thousandOperations
    configuration.maxIterations = tls ? 1_000 : 5
    configuration.maxDuration = .seconds(5)
    // With the counting functions, "Node OpenSSL mallocs" is OpenSSL's share on both loops
    // (node and client transport); with the daemon's recycler there is nothing to split.
    let split = OpenSSLThreadAllocations.installed
    if split { configuration.metrics += [nodeOpenSSLMallocsPerThousand] }
    registerRoundTrip(name, configuration: configuration,
                      measuring: { split ? try measureSplit($0, $1) : try measure($0, $1) }) {
        let certificates = try TestCertificates.make()
        let port = try freeLoopbackPort()
        let clientPort = try freeLoopbackPort()
        let settings = TLSSettings(enabled: tls, certificatePath: certificates.certificate, keyPath: certificates.key,
                                   caPath: certificates.ca)
        let flags = tls ? ["-memberlist.tls-enabled=true", "-memberlist.tls-cert-path=\(certificates.certificate)",
                           "-memberlist.tls-key-path=\(certificates.key)", "-memberlist.tls-ca-path=\(certificates.ca)"]
            : []
        let node = try await NodeHandle.start(try nodeConfig(port: port, compression: true, transport: "tcp", extra: flags),
                                              logger: Logger(level: .error))
        let client = try await TransportPingClient(nodePort: port, listenPort: clientPort,
                                                   tls: tls ? settings : TLSSettings())
        return RunningNode(node: node, client: client, cleanUp: {
            client.stop()
            certificates.remove()
        })
    }
}

/// `MEMBERLISTD_BENCH_OPENSSL=recycle`: OpenSSL recycles its small blocks, as in the daemon
/// (`ProcessMemory.recycleOpenSSLSmallBlocks`, main.swift). Otherwise counting functions
/// split the TLS rows' OpenSSL allocations by thread. OpenSSL takes one set of memory
/// functions per process, so the two are separate runs.
let recyclesOpenSSLBlocks = getenv("MEMBERLISTD_BENCH_OPENSSL").map { String(cString: $0) } == "recycle"

let benchmarks: @Sendable () -> Void = {
    // First, before anything in this process makes OpenSSL allocate (see the TLS rows).
    if recyclesOpenSSLBlocks {
        ProcessMemory.recycleOpenSSLSmallBlocks()
    } else {
        OpenSSLThreadAllocations.install()
    }
    roundTripBenchmark("Node: UDP ping → ack round trip (compression off)", compression: false)
    roundTripBenchmark("Node: UDP ping → ack round trip (compression on, dskit/Go default)", compression: true)
    dskitRoundTripBenchmark("Node: dskit TCP ping → ack round trip (compression off)", compression: false)
    dskitRoundTripBenchmark("Node: dskit TCP ping → ack round trip (compression on, dskit default)", compression: true)
    dskitTLSRoundTripBenchmark("Node: dskit TLS ping → ack round trip (compression on, dskit default, TLS 1.3)",
                               tls12Only: false)
    dskitTLSRoundTripBenchmark("Node: dskit TLS ping → ack round trip (compression on, dskit default, TLS 1.2)",
                               tls12Only: true)
    transportRoundTripBenchmark("Node ↔ memberlistd transport: dskit plain TCP ping → ack (a connection per packet)",
                                tls: false)
    transportRoundTripBenchmark("Node ↔ memberlistd transport: dskit TLS ping → ack on established persistent connections",
                                tls: true)
}
