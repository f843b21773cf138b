import Foundation
import Glibc
import NetworkTestSupport
import Testing

extension FaultSuite {
    /// memberlistd deployed as issue 8 describes it: the runtime image's binary
    /// (`scripts/build-image --export`, no OS) run chrooted, one host per node on
    /// a bridge, the cluster DNS (dnsmasq) on a host of its own, names resolved
    /// by c-ares from the root's /etc/resolv.conf (no glibc NSS in the image).
    @Suite(.serialized) struct SidecarTopologyFaultTests {
        static let domain = "lab.test"
        static let service = "_memberlist._tcp.\(domain)"

        /// Pyroscope's `memberlist:` block for node `name` (dskit-kv-ring.md §8 keys):
        /// joins by SRV, TLS with scripts/make-test-certs' PKI (the leaf's SAN is
        /// `memberlist-node`, hence `tls_server_name`), rejoins every 3 s, and short
        /// dead-node and join timings so the scenario fits in a minute.
        static func config(_ name: String) -> String {
            """
            memberlist:
              node_name: \(name)
              randomize_node_name: false
              bind_port: 7946
              cluster_label: lab-sidecar
              join_members:
                - dnssrv+\(service)
              abort_if_cluster_fast_join_fails: false
              abort_if_cluster_join_fails: true
              min_join_backoff: 200ms
              max_join_backoff: 1s
              max_join_retries: 10
              rejoin_interval: 3s
              gossip_interval: 200ms
              gossip_nodes: 3
              pull_push_interval: 10s
              gossip_to_dead_nodes_time: 3s
              stream_timeout: 2s
              packet_dial_timeout: 1s
              packet_write_timeout: 2s
              leave_timeout: 2s
              tls_enabled: true
              tls_cert_path: \(ImageRoot.filesDirectory)/node.pem
              tls_key_path: \(ImageRoot.filesDirectory)/node.key
              tls_ca_path: \(ImageRoot.filesDirectory)/ca.pem
              tls_server_name: memberlist-node
            server:
              http_listen_port: 4040

            """
        }

        /// Flags beside the file: the probe timings have no Pyroscope key (ours, and
        /// dskit hard-codes memberlist's LAN 1 s / 500 ms); stdin commands give the
        /// test the member list; debug logs show each rejoin's outcome.
        static func arguments(_ name: String) -> [String] {
            ["-config.file=\(ImageRoot.filesDirectory)/\(name).yaml", "-memberlist.probe-interval=1s",
             "-memberlist.probe-timeout=500ms", "-memberlistd.stdin-commands", "-log.level=debug"]
        }

        @Test(.timeLimit(.minutes(10)))
        func convergesLosesALinkPastSuspicionAndRejoins() async throws {
            let exported = try ImageRoot.exportedFiles()
            #expect(exported == ["/etc/ssl/certs/ca-certificates.crt", ImageRoot.binary],
                    "the image holds the binary and CA bundle only: \(exported)")

            let lab = try NetworkLab(nodeCount: 3, dnsHost: true)
            defer { lab.remove() }
            let names = (0..<3).map(LabCluster.name)
            let dns = try await DnsmasqServer(
                hosts: Dictionary(uniqueKeysWithValues: names.enumerated().map { ("\($1).\(Self.domain)", [lab.address($0)]) }),
                services: names.map { DnsmasqServer.Service(Self.service, target: "\($0).\(Self.domain)", port: 7946) },
                localDomain: Self.domain, placement: .namespace(lab.dnsNamespace, address: NetworkLab.dnsAddress))
            defer { dns.stop() }
            var files: [String: String] = [:]
            for certificate in ["node.pem", "node.key", "ca.pem"] {
                files[certificate] = try String(contentsOfFile: try TestFiles.certificate(certificate), encoding: .utf8)
            }
            for name in names { files["\(name).yaml"] = Self.config(name) }
            let image = try ImageRoot(nameserver: NetworkLab.dnsAddress, files: files)
            defer { image.remove() }

            let started = ContinuousClock.now
            var nodes: [LabNode] = []
            for (index, name) in names.enumerated() {
                nodes.append(try await LabNode.launch(lab, index, image: image, name: name, arguments: Self.arguments(name)))
            }
            let cluster = LabCluster(lab: lab, nodes: nodes)
            try await cluster.waitUntilAllAlive(nodes.indices, timeout: .seconds(30))
            print("sidecar topology: 3 alive everywhere \(ContinuousClock.now - started) after the first start")
            for index in nodes.indices {
                let metrics = try PrometheusTextParser(try lab.httpGet(from: index, "http://\(lab.address(index)):4040/metrics"))
                let served = metrics.values("pyroscope_memberlistd_tls_handshakes_total", ["role": "server", "session": "full"])
                #expect(served.reduce(0, +) > 0, "\(names[index]) served TLS: \(served)")
            }

            // n2's cable goes: both sides declare the other dead (suspicion timeout
            // 4 × 1 s at three nodes, memberlist-wire.md §7.5).
            let isolated = 2, others = [0, 1]
            let downMarks = nodes.map(\.logMark)
            let down = ContinuousClock.now
            try lab.setLink(isolated, up: false)
            for index in others {
                try await nodes[index].waitForLog("member failed", member: names[isolated], since: downMarks[index])
            }
            for index in others {
                try await nodes[isolated].waitForLog("member failed", member: names[index], since: downMarks[isolated])
            }
            print("sidecar topology: n2 declared dead \(ContinuousClock.now - down) after its link went down")
            // Each side forgets the other (gossip_to_dead_nodes_time): from here on
            // only a join brings them together again (PartitionFaultTests says why).
            for index in others {
                try await nodes[index].waitForMembers("n2 reaped", timeout: .seconds(30)) { $0[names[isolated]] == nil }
            }
            try await nodes[isolated].waitForMembers("n0 and n1 reaped", timeout: .seconds(30)) { members in
                others.allSatisfy { members[names[$0]] == nil }
            }
            // Cut off, n2's rejoins reach only itself: DNS is unreachable (the last
            // answer is kept) and so are the peers it names.
            try await nodes[isolated].waitForLog("join address lookup failed", since: downMarks[isolated])
            try await nodes[isolated].waitForLog("rejoined memberlist cluster", containing: "reached_nodes=1",
                                                 since: downMarks[isolated])

