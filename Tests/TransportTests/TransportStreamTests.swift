import EventLoop
import MonotonicTime
import Testing
@testable import Transport
import Wire

/// The stream object the node drives: incremental reads, deadlines, limits.
@Suite struct TransportStreamTests {
    /// Opens a stream from a fresh transport to another and hands both ends to `body`.
    func withStreamPair<Result: Sendable>(
        serverStreamLimit: Int = 64 * 1024 * 1024,
        _ body: @escaping @Sendable (EventLoop, _ client: TransportStream, _ server: TransportStream,
                           _ finish: @escaping (Result) -> Void) -> Void
    ) async throws -> Result {
        try await onFreshLoop { loop, keep, finish in
            let client = keep(try MemberlistTransport(
                loop: loop, configuration: MemberlistTransportConfiguration(bindAddress: IPAddress(127, 0, 0, 1), bindPort: 0)))
            let server = keep(try MemberlistTransport(loop: loop, configuration: MemberlistTransportConfiguration(
                bindAddress: IPAddress(127, 0, 0, 1), bindPort: 0, maxStreamBufferBytes: serverStreamLimit)))
            var outbound: TransportStream?
            var inbound: TransportStream?
            let ready = {
                guard let outbound, let inbound else { return }
                body(loop, outbound, inbound, finish)
            }
            server.onStream = { stream in
                inbound = keep(stream)
                ready()
            }
            client.openStream(to: server.boundAddress, timeout: .seconds(5)) { result in
                guard case .success(let stream) = result else {
                    Issue.record("openStream failed: \(result)")
                    return
                }
                outbound = keep(stream)
                ready()
            }
        }
    }

    /// A length-prefixed decoder consumes whole frames and leaves a partial
    /// one for later ("need more"), across arbitrary segment boundaries.
    @Test func incrementalDecoderConsumesWholeFramesOnly() async throws {
        let frames = try await withStreamPair { (_, client, server, finish: @escaping ([[UInt8]]) -> Void) in
            var decoded: [[UInt8]] = []
            server.onReadable = { [unowned server] in
                while true {
                    let bytes = server.readableBytes
                    guard let length = bytes.first.map(Int.init), bytes.count >= 1 + length else { break }
                    decoded.append([UInt8](bytes[1..<(1 + length)]))
                    server.consume(1 + length)
                }
                if server.isReadClosed { finish(decoded) }
            }
            var wire: [UInt8] = []
            for size in [0, 5, 255, 17, 200, 1] { wire += [UInt8(size)] + pattern(size, seed: UInt8(size & 0xFF)) }
            // Dribble it out in odd-sized writes.
            var offset = 0
            for chunk in [1, 3, 100, 7, 400] where offset < wire.count {
                let end = min(wire.count, offset + chunk)
                try? client.write(array: Array(wire[offset..<end]))
                offset = end
            }
            try? client.write(array: Array(wire[offset...]))
            client.finishWriting()
        }
        #expect(frames == [0, 5, 255, 17, 200, 1].map { pattern($0, seed: UInt8($0 & 0xFF)) })
    }

    /// `setDeadline` closes a stream whose peer stays silent, reported via onClose.
    @Test func deadlineClosesASilentStream() async throws {
        let error = try await withStreamPair { (loop, client, _, finish: @escaping (TransportError?) -> Void) in
            client.onClose = { finish($0) }
            client.setDeadline(loop.now + .milliseconds(100))
        }
        #expect(error == .connection(.timedOut(.read)))
    }

    /// Unconsumed inbound bytes beyond the limit close the stream with a clear error.
    @Test func inboundLimitClosesTheStream() async throws {
        let (error, open) = try await withStreamPair(serverStreamLimit: 1000) {
            (_, client, server, finish: @escaping ((TransportError?, Bool)) -> Void) in
            server.onClose = { [unowned server] in finish(($0, server.isOpen)) }
            try? client.write(array: pattern(5000))
        }
        #expect(error == .inboundLimitExceeded(limit: 1000))
        #expect(!open)
    }

    /// A local close ends the stream silently; the peer sees the end of data.
    @Test func closeIsSilentLocallyAndEndsThePeer() async throws {
        let peerSawEnd = try await withStreamPair { (loop, client, server, finish: @escaping (Bool) -> Void) in
            var localCallback = false
            client.onClose = { _ in localCallback = true }
            server.onReadable = { [unowned server] in if server.isReadClosed { finish(!localCallback) } }
            server.onClose = { _ in finish(!localCallback) }
            client.close()
            #expect(!client.isOpen)
            #expect(throws: TransportError.self) { try client.write(array: [1]) }
        }
        #expect(peerSawEnd)
    }
}
