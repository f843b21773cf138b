import Foundation
import NetworkTestSupport
import Testing

extension ProcessClusterTests {
    /// The admin listener of a live 3-node `memberlistd` cluster: `/memberlist`
    /// and `/ring` rendered by headless Chromium and read back from the DOM as
    /// a person would see them; `/metrics` counters move while gossip flows;
    /// `/ready` answers 200 once the node joined (issue 9 item 5).
    @Suite struct AdminPagesBrowserTests {
        @Test func pagesOfALiveClusterRenderInChromium() async throws {
            let first = try await MemberlistdProcess.launch(name: "web-a", transport: "tcp")
            let second = try await MemberlistdProcess.launch(name: "web-b", transport: "tcp", join: [first.address])
            let third = try await MemberlistdProcess.launch(name: "web-c", transport: "tcp", join: [first.address])
            for node in [second, third] {
                try await first.waitForLog("member joined", ["member": node.name], from: 0)
            }
            try await third.waitForLog("member joined", ["member": second.name], from: 0)
            let port = try await Self.httpPort(of: first)
            let thirdPort = try await Self.httpPort(of: third)
            try await third.waitForLog("joined memberlist cluster", from: 0)
            #expect(try HTTPTestClient.get(port: thirdPort, "/ready").code == 200)

            let page = try Self.chromium(["--dump-dom", "http://127.0.0.1:\(port)/memberlist"])
            let rows = Self.tableRows(page, id: "members")
            #expect(rows.map { $0.first ?? "" } == ["web-a", "web-b", "web-c"])
            #expect(rows.allSatisfy { $0.count == 3 && $0[2] == "Alive (0)" && $0[1].hasPrefix("127.0.0.1:") })
            #expect(page.contains("<b id=\"member-count\">3</b>"))
            #expect(page.contains("Message history buffer is disabled"))

            let ring = try Self.chromium(["--dump-dom", "http://127.0.0.1:\(port)/ring"])
            #expect(ring.contains("<h1>Ring Status</h1>"))

            let screenshot = FileManager.default.temporaryDirectory.appendingPathComponent("memberlistd-memberlist-page.png")
            try? FileManager.default.removeItem(at: screenshot)
            _ = try Self.chromium(["--screenshot=\(screenshot.path)", "--window-size=1200,900",
                                   "http://127.0.0.1:\(port)/memberlist"])
            let png = try Data(contentsOf: screenshot)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))

            // Gossip keeps flowing: the received-packet counter grows between two scrapes.
            let before = try Self.counter(port: port, "pyroscope_memberlist_tcp_transport_packets_received_total")
            let deadline = ContinuousClock.now + .seconds(10)
            var after = before
            while after <= before, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                after = try Self.counter(port: port, "pyroscope_memberlist_tcp_transport_packets_received_total")
            }
            #expect(after > before)
            #expect(try Self.counter(port: port, "pyroscope_memberlist_client_cluster_members_count") == 3)
            for node in [third, second, first] { _ = await node.stop(SIGTERM) }
        }

        /// The port of a node's "http listening" line (it binds port 0).
        static func httpPort(of node: MemberlistdProcess) async throws -> UInt16 {
            let line = try await node.waitForLog("http listening", from: 0)
            guard let address = line["addr"], let colon = address.lastIndex(of: ":"),
                  let port = UInt16(address[address.index(after: colon)...]) else {
                throw GoPeerError.launchFailed("no HTTP address in \(line["_line"] ?? "")")
            }
            return port
        }

        /// One unlabelled sample of `/metrics`.
        static func counter(port: UInt16, _ name: String) throws -> Double {
            let text = try HTTPTestClient.get(port: port, "/metrics").body
            for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
                if let value = Double(line.dropFirst(name.count + 1)) { return value }
            }
            throw GoPeerError.launchFailed("no series \(name) in /metrics")
        }

        /// Runs headless Chromium and returns its standard output.
        static func chromium(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
            let profile = FileManager.default.temporaryDirectory.appendingPathComponent("memberlistd-chromium-\(getpid())")
            process.arguments = ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile.path)"] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw GoPeerError.launchFailed("chromium exited with \(process.terminationStatus)")
            }
            return String(decoding: data, as: UTF8.self)
        }

        /// The text of each cell of each body row of the table with `id`, as the DOM holds it.
        static func tableRows(_ dom: String, id: String) -> [[String]] {
            guard let table = dom.firstRange(of: "<table id=\"\(id)\">"),
                  let bodyStart = dom[table.upperBound...].firstRange(of: "<tbody>"),
                  let bodyEnd = dom[bodyStart.upperBound...].firstRange(of: "</tbody>") else { return [] }
            let body = dom[bodyStart.upperBound..<bodyEnd.lowerBound]
            return body.components(separatedBy: "<tr>").dropFirst().map { row in
                row.components(separatedBy: "<td>").dropFirst().map { cell in
                    String(cell.prefix { $0 != "<" })
                }
            }
        }
    }
}
