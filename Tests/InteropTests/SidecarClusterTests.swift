import Foundation
import Glibc
import NetworkTestSupport
import Testing

/// The sidecar API's done-when (issue 10) on three real memberlistd processes, the test
/// acting as the applications next to them.
extension ProcessClusterTests {
    @Suite(.serialized)
    struct SidecarClusterTests {
        static let ring = "apps%2Fring"

        static func launchCluster(_ prefix: String) async throws -> [MemberlistdProcess] {
            let extra = ["-memberlistd.ring.heartbeat-period=1s"]
            let first = try await MemberlistdProcess.launch(name: "\(prefix)0", transport: "tcp", extra: extra)
            var nodes = [first]
            for index in 1...2 {
                nodes.append(try await MemberlistdProcess.launch(name: "\(prefix)\(index)", transport: "tcp",
                                                                 join: [first.address], extra: extra))
            }
            return nodes
        }

        /// Waits until `check` holds for every client.
        static func waitUntil(_ what: String, _ clients: [SidecarClient], timeout: Duration = .seconds(30),
                              _ check: (SidecarClient) throws -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if try clients.allSatisfy(check) { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TestError("timed out waiting for \(what)")
        }

        static func aliveMembers(_ client: SidecarClient) throws -> Int {
            let members = try client.json("GET", "/v1/members").value as? [[String: Any]] ?? []
            return members.filter { $0["state"] as? String == "alive" }.count
        }

        /// Instance IDs of the ring as one sidecar sees it, in any state or only ACTIVE.
        static func instances(_ client: SidecarClient, activeOnly: Bool = false) throws -> Set<String> {
            let (code, value) = try client.json("GET", "/v1/ring/\(ring)")
            guard code == 200, let instances = (value as? [String: Any])?["instances"] as? [[String: Any]] else { return [] }
            return Set(instances.filter { !activeOnly || $0["state"] as? String == "ACTIVE" }.compactMap { $0["id"] as? String })
        }

        /// The owner IDs (rf = 2) of `key` as one sidecar places it.
        static func owners(_ client: SidecarClient, _ key: String) throws -> [String] {
            let (code, value) = try client.json("GET", "/v1/ring/\(ring)/owners?key=\(key)&rf=2")
            guard code == 200, let owners = (value as? [String: Any])?["owners"] as? [[String: Any]] else {
                throw TestError("owners of \(key): \(code) \(value)")
            }
            return owners.compactMap { $0["id"] as? String }
        }

        static func register(_ client: SidecarClient, _ id: String, lease: Int) throws -> Int {
            try client.request("PUT", "/v1/ring/\(ring)/instances/\(id)", body: Array(
                "{\"address\":\"127.0.0.1:\(9000 + client.port % 1000)\",\"tokens\":32,\"lease_seconds\":\(lease)}".utf8)).code
        }

        /// A KV put through one sidecar reaches the watchers of the other two; three apps
        /// register, all sidecars agree on the owners of 1,000 keys; one app stops renewing,
        /// its lease expires and its keys move to the others everywhere.
        @Test func kvWatchersRingOwnersAndLeaseExpiryAcrossThreeNodes() async throws {
            let nodes = try await Self.launchCluster("sc")
            var clients: [SidecarClient] = []
            for node in nodes { clients.append(SidecarClient(port: try await SidecarClient.port(of: node))) }
            try await Self.waitUntil("three alive members", clients) { try Self.aliveMembers($0) == 3 }

            // KV: watchers on nodes 1 and 2 see a put made through node 0.
            let watchers = try clients[1...].map { try SidecarEventStream(port: $0.port, target: "/v1/kv/watch?prefix=app/") }
            let put = try clients[0].request("PUT", "/v1/kv/app/config", body: Array("blue".utf8))
            #expect(put.code == 200 && put.headers["etag"] == "\"1\"")
            for watcher in watchers {
                let event = try await watcher.waitFor("put") { $0["key"] as? String == "app/config" }
                #expect(event.data["value"] as? String == "Ymx1ZQ==")
                #expect(event.data["version"] as? Int == 1)
            }
            // A stale If-Match is refused everywhere once the write arrived.
            try await Self.waitUntil("the value on every node", clients) { try $0.request("GET", "/v1/kv/app/config").body == "blue" }
            #expect(try clients[2].request("PUT", "/v1/kv/app/config", body: [1], headers: "If-Match: \"0\"\r\n").code == 412)

            // Rings: one app per sidecar.
            let ids = ["app-0", "app-1", "app-2"]
            for (client, id) in zip(clients, ids) { #expect(try Self.register(client, id, lease: 4) == 201) }
            try await Self.waitUntil("three ACTIVE instances everywhere", clients) {
                try Self.instances($0, activeOnly: true) == Set(ids)
            }

            let keys = (0..<1000).map { "user-\($0)" }
            var before: [String: [String]] = [:]
            for (index, key) in keys.enumerated() {
                if index % 100 == 0 { for (client, id) in zip(clients, ids) { #expect(try Self.register(client, id, lease: 4) == 200) } }
                let placements = try clients.map { try Self.owners($0, key) }
                #expect(placements[0].count == 2, "rf=2 gives two owners")
                #expect(placements.allSatisfy { $0 == placements[0] }, "\(key): \(placements)")
                before[key] = placements[0]
            }
            let ownedByTwo = keys.filter { before[$0]?.first == "app-2" }
            #expect(ownedByTwo.count > 50, "app-2 owns a share of the keys")

            // app-2 stops: apps 0 and 1 keep renewing, app-2's lease runs out on node 2, which
            // turns it LEAVING, then removes it; every sidecar ends with the other two only.
            let mark = nodes[2].logMark
            let survivors = Array(zip(clients, ids).prefix(2))
            let deadline = ContinuousClock.now + .seconds(30)
            while try !clients.allSatisfy({ try Self.instances($0) == ["app-0", "app-1"] }) {
                guard ContinuousClock.now < deadline else { throw TestError("app-2 did not leave the ring everywhere") }
                for (client, id) in survivors { #expect(try Self.register(client, id, lease: 4) == 200) }
                try await Task.sleep(for: .milliseconds(300))
            }
            try await nodes[2].waitForLog("sidecar ring instance left", ["instance": "app-2"], from: mark)
            #expect(try clients.allSatisfy { try Self.instances($0, activeOnly: true) == ["app-0", "app-1"] })
            for (index, key) in keys.enumerated() {
                if index % 100 == 0 { for (client, id) in survivors { _ = try Self.register(client, id, lease: 4) } }
                let placements = try clients.map { try Self.owners($0, key) }
                #expect(placements.allSatisfy { $0 == placements[0] }, "\(key): \(placements)")
                #expect(!placements[0].contains("app-2"))
                if before[key]?.first != "app-2" {
                    #expect(placements[0].first == before[key]?.first, "keys of the others stay put: \(key)")
                }
            }
            for node in nodes.reversed() { _ = await node.stop(SIGTERM) }
        }

        /// Malformed, oversized and slow requests get 4xx JSON answers or are cut off, while
        /// gossip goes on (the node's packet counter keeps moving) and good requests are served.
        @Test func badAndSlowClientsDoNotStopGossip() async throws {
            let nodes = try await Self.launchCluster("scbad")
            let port = try await SidecarClient.port(of: nodes[0])
            let client = SidecarClient(port: port)
            try await Self.waitUntil("three alive members", [client]) { try Self.aliveMembers($0) == 3 }
            let adminPort = try await AdminPagesBrowserTests.httpPort(of: nodes[0])
            let packets = "pyroscope_memberlist_tcp_transport_packets_received_total"
            let before = try AdminPagesBrowserTests.counter(port: adminPort, packets)

            // Slow clients: half a request each, held open.
            let slow = try (0..<8).map { _ in try HTTPTestClient(port: port) }
            for connection in slow { connection.send("PUT /v1/kv/slow HTTP/1.1\r\nContent-Le") }

            let cases: [(String, Int)] = [
                ("GARBAGE\r\n\r\n", 400),
                ("GET /v1/members HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 20000))\r\n\r\n", 431),
                ("PUT /v1/kv/big HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n", 413),
                ("PUT /v1/ring/r/instances/i HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{\"a\":", 400),
                ("PUT /v1/ring/r/instances/i HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\n{\"address\":1.5}", 400),
                ("GET /v1/ring/r/owners?key=a&rf=0 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                ("PUT /v1/kv/k HTTP/1.1\r\nHost: x\r\nIf-Match: soon\r\nContent-Length: 1\r\n\r\nx", 400),
                ("POST /v1/broadcast?encoding=base64 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n!!!", 400),
                ("DELETE /v1/members HTTP/1.1\r\nHost: x\r\n\r\n", 405),
                ("GET /v2/members HTTP/1.1\r\nHost: x\r\n\r\n", 404),
            ]
            for (request, code) in cases {
                let connection = try HTTPTestClient(port: port)
                connection.send(request)
                let response = try #require(connection.readResponses(1).responses.first, "answer to \(request.prefix(40))")
                #expect(response.code == code, "\(request.prefix(40))")
                #expect(response.headers["content-type"] == "application/json")
                let body = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
                #expect(body?["error"] is String && body?["detail"] is String, "\(response.body)")
            }
            // A flood of good requests is served while the slow clients wait.
            for index in 0..<300 {
                #expect(try client.request("PUT", "/v1/kv/flood/\(index % 10)", body: [UInt8(index % 256)]).code == 200)
            }
            try await Self.waitUntil("gossip packets while serving", [client]) { _ in
                try AdminPagesBrowserTests.counter(port: adminPort, packets) > before + 20
            }
            #expect(try Self.aliveMembers(client) == 3)
            for node in nodes.reversed() { _ = await node.stop(SIGTERM) }
        }
    
        /// `-sidecar.listen-address=unix:PATH`: the API answers on the socket file, which the
        /// node removes when it stops.
        @Test func theAPIServesOnAUnixSocket() async throws {
            let directory = try TestFiles.makeDirectory("sidecar-unix")
            let path = directory.appendingPathComponent("sidecar.sock").path
            let node = try await MemberlistdProcess.launch(name: "scunix0", transport: "tcp",
                                                           extra: ["-sidecar.listen-address=unix:\(path)"])
            try await node.waitForLog("sidecar listening", ["addr": "unix:\(path)"], from: 0)
            let put = try Self.unixRequest(path, "PUT /v1/kv/app/u HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
            #expect(put.hasPrefix("HTTP/1.1 200 OK\r\n") && put.contains("ETag: \"1\""), "\(put)")
            let get = try Self.unixRequest(path, "GET /v1/members HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(get.hasPrefix("HTTP/1.1 200 OK\r\n") && get.contains("\"name\":\"scunix0\""), "\(get)")
            #expect(await node.stop(SIGTERM) == 0)
            #expect(!FileManager.default.fileExists(atPath: path))
        }

        /// One request on a fresh Unix-socket connection; the whole answer until the server closes.
        static func unixRequest(_ path: String, _ request: String) throws -> String {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestError("socket(AF_UNIX): errno \(errno)") }
            defer { close(fd) }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else { throw TestError("connect(\(path)): errno \(errno)") }
            let bytes = Array(request.utf8)
            guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
                throw TestError("write to \(path) failed")
            }
            var answer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                answer.append(contentsOf: chunk[0..<count])
            }
            return String(decoding: answer, as: UTF8.self)
        }
    }
}
