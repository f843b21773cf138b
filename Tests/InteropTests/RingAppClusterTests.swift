import Foundation
import Glibc
import NetworkTestSupport
import Testing

/// Issue 10's done-when with the example application itself: three memberlistd nodes and
/// one `examples/ring_app.py` beside each, started as the README starts it.
extension ProcessClusterTests {
    @Suite(.serialized)
    struct RingAppClusterTests {
        static let keys = 1_000

        /// Waits until every app's latest routing of the keys has `owners` primary owners, the
        /// same placement digest as the others', and shares that add up to all the keys.
        static func waitForAgreement(_ apps: [RingAppProcess], owners: Int, timeout: Duration = .seconds(60)) async throws
            -> [RingAppProcess.Line] {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let latest = apps.compactMap { $0.latest("routed keys") }
                if latest.count == apps.count,
                   latest.allSatisfy({ $0.fields["primary_owners"] == "\(owners)" && $0.fields["total"] == "\(keys)" }),
                   Set(latest.map { $0.fields["digest"] ?? "" }).count == 1,
                   latest.compactMap({ Int($0.fields["owned_here"] ?? "") }).reduce(0, +) == keys {
                    return latest
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw TestError("apps did not agree on \(owners) owners:\n" + apps.map { "\($0.id):\n\($0.recent(4))" }.joined(separator: "\n"))
        }

        @Test(.timeLimit(.minutes(4)))
        func threeAppsShareKVAgreeOnOwnersAndTakeOverAKilledAppsKeys() async throws {
            let nodes = try await SidecarClusterTests.launchCluster("ra")
            var ports: [UInt16] = []
            for node in nodes { ports.append(try await SidecarClient.port(of: node)) }
            let clients = ports.map(SidecarClient.init)
            try await SidecarClusterTests.waitUntil("three alive members", clients) {
                try SidecarClusterTests.aliveMembers($0) == 3
            }
            let apps = try ports.enumerated().map { index, port in
                try RingAppProcess(id: "app-\(index)", sidecarPort: port, arguments: [
                    "--ring", "apps/ring", "--keys", "\(Self.keys)", "--tokens", "64", "--lease", "3",
                    "--reroute-seconds", "1", "--watch-kv", "demo/",
                ])
            }
            defer { for app in apps { app.killIfRunning() } }

            // Every app registers and sees all three in the ring: same digest, every key placed once.
            for app in apps { try await app.waitFor("registered") }
            let agreed = try await Self.waitForAgreement(apps, owners: 3)
            let shares = agreed.compactMap { Int($0.fields["owned_here"] ?? "") }
            #expect(shares.reduce(0, +) == Self.keys && shares.allSatisfy { $0 > 0 }, "\(shares)")

            // A KV put through node 0's sidecar reaches the watchers of the apps on nodes 1 and 2.
            for app in apps { try await app.waitFor("kv watch open") }
            let marks = apps.map(\.mark)
            let put = try clients[0].request("PUT", "/v1/kv/demo/greeting", body: Array("hello from app-0".utf8))
            #expect(put.code == 200, "\(put.code) \(put.body)")
            for (app, mark) in zip(apps, marks).dropFirst() {
                let seen = try await app.waitFor("kv put", from: mark) { $0.fields["key"] == "demo/greeting" }
                #expect(seen.fields["value"] == "hello from app-0", "\(seen.fields)")
                #expect(seen.fields["writer"] == nodes[0].name, "\(seen.fields)")
            }

            // app-2 dies without deregistering: its lease runs out, and the other two apps
            // route every key to themselves, again with one placement between them.
            await apps[2].kill()
            let after = try await Self.waitForAgreement(Array(apps.prefix(2)), owners: 2)
            let survivorShares = after.compactMap { Int($0.fields["owned_here"] ?? "") }
            // Consistent hashing: only app-2's keys move; each survivor keeps every key it had.
            #expect(survivorShares.reduce(0, +) == Self.keys && survivorShares[0] >= shares[0] && survivorShares[1] >= shares[1]
                    && survivorShares[0] + survivorShares[1] - shares[0] - shares[1] == shares[2],
                    "\(survivorShares), before \(shares)")
            #expect(after[0].fields["digest"] != agreed[0].fields["digest"])
            try await SidecarClusterTests.waitUntil("app-2 gone from every sidecar's ring", clients) {
                try SidecarClusterTests.instances($0) == ["app-0", "app-1"]
            }

            for app in apps.prefix(2) { await app.terminate() }
            for node in nodes { _ = await node.stop(SIGTERM) }
        }
    }
}
