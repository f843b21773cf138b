"""Unit tests of the benchmark harness's pure parts and its output reader.

python3 -m unittest discover -s Benchmarks/propagation -p 'test_*.py'"""

import importlib.machinery
import importlib.util
import math
import os
import sys
import random
import threading
import time
import types
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import cluster  # noqa: E402
from cluster import Cluster  # noqa: E402
from nodes import KINDS, SETTINGS, Node, go_argv, parse_logfmt, swift_argv, wall_seconds  # noqa: E402
from reader import OutputReader  # noqa: E402
from report import kv_table, node_clock_records, over_changes, rank, scale_table, table  # noqa: E402


def load_run():
    loader = importlib.machinery.SourceFileLoader("propagation_run", os.path.join(HERE, "run"))
    spec = importlib.util.spec_from_loader("propagation_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class LogLines(unittest.TestCase):
    def test_logfmt_unquotes_and_unescapes(self):
        fields = parse_logfmt('ts=2026-12-01T10:50:19.547Z msg="received user message" payload="a \\"b\\"" x=')
        self.assertEqual(fields["msg"], "received user message")
        self.assertEqual(fields["payload"], 'a "b"')
        self.assertEqual(fields["x"], "")

    def test_kv_key_changed_is_a_kv_observation_with_the_node_clock(self):
        node = types.SimpleNamespace(reported={})
        line = ('ts=1970-01-01T00:00:02.500Z level=info node=n msg="kv key changed" key=s0008-k000001 '
                'version=1 deleted=false value=s0008-v000001')
        self.assertEqual(Node._parse_swift(node, line, 0.0), ("kv", "s0008-k000001"))
        self.assertAlmostEqual(node.reported[("kv", "s0008-k000001")], 2.5)

    def test_wall_seconds_keeps_milliseconds(self):
        self.assertAlmostEqual(wall_seconds("1970-01-01T00:00:01.250Z"), 1.25)
        self.assertIsNone(wall_seconds("yesterday"))


class Settings(unittest.TestCase):
    def test_both_kinds_get_the_swept_gossip_settings(self):
        settings = dict(SETTINGS, gossip_interval="400ms", gossip_nodes=5)
        swift = swift_argv("memberlistd", "n", None, settings)
        go = go_argv("peer", "n", None, settings)
        self.assertIn("-memberlist.gossip-interval=400ms", swift)
        self.assertIn("-memberlist.gossip-nodes=5", swift)
        self.assertEqual(go[go.index("-gossip-interval") + 1], "400ms")
        self.assertEqual(go[go.index("-gossip-nodes") + 1], "5")

    def test_eager_kind_runs_memberlistd_with_the_flag(self):
        self.assertEqual(KINDS["swift-eager"], ("swift", ["-memberlist.eager-dissemination=true"]))

    def test_sweep_is_every_combination_and_mixed_alternates(self):
        run = load_run()
        args = type("Args", (), {"gossip_interval": "100ms,400ms", "gossip_nodes": "2,5"})()
        combos = [(s["gossip_interval"], s["gossip_nodes"]) for s in run.sweep_settings(args)]
        self.assertEqual(combos, [("100ms", 2), ("100ms", 5), ("400ms", 2), ("400ms", 5)])
        self.assertEqual(run.cluster_kinds("mixed-eager", 4), ["swift-eager", "go", "swift-eager", "go"])


class KVChanges(unittest.TestCase):
    """Cluster.kv_updates on stand-in nodes: no processes, the observations made by hand."""

    class Counter:
        def __init__(self):
            self.datagrams = 0

        def read(self):
            self.datagrams += 100
            return self.datagrams, self.datagrams * 50, self.datagrams

    class FakeNode:
        def __init__(self, cluster, index, kind):
            self.cluster, self.kind, self.family = cluster, kind, KINDS[kind][0]
            self.name, self.alive, self.seen, self.reported, self.puts = f"n{index}", True, {}, {}, []

        def cpu_seconds(self):
            return 0.0

        def kv_put(self, key, value):
            self.puts.append((key, value))
            if self.cluster.lost:
                return
            with self.cluster.changed:  # every other memberlistd node logs it; Go peers never do
                for other in self.cluster.nodes:
                    if other is not self and other.family == "swift":
                        other.seen[("kv", key)] = time.monotonic()
                self.cluster.changed.notify_all()

    def cluster(self, kinds):
        c = Cluster("m0004", kinds, {}, random.Random(1), self.Counter(), lambda _: None, None, SETTINGS)
        c.nodes = [self.FakeNode(c, i, kind) for i, kind in enumerate(kinds)]
        c.result["idle"] = {"datagrams": 10, "bytes": 500, "seconds": 1.0}
        c.lost = False
        return c

    def test_mixed_cluster_updates_come_from_and_reach_memberlistd_nodes_only(self):
        c = self.cluster(["swift", "go", "swift", "go", "swift"])
        c.kv_updates(6, 0)
        updates = c.result["kv_updates"]
        self.assertEqual(len(updates), 6)
        self.assertTrue(all(len(u["arrivals"]) == 2 and None not in u["arrivals"] for u in updates))
        self.assertEqual({u["origin"] for u in updates}, {"swift"})
        puts = [p for n in c.nodes for p in n.puts]
        self.assertEqual(sorted(k for k, _ in puts), [f"m0004-k{i:06d}" for i in range(6)])
        self.assertTrue(all(len(k) == len(v) == len("m0004-b000000") for k, v in puts))
        self.assertIn("datagrams_per_change", c.result["kv_busy"])

    def test_a_missed_delivery_that_comes_after_the_timeout_is_late(self):
        c = self.cluster(["swift", "swift", "swift"])
        c.lost = True
        timeout, cluster.KV_TIMEOUT = cluster.KV_TIMEOUT, 0.01
        try:
            c.kv_updates(1, 0)
        finally:
            cluster.KV_TIMEOUT = timeout
        record = c.result["kv_updates"][0]
        self.assertEqual(record["arrivals"], [None, None])
        _, observation, missing, _ = c.unsettled[0]
        missing[0].seen[observation] = time.monotonic()  # came by push/pull, say
        c.late_arrivals()
        self.assertGreater(record["late"][0], 0.01)
        self.assertIsNone(record["late"][1])

    def test_go_cluster_has_no_kv_updates(self):
        c = self.cluster(["go", "go"])
        c.kv_updates(5, 0)
        self.assertIsNone(c.result["kv_updates"])

    def test_kv_changes_default_to_the_broadcast_count(self):
        run = load_run()
        self.assertEqual(run.kv_change_count(types.SimpleNamespace(changes=7, kv_changes=None)), 7)
        self.assertEqual(run.kv_change_count(types.SimpleNamespace(changes=7, kv_changes=0)), 0)


class Statistics(unittest.TestCase):
    def test_a_missed_delivery_ranks_last(self):
        self.assertEqual(rank([0.2, None, 0.1], 0.5), 0.2)
        self.assertTrue(math.isinf(rank([0.2, None, 0.1], 1.0)))

    def test_time_to_fraction_over_changes(self):
        records = [{"arrivals": [0.1, 0.2, 0.3, 0.4]}, {"arrivals": [0.5, 0.6, 0.7, 0.8]}]
        self.assertEqual(over_changes(records, 0.5, 1.0), 0.6)
        self.assertEqual(over_changes(records, 1.0, 0.5), 0.4)

    def test_node_clocks_only_where_every_observer_logged_one(self):
        whole = [{"arrivals": [0.1, 0.2], "reported": [0.09, 0.19]}]
        mixed = [{"arrivals": [0.1, 0.2], "reported": [0.09]}]
        self.assertEqual(node_clock_records(whole), [{"arrivals": [0.09, 0.19]}])
        self.assertEqual(node_clock_records(mixed), [])


class Tables(unittest.TestCase):
    @staticmethod
    def result(kind, interval):
        return {"kind": kind, "nodes": 8, "settings": {"gossip_interval": interval, "gossip_nodes": 3},
                "broadcasts": [], "busy": None, "joins": [], "leaves": [], "kills": [],
                "idle": {"datagrams": 16, "seconds": 1, "cpu_s_per_node_min": 0.01},
                "rss_kib": [1024], "load_start": "0 0 0", "load_end": "0 0 0"}

    def test_columns_name_their_gossip_settings_only_in_a_sweep(self):
        alone = table([self.result("swift", "200ms")])
        swept = table([self.result("swift", "100ms"), self.result("go", "400ms")])
        self.assertIn("| memberlistd, 8 nodes |", alone)
        self.assertIn("memberlistd, 8 nodes, gossip 100ms × 3", swept)
        self.assertIn("Go memberlist, 8 nodes, gossip 400ms × 3", swept)

    def test_kv_table_is_n_a_for_go_and_times_the_updates(self):
        swift = dict(self.result("swift", "200ms"), kv_updates=[
            {"arrivals": [0.1, 0.2, 0.3], "reported": [0.1, 0.2, 0.3]},
            {"arrivals": [0.4, None, 0.6], "reported": [0.4, None, 0.6], "late": [12.5]}],
            kv_busy={"datagrams_per_change": 42.4, "bytes_per_change": 2048, "cpu_s_per_node_min": 0.5})
        go = dict(self.result("go", "200ms"), kv_updates=None, kv_busy=None)
        lines = kv_table([swift, go]).splitlines()
        self.assertEqual(lines[2], "| memberlistd, 8 nodes | 200 ms / 600 ms | 300 ms / never | 300 ms / never | "
                                   "300 ms / never | 1 of 6 (1 came later) | 42 / 2.0 KiB | 0.500 |")
        self.assertEqual(lines[3], "| Go memberlist, 8 nodes" + " | n/a" * 7 + " |")

    def test_scale_table_says_where_it_stopped(self):
        step = {"nodes": 100, "converge_s": 1.5, "rss_mean_mib": 7.25, "false_failures": 0}
        text = scale_table([{"kind": "go", "stopped": "memory: limit", "steps": [step]}])
        self.assertIn("**Go memberlist**, stopped: memory: limit", text)
        self.assertIn("| all see all, s after the step's last start | 1.5 |", text)
        self.assertIn("| RSS per node, mean MiB | 7.2 |", text)


class Reader(unittest.TestCase):
    def test_lines_split_across_reads_arrive_whole_and_stamped(self):
        reader = OutputReader()
        r, w = os.pipe()
        got, done = [], threading.Event()

        def on_lines(lines, stamp):
            got.extend((line, stamp) for line in lines)
            if lines and lines[-1] == b"last":
                done.set()

        reader.add(os.fdopen(r, "rb", buffering=0), on_lines)  # closed by the reader at EOF
        os.write(w, b"first li")
        os.write(w, b"ne\nsecond\nla")
        os.write(w, b"st\n")
        os.close(w)
        self.assertTrue(done.wait(10))
        self.assertEqual([line for line, _ in got], [b"first line", b"second", b"last"])
        stamps = [stamp for _, stamp in got]
        self.assertEqual(stamps, sorted(stamps))


if __name__ == "__main__":
    unittest.main()
