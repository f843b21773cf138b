import Glibc
import MonotonicTime
import Testing
import EventLoop

/// Byte `offset` of the test payloads: a pattern that catches reordering and loss.
func payloadByte(_ offset: Int) -> UInt8 { UInt8(truncatingIfNeeded: offset &* 7 &+ offset >> 11) }

/// Starts a TCP echo server on the loop: everything read is written back,
/// and the server half-closes after the client does (the default on EOF). The
/// handshake deadline is far from what these tests time: under ASan at nice 10 on a
/// loaded machine the TLS echo saw a reset with nothing echoed, which a 5 s deadline
/// on the server's side of the handshake explains.
func startEchoServer(
    on loop: EventLoop, ip: String, tls: TLSContext? = nil,
    onAcceptError: ((ConnectionError, SocketAddress?) -> Void)? = nil,
    onServerClose: ((ConnectionError?) -> Void)? = nil
) throws -> TCPListener {
    let address = try #require(SocketAddress(ip: ip, port: 0))
    return try loop.listenTCP(on: address, tls: tls, handshakeTimeout: .seconds(30), onAccept: { connection in
        connection.onRead = { [unowned connection] bytes in
            do { try connection.write(bytes) } catch { connection.close() }
        }
        connection.onClose = onServerClose
    }, onAcceptError: onAcceptError)
}

@Suite struct TCPTests {
    struct EchoOutcome: Sendable {
        var echoedMatches: Bool
        var echoedCount: Int
        var queuedAfterFirstWrite: Int
        var closeError: ConnectionError?
        var peer: SocketAddress?
    }