            let upMark = nodes[isolated].logMark
            let up = ContinuousClock.now
            try lab.setLink(isolated, up: true)
            try await nodes[isolated].waitForLog("rejoined memberlist cluster", containing: "reached_nodes=3", since: upMark,
                                                 timeout: .seconds(15))
            try await cluster.waitUntilAllAlive(nodes.indices, timeout: .seconds(30))
            print("sidecar topology: 3 alive everywhere again \(ContinuousClock.now - up) after the link came back")

            dns.stop()
            let leaks = await cluster.tearDown()
            #expect(leaks.isEmpty, "\(leaks)")
            #expect(image.processesInside.isEmpty, "no process left in the root: \(image.processesInside)")
            #expect(image.mountsLeft.isEmpty, "no mount left: \(image.mountsLeft)")
            image.remove()
            #expect(!FileManager.default.fileExists(atPath: image.path.path))
        }

        /// `memberlistd` started with exactly the memberlist arguments of Pyroscope's
        /// Helm chart, joining through the headless Service's name as the cluster DNS
        /// serves it. The arguments are those of
        /// grafana/pyroscope operations/pyroscope/helm/pyroscope/templates/deployments-statefulsets.yaml,
        /// `-memberlist.cluster-label={{ .Release.Namespace }}-{{ include "pyroscope.fullname" . }}`
        /// and `-memberlist.join=dns+{{ include "pyroscope.fullname" . }}-memberlist.{{ .Release.Namespace }}.svc{{ .Values.pyroscope.cluster_domain }}:{{ .Values.pyroscope.memberlist.port }}`,
        /// as the chart's own rendered/single-binary.yaml renders them for chart
        /// pyroscope-1.6.1, release `pyroscope-dev` in namespace `default`
        /// (cluster_domain `.cluster.local.`, memberlist port 7946); the template's
        /// memberlist lines are unchanged through chart 1.18.1. The chart's other
        /// arguments (`-target`, `-config.file`, `-runtime-config.file`, ...) are
        /// Pyroscope's own. Nothing else is passed: each pod binds 0.0.0.0:7946 in its
        /// own network namespace, advertises its pod address and names itself after
        /// the hostname with a random suffix, as in the chart; the resolver is the
        /// root's /etc/resolv.conf, as Kubernetes writes it.
        @Test(.timeLimit(.minutes(10)))
        func helmChartArgumentsJoinThroughTheHeadlessServiceName() async throws {
            let service = "pyroscope-dev-memberlist.default.svc.cluster.local"
            let chartArguments = [
                "-memberlist.cluster-label=default-pyroscope-dev",
                "-memberlist.join=dns+\(service).:7946",
            ]
            let lab = try NetworkLab(nodeCount: 3, dnsHost: true)
            defer { lab.remove() }
            // The headless Service (publishNotReadyAddresses) has an A record per pod
            // (hosts-file lines: `hosts:` gives a name one IPv4 address only).
            let dns = try await DnsmasqServer(hostsFileLines: (0..<3).map { "\(lab.address($0)) \(service)" },
                                              localDomain: "cluster.local",
                                              placement: .namespace(lab.dnsNamespace, address: NetworkLab.dnsAddress))
            defer { dns.stop() }
            let image = try ImageRoot(nameserver: NetworkLab.dnsAddress, files: [:])
            defer { image.remove() }

            // Two pods form the cluster; the third joins it.
            var pods: [LabNode] = []
            for index in 0..<2 {
                pods.append(try await LabNode.launch(lab, index, image: image, name: "pod-\(index)", arguments: chartArguments))
            }
            let first = try #require(pods[0].memberName), second = try #require(pods[1].memberName)
            try await pods[0].waitForLog("member joined", member: second, since: 0)
            try await pods[1].waitForLog("member joined", member: first, since: 0)

            let joining = ContinuousClock.now
            pods.append(try await LabNode.launch(lab, 2, image: image, name: "pod-2", arguments: chartArguments))
            let third = try #require(pods[2].memberName)
            try await pods[2].waitForLog("fast join finished", since: 0)
            for name in [first, second] { try await pods[2].waitForLog("member joined", member: name, since: 0) }
            for pod in pods.prefix(2) { try await pod.waitForLog("member joined", member: third, since: 0) }
            print("helm chart arguments: pod-2 joined the 2-pod cluster in \(ContinuousClock.now - joining)")
            var hostname = [CChar](repeating: 0, count: 256)
            gethostname(&hostname, hostname.count - 1)
            let names = Set([first, second, third])
            #expect(names.count == 3 && names.allSatisfy { $0.hasPrefix(String(cString: hostname) + "-") },
                    "the hostname with a random suffix, distinct: \(names)")

            dns.stop()
            let leaks = await LabCluster(lab: lab, nodes: pods).tearDown()
            #expect(leaks.isEmpty, "\(leaks)")
            #expect(image.processesInside.isEmpty, "no process left in the root: \(image.processesInside)")
            #expect(image.mountsLeft.isEmpty, "no mount left: \(image.mountsLeft)")
        }
    }
}
