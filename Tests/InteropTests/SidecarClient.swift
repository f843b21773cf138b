import Foundation
import Glibc
import NetworkTestSupport

/// The test's side of a node's sidecar API (issue 10): requests on one keep-alive
/// connection, JSON bodies decoded with Foundation, and event streams read as they arrive.
final class SidecarClient {
    let port: UInt16
    private var connection: HTTPTestClient?

    init(port: UInt16) {
        self.port = port
    }

    /// The port of a node's "sidecar listening" line (it binds port 0).
    static func port(of node: MemberlistdProcess) async throws -> UInt16 {
        let line = try await node.waitForLog("sidecar listening", from: 0)
        guard let address = line["addr"], address.hasPrefix("127.0.0.1:"), let colon = address.lastIndex(of: ":"),
              let port = UInt16(address[address.index(after: colon)...]), port > 0 else {
            throw TestError("no sidecar address in \(line["_line"] ?? "")")
        }
        return port
    }

    /// One request; the connection is reopened when the server closed it.
    func request(_ method: String, _ target: String, body: [UInt8] = [], headers: String = "") throws -> ParsedResponse {
        for attempt in 0..<2 {
            let client = try connection ?? HTTPTestClient(port: port)
            connection = client
            var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(headers)"
            if !body.isEmpty || method == "PUT" || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
            client.send(Array((head + "\r\n").utf8) + body)
            let (responses, closed) = client.readResponses(1)
            if closed { connection = nil }
            if let response = responses.first { return response }
            if attempt == 1 { break }
        }
        throw TestError("no answer to \(method) \(target) from the sidecar on port \(port)")
    }

    func json(_ method: String, _ target: String, body: String = "") throws -> (code: Int, value: Any) {
        let response = try request(method, target, body: Array(body.utf8))
        let value = try JSONSerialization.jsonObject(with: Data(response.body.utf8), options: [.fragmentsAllowed])
        return (response.code, value)
    }
}

/// A `text/event-stream` response read incrementally: the test waits for an event by name
/// and a predicate on its JSON data.
final class SidecarEventStream {
    struct Event {
        var name: String
        var data: [String: Any]
    }

    private let client: HTTPTestClient
    private var buffer: [UInt8] = []
    private var headSkipped = false
    private(set) var events: [Event] = []

    init(port: UInt16, target: String) throws {
        client = try HTTPTestClient(port: port)
        client.send("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    }

    /// Waits until an event named `name` whose data satisfies `predicate` arrived.
    @discardableResult
    func waitFor(_ name: String, timeout: Duration = .seconds(20),
                 where predicate: ([String: Any]) -> Bool) async throws -> Event {
        let deadline = ContinuousClock.now + timeout
        while true {
            pump()
            if let event = events.first(where: { $0.name == name && predicate($0.data) }) { return event }
            guard ContinuousClock.now < deadline else {
                throw TestError("no \(name) event in time; got \(events.map(\.name))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func pump() {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count > 0 else { break }
            buffer.append(contentsOf: chunk[0..<count])
        }
        let separator: [UInt8] = [0x0A, 0x0A]
        if !headSkipped {
            guard let end = buffer.firstRange(of: [13, 10, 13, 10]) else { return }
            buffer.removeSubrange(0..<end.upperBound)
            headSkipped = true
        }
        while let end = buffer.firstRange(of: separator) {
            let block = String(decoding: buffer[0..<end.lowerBound], as: UTF8.self)
            buffer.removeSubrange(0..<end.upperBound)
            var name = "message"
            var data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data += line.dropFirst(6) }
            }
            guard !data.isEmpty,
                  let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else { continue }
            events.append(Event(name: name, data: object))
        }
    }
}
