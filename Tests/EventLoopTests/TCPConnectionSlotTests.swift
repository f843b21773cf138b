import CShims
import Glibc
import Testing
@testable import EventLoop

/// The reusable plain-TCP slot: accepted and dialled connections, one after
/// another through the same slot, deadlines and hand-off, on real loopback sockets.
@Suite struct TCPConnectionSlotTests {
    /// Connects a client that sends `text` and half-closes.
    private static func sendAndFinish(_ loop: EventLoop, to address: SocketAddress, _ text: String) {
        loop.connectTCP(to: address, timeout: .seconds(5)) { result in
            guard case .success(let client) = result else { return }
            try? client.write(array: Array(text.utf8))
            client.shutdownWrite()
        }
    }

    @Test func oneSlotReadsAcceptedConnectionsOneAfterAnother() async throws {
        let messages = ["first connection", "second, longer connection through the same slot"]
        let received = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping ([String]) -> Void) in
                let slot = TCPConnectionSlot(loop: loop)
                // Smaller than a message: several reads per connection.
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 5, alignment: 1)
                let address = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
                var current: [UInt8] = []
                var texts: [String] = []
                let listener = try loop.listenTCP(on: address, onAcceptDescriptor: { accepted in
                    do { try slot.open(accepted) } catch { finish(["open failed: \(error)"]) }
                })
                slot.onReady = { [unowned slot] _ in
                    while true {
                        let result: TCPConnectionSlot.ReadResult
                        do { result = try slot.read(into: buffer) } catch {
                            finish(["read failed: \(error)"])
                            return
                        }
                        switch result {
                        case .bytes(let count):
                            current.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                        case .wouldBlock:
                            return
                        case .endOfStream:
                            texts.append(String(decoding: current, as: UTF8.self))
                            current.removeAll()
                            slot.close()
                            if texts.count == messages.count {
                                listener.close()
                                buffer.deallocate()
                                finish(texts)
                            } else {
                                Self.sendAndFinish(loop, to: listener.localAddress, messages[texts.count])
                            }
                            return
                        }
                    }
                }
                Self.sendAndFinish(loop, to: listener.localAddress, messages[0])
            }
        }
        #expect(received == messages)
    }

    @Test func oneSlotDialsWritesAndClosesTwice() async throws {
        let messages = ["packet one", "packet two, written by the same slot"]
        let received = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping ([String]) -> Void) in
                let address = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
                var texts: [String] = []
                let listener = try loop.listenTCP(on: address, onAccept: { connection in
                    var bytes: [UInt8] = []
                    connection.onRead = { bytes.append(contentsOf: $0) }
                    connection.onClose = { _ in
                        texts.append(String(decoding: bytes, as: UTF8.self))
                        if texts.count == messages.count { finish(texts) }
                    }
                })
                let slot = TCPConnectionSlot(loop: loop)
                var connected = false
                var written = 0
                var sent = 0
                func dial() {
                    connected = false
                    written = 0
                    do { try slot.connect(to: listener.localAddress) } catch { finish(["connect: \(error)"]) }
                }
                slot.onReady = { [unowned slot] _ in
                    do {
                        if !connected {
                            guard try slot.connectOutcome() else { return }
                            connected = true
                        }
                        let frame = Array(messages[sent].utf8)
                        written += try frame.withUnsafeBytes { bytes throws(SystemError) in
                            try slot.write(UnsafeRawBufferPointer(rebasing: bytes[written...]))
                        }
                        guard written == frame.count else { return }
                    } catch {
                        finish(["io: \(error)"])
                        return
                    }
                    slot.close()
                    #expect(!slot.isOpen)
                    sent += 1
                    if sent < messages.count { dial() }
                }
                dial()
            }
        }
        #expect(received == messages)
    }

    @Test func refusedConnectIsReported() async throws {
        let code = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (Int32) -> Void) in
                let address = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
                // A port that was just free: nothing listens there any more.
                let closed = try loop.listenTCP(on: address, onAccept: { _ in })
                let target = closed.localAddress
                closed.close()
                let slot = TCPConnectionSlot(loop: loop)
                slot.onReady = { [unowned slot] _ in
                    do throws(SystemError) {
                        guard try slot.connectOutcome() else { return }
                        finish(0)
                    } catch {
                        slot.close()
                        finish(error.errno)
                    }
                }
                do throws(SystemError) { try slot.connect(to: target) } catch { finish(error.errno) }
            }
        }
        #expect(code == ECONNREFUSED)
    }

    @Test func laterDeadlineReplacesEarlierAndLeavesConnectionOpen() async throws {
        let (elapsed, stillOpen) = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping ((Duration, Bool)) -> Void) in
                let address = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
                let slot = TCPConnectionSlot(loop: loop)
                var listener: TCPListener?
                var start = loop.now
                slot.onDeadline = { [unowned slot] in
                    let open = slot.isOpen
                    slot.close()
                    listener?.close()
                    finish((start.duration(to: loop.now), open))
                }
                listener = try loop.listenTCP(on: address, onAcceptDescriptor: { accepted in
                    do { try slot.open(accepted) } catch { finish((.zero, false)) }
                    start = loop.now
                    slot.setDeadline(start.advanced(by: .milliseconds(5)))
                    slot.setDeadline(start.advanced(by: .milliseconds(60)))
                })
                // A client that never sends: only the deadline ends it.
                loop.connectTCP(to: try #require(listener?.localAddress), timeout: .seconds(5)) { _ in }
            }
        }
        #expect(elapsed >= .milliseconds(60))
        #expect(stillOpen)
    }

    @Test func handOffTurnsTheSlotsConnectionIntoATCPConnection() async throws {
        let reply = try await withLoop { handle in
            try await onLoop(handle) { (loop, finish: @escaping (String) -> Void) in
                let address = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
                let slot = TCPConnectionSlot(loop: loop)
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
                var adopted: TCPConnection?
                slot.onReady = { [unowned slot] _ in
                    guard case .bytes(let count)? = try? slot.read(into: buffer) else { return }
                    let request = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
                    buffer.deallocate()
                    do {
                        let connection = try slot.handOff()
                        #expect(!slot.isOpen)
                        try connection.write(array: Array("pong to \(request)".utf8))
                        adopted = connection
                    } catch {
                        finish("hand-off failed: \(error)")
                    }
                }
                let listener = try loop.listenTCP(on: address, onAcceptDescriptor: { accepted in
                    do { try slot.open(accepted) } catch { finish("open failed") }
                })
                loop.connectTCP(to: listener.localAddress, timeout: .seconds(5)) { result in
                    guard case .success(let client) = result else { return finish("connect failed") }
                    var answer: [UInt8] = []
                    client.onRead = { bytes in
                        answer.append(contentsOf: bytes)
                        guard answer.count == "pong to ping".utf8.count else { return }
                        client.close()
                        adopted?.close()
                        listener.close()
                        finish(String(decoding: answer, as: UTF8.self))
                    }
                    try? client.write(array: Array("ping".utf8))
                }
            }
        }
        #expect(reply == "pong to ping")
    }
}