    /// Writes `size` bytes in one call, half-closes, and reads the echo to EOF.
    func echo(
        ip: String, size: Int, serverTLS: TLSConfiguration? = nil, clientTLS: TLSConfiguration? = nil
    ) async throws -> EchoOutcome {
        try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (EchoOutcome) -> Void) in
                let serverContext = try serverTLS.map { try TLSContext(configuration: $0) }
                let clientContext = try clientTLS.map { try TLSContext(configuration: $0) }
                let listener = try startEchoServer(on: loop, ip: ip, tls: serverContext)
                loop.connectTCP(to: listener.localAddress, timeout: .seconds(5), tls: clientContext) { result in
                    let connection: TCPConnection
                    switch result {
                    case .failure(let error):
                        finish(EchoOutcome(echoedMatches: false, echoedCount: 0, queuedAfterFirstWrite: 0,
                                           closeError: error, peer: nil))
                        return
                    case .success(let established): connection = established
                    }
                    var received = 0
                    var matches = true
                    var queued = 0
                    connection.onRead = { bytes in
                        for (index, byte) in bytes.enumerated() where byte != payloadByte(received + index) {
                            matches = false
                        }
                        received += bytes.count
                    }
                    var sawEOF = false
                    connection.onReadEOF = { sawEOF = true }
                    connection.onClose = { error in
                        _ = listener
                        finish(EchoOutcome(echoedMatches: matches && sawEOF, echoedCount: received,
                                           queuedAfterFirstWrite: queued, closeError: error,
                                           peer: connection.remoteAddress))
                    }
                    let payload = (0..<size).map(payloadByte)
                    do throws(ConnectionError) {
                        try connection.write(array: payload)
                    } catch {
                        finish(EchoOutcome(echoedMatches: false, echoedCount: 0, queuedAfterFirstWrite: 0,
                                           closeError: error, peer: nil))
                        return
                    }
                    queued = connection.pendingWriteBytes
                    connection.shutdownWrite()
                }
            }
        }
    }

    @Test func multiMegabyteEchoOverIPv4ExercisesPartialWrites() async throws {
        let size = 8 * 1024 * 1024
        let outcome = try await echo(ip: "127.0.0.1", size: size)
        #expect(outcome.closeError == nil)
        #expect(outcome.echoedCount == size)
        #expect(outcome.echoedMatches)
        // The kernel could not take 8 MiB at once: the rest went to the queue.
        #expect(outcome.queuedAfterFirstWrite > 0)
        #expect(outcome.queuedAfterFirstWrite < size)
    }

    /// TLS records over partial writes both ways, and close_notify + FIN at the end.
    @Test func multiMegabyteEchoOverTLS() async throws {
        let size = 4 * 1024 * 1024 + 5
        let outcome = try await echo(ip: "127.0.0.1", size: size,
                                     serverTLS: try TLSTests.node(), clientTLS: try TLSTests.trustingClient())
        #expect(outcome.closeError == nil)
        #expect(outcome.echoedCount == size)
        #expect(outcome.echoedMatches)
        #expect(outcome.queuedAfterFirstWrite > 0)
    }

    @Test func echoOverIPv6() async throws {
        let outcome = try await echo(ip: "::1", size: 3 * 1024 * 1024 + 17)
        #expect(outcome.closeError == nil)
        #expect(outcome.echoedCount == 3 * 1024 * 1024 + 17)
        #expect(outcome.echoedMatches)
        #expect(outcome.peer?.family == .ipv6)
    }

    @Test func connectToClosedPortIsRefused() async throws {
        let error = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (ConnectionError?) -> Void) in
                // Learn a free port, then stop listening on it.
                let listener = try startEchoServer(on: loop, ip: "127.0.0.1")
                let address = listener.localAddress
                listener.close()
                loop.connectTCP(to: address, timeout: .seconds(5)) { result in
                    switch result {
                    case .success(let connection):
                        connection.close()
                        finish(nil)
                    case .failure(let error): finish(error)
                    }
                }
            }
        }
        #expect(error == .system(SystemError(syscall: "connect", errno: ECONNREFUSED)))
        #expect(error?.description.contains("Connection refused") == true)
    }

    @Test func readDeadlineFiresOnSilentPeer() async throws {
        let (error, silentPeerStillOpen) = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping ((ConnectionError?, Bool)) -> Void) in
                let address = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
                var accepted: [TCPConnection] = []
                let listener = try loop.listenTCP(on: address, onAccept: { accepted.append($0) })
                loop.connectTCP(to: listener.localAddress, timeout: .seconds(5)) { result in
                    guard case .success(let connection) = result else { return finish((nil, false)) }
                    connection.setReadDeadline(loop.now + .milliseconds(100))
                    connection.onRead = { _ in finish((nil, false)) }
                    connection.onClose = { error in
                        _ = listener
                        finish((error, accepted.first?.isOpen ?? false))
                    }
                }
            }
        }
        #expect(error == .timedOut(.read))
        #expect(silentPeerStillOpen)
    }

    @Test func clearedReadDeadlineDoesNotFire() async throws {
        let echoed = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (String) -> Void) in
                let listener = try startEchoServer(on: loop, ip: "127.0.0.1")
                loop.connectTCP(to: listener.localAddress, timeout: .seconds(5)) { result in
                    guard case .success(let connection) = result else { return finish("connect failed") }
                    connection.setReadDeadline(loop.now + .milliseconds(30))
                    connection.setReadDeadline(nil)
                    connection.onClose = { error in finish("closed: \(String(describing: error))") }
                    // Write only after the cancelled deadline would have fired.
                    loop.schedule(after: .milliseconds(80)) { _ in
                        connection.onRead = { bytes in
                            _ = listener
                            finish(String(decoding: bytes, as: UTF8.self))
                            connection.close()
                        }
                        try? connection.write(array: Array("still open".utf8))
                    }
                }
            }
        }
        #expect(echoed == "still open")
    }

    @Test func writeBufferLimitIsEnforced() async throws {
        let error = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (ConnectionError?) -> Void) in
                let address = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
                var accepted: [TCPConnection] = []
                // The peer never reads, so output piles up in the queue.
                let listener = try loop.listenTCP(on: address, onAccept: { accepted.append($0) })
                loop.connectTCP(to: listener.localAddress, timeout: .seconds(5)) { result in
                    guard case .success(let connection) = result else { return finish(nil) }
                    connection.maxPendingWriteBytes = 1024 * 1024
                    let chunk = [UInt8](repeating: 0x5A, count: 256 * 1024)
                    do throws(ConnectionError) {
                        for _ in 0..<1_000 { try connection.write(array: chunk) }
                        finish(nil)
                    } catch {
                        _ = listener
                        finish(error)
                    }
                    connection.close()
                }
            }
        }
        #expect(error == .writeBufferFull(limit: 1024 * 1024))
    }
}
