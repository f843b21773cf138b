"""One benchmark cluster on loopback and the changes injected into it: user
broadcasts from a random node, KV updates from a random memberlistd node, joins,
graceful leaves and SIGKILLs. Every change records, per observing node, the
seconds from the change to the node's first report of it (None if it never
reported within the timeout)."""

import os
import threading
import time

from machine import loadavg, others_between, sample
from nodes import Node

FORMATION_TIMEOUT = 120.0
BROADCAST_TIMEOUT = 10.0
KV_TIMEOUT = BROADCAST_TIMEOUT
JOIN_TIMEOUT = 30.0
LEAVE_TIMEOUT = 30.0
DEAD_TIMEOUT = 90.0


class Cluster:
    def __init__(self, label, kinds, binaries, rng, counter, log, reader, settings):
        """`kinds` is the kind of each initial node in start order (the first is the seed).
        `label` has the same length for every cluster kind: node names and payloads travel
        in the packets, so their lengths must not differ between the kinds compared.
        `settings` are the memberlist settings of every node (nodes.SETTINGS or a sweep's)."""
        self.label, self.kinds, self.binaries = label, kinds, binaries
        self.rng, self.counter, self.log = rng, counter, log
        self.reader, self.settings = reader, settings
        self.changed = threading.Condition()
        self.nodes = []
        self.join_times = True  # stamps of every node's join reports (formation, joins)
        self.unsettled = []  # (record, observation, observers that missed it, start) of timed changes
        self.result = {"label": label, "nodes": len(kinds), "load_start": loadavg(),
                       "settings": {k: settings[k] for k in ("gossip_interval", "gossip_nodes")}}

    # -- processes ------------------------------------------------------------

    def spawn(self, kind, join):
        name = f"{self.label}-{len(self.nodes):04d}-{kind[0]}"
        node = Node(kind, name, self.binaries, join, self.changed, self.reader, self.settings, self.join_times)
        self.nodes.append(node)
        if not node.ready.wait(30):
            raise RuntimeError(f"{name} printed no ready/started line within 30 s")
        return node

    def live(self):
        return [n for n in self.nodes if n.alive]

    def stop(self):
        for node in self.nodes:
            if node.alive:
                node.kill()

    def wait_observed(self, key, observers, timeout):
        """Waits until every observer reported `key`; returns {name: arrival or None}."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not all(key in o.seen for o in observers):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.changed.wait(remaining)
            return {o.name: o.seen.get(key) for o in observers}

    def form(self):
        seed = self.spawn(self.kinds[0], None)
        for kind in self.kinds[1:]:
            self.spawn(kind, seed.address)
        started = time.monotonic()
        for node in self.nodes:
            others = [o for o in self.nodes if o is not node]
            for other in others:
                arrivals = self.wait_observed(("joined", node.name), [other],
                                              max(1.0, FORMATION_TIMEOUT - (time.monotonic() - started)))
                if arrivals[other.name] is None:
                    raise RuntimeError(f"cluster {self.label} did not form: {other.name} never saw {node.name}")
        self.result["formed_s"] = time.monotonic() - started
        # The pair that agreed last: which kind learned of which, how long after the subject started.
        slowest = max(((o.seen[("joined", n.name)] - n.ready_at, o, n) for n in self.nodes for o in self.nodes
                       if o is not n), key=lambda item: item[0])
        self.result["formation_slowest"] = {"seconds": slowest[0], "observer": slowest[1].name,
                                            "subject": slowest[2].name}

    # -- resources --------------------------------------------------------------

    def snapshot(self):
        nodes = self.live()
        return {"t": time.monotonic(), "traffic": self.counter.read(),
                "cpu": {n.name: n.cpu_seconds() for n in nodes}, "machine": sample()}

    def usage(self, before, after):
        """CPU seconds per node per minute between two snapshots, and the traffic delta."""
        minutes = (after["t"] - before["t"]) / 60
        names = [name for name in before["cpu"] if name in after["cpu"]]
        spent = sum(after["cpu"][n] - before["cpu"][n] for n in names)
        cpu = spent / len(names) / minutes
        datagrams = after["traffic"][0] - before["traffic"][0]
        payload = None if after["traffic"][1] is None else after["traffic"][1] - before["traffic"][1]
        snmp = after["traffic"][2] - before["traffic"][2]
        return {"seconds": after["t"] - before["t"], "cpu_s_per_node_min": cpu,
                "datagrams": datagrams, "bytes": payload, "snmp_datagrams": snmp,
                "machine": others_between(before["machine"], after["machine"], after["t"] - before["t"], spent)}

    # -- the run ----------------------------------------------------------------

    def run(self, changes, joins, leaves, kills, gap, idle, replace_killed=False, kv_changes=0):
        self.form()
        last = self.result["formation_slowest"]
        self.log(f"  formed in {self.result['formed_s']:.1f} s (last: {last['observer']} learned of "
                 f"{last['subject']} {last['seconds']:.1f} s after it started); idle {idle:.0f} s")
        time.sleep(3)  # the join gossip of the last nodes finishes retransmitting
        before = self.snapshot()
        time.sleep(idle)
        self.result["idle"] = self.usage(before, self.snapshot())
        if changes:
            self.broadcasts(changes, gap)
        else:
            self.result["busy"], self.result["broadcasts"] = None, []
        self.kv_updates(kv_changes, gap)
        memory = [n.memory_kib() for n in self.live()]
        self.result["rss_kib"] = [m["rss"] for m in memory]
        self.result["pss_kib"] = [m["pss"] for m in memory]
        self.result["rss_kinds"] = [n.kind for n in self.live()]
        self.joins(joins)
        self.leaves(leaves)
        self.kills(kills, replace_killed)
        self.late_arrivals()
        self.result["load_end"] = loadavg()
        self.stop()
        return self.result

    def broadcasts(self, changes, gap):
        """User broadcasts from random nodes, each awaited at every other node."""
        self.log(f"  {changes} broadcasts")

        def broadcast(origin, index):
            payload = f"{self.label}-b{index:06d}"
            origin.broadcast(payload)
            return ("user", payload)

        self.result["broadcasts"], self.result["busy"] = self.timed_changes(
            changes, gap, self.live, broadcast, BROADCAST_TIMEOUT)

    def kv_updates(self, changes, gap):
        """KV updates (`kv-put`, a new key each) from random memberlistd nodes, each awaited at
        every other memberlistd node's `kv key changed` line. A dskit KeyValuePair is a user
        message to the Go peer, which stores and relays it when it changed its store
        (Interop/go/peer), but it writes no `sidecar.bytes` values: in a mixed cluster Go
        peers only relay, and a Go cluster has no KV updates (None: n/a)."""
        def writers():
            return [n for n in self.live() if n.family == "swift"]

        if not writers():
            self.result["kv_busy"], self.result["kv_updates"] = None, None
            return
        if not changes:
            self.result["kv_busy"], self.result["kv_updates"] = None, []
            return
        self.log(f"  {changes} KV updates")

        def put(origin, index):
            # Key and value as long as a broadcast's payload, for every cluster kind.
            key = f"{self.label}-k{index:06d}"
            origin.kv_put(key, f"{self.label}-v{index:06d}")
            return ("kv", key)

        self.result["kv_updates"], self.result["kv_busy"] = self.timed_changes(
            changes, gap, writers, put, KV_TIMEOUT)

    def timed_changes(self, count, gap, candidates, make, timeout):
        """`count` changes, one at a time, each `gap` s after the previous reached every
        observer or timed out: `make(origin, index)` makes one at a random node of
        `candidates()` and returns the observation every other candidate reports. Returns
        the records and the window's usage with what the changes added to the idle traffic."""
        records = []
        before = self.snapshot()
        for index in range(count):
            nodes = candidates()
            origin = self.rng.choice(nodes)
            observers = [n for n in nodes if n is not origin]
            cpu_before = sum(n.cpu_seconds() for n in self.live())
            machine_before = sample()
            wall_start = time.time()
            start = time.monotonic()
            observation = make(origin, index)
            arrivals = self.wait_observed(observation, observers, timeout)
            # How busy the machine was meanwhile, and with what (10 ms CPU ticks; PSI in µs).
            machine = others_between(machine_before, sample(), time.monotonic() - start,
                                     sum(n.cpu_seconds() for n in self.live()) - cpu_before)
            # The nodes' own clocks where their output has one (memberlistd's ts=, ms
            # resolution): what the harness adds by stamping on arrival.
            with self.changed:
                reported = [o.reported.get(observation) for o in observers if o.family == "swift"]
            records.append({"origin": origin.kind, "arrivals": self.since(arrivals, start),
                            "reported": [None if t is None else t - wall_start for t in reported],
                            "machine": machine})
            missing = [o for o in observers if arrivals[o.name] is None]
            if missing:
                self.unsettled.append((records[-1], observation, missing, start))
            time.sleep(gap)
        busy = self.usage(before, self.snapshot())
        idle = self.result["idle"]
        # What the changes added to the idle traffic (probes, acks), per change.
        extra = busy["datagrams"] - idle["datagrams"] / idle["seconds"] * busy["seconds"]
        busy["datagrams_per_change"] = extra / count
        if busy["bytes"] is not None:
            extra_bytes = busy["bytes"] - idle["bytes"] / idle["seconds"] * busy["seconds"]
            busy["bytes_per_change"] = extra_bytes / count
        return records, busy

    def late_arrivals(self):
        """Each delivery a timed change missed within its timeout gets `late`: seconds after
        the change at which it came after all, by the end of the cluster's run (None: never).
        Push/pull carries the KV state, so a KV update gossip missed still arrives; a user
        message it missed never does (memberlist-wire.md 4.2, dskit-kv-ring.md 3.3)."""
        with self.changed:
            for record, observation, missing, start in self.unsettled:
                record["late"] = [None if observation not in o.seen else o.seen[observation] - start for o in missing]

    def joins(self, count):
        self.log(f"  {count} joins")
        records = []
        for index in range(count):
            kind = self.kinds[index % len(self.kinds)] if len(set(self.kinds)) > 1 else self.kinds[0]
            via = self.rng.choice(self.live())
            observers = self.live()
            node = self.spawn(kind, via.address)
            arrivals = self.wait_observed(("joined", node.name), observers, JOIN_TIMEOUT)
            records.append({"target": kind, "arrivals": self.since(arrivals, node.ready_at)})
        self.result["joins"] = records

    def pick_target(self):
        return self.rng.choice(self.live()[1:])  # never the seed

    @staticmethod
    def since(arrivals, start):
        """Arrival stamps as seconds after `start`, None where a node never reported."""
        return [None if t is None else t - start for t in arrivals.values()]

    def depart(self, act, kind, timeout):
        """Makes a random non-seed node go (`act(node)`) and waits until the others report
        `kind` about it; returns the node, the observers, their arrivals and the start."""
        target = self.pick_target()
        observers = [n for n in self.live() if n is not target]
        start = time.monotonic()
        act(target)
        arrivals = self.wait_observed((kind, target.name), observers, timeout)
        return target, observers, self.since(arrivals, start), start

    def leaves(self, count):
        self.log(f"  {count} graceful leaves")
        records = []
        for _ in range(count):
            target, _, arrivals, _ = self.depart(lambda node: node.leave(), "left", LEAVE_TIMEOUT)
            target.kill()  # the Go peer keeps running after `leave`; memberlistd has exited
            records.append({"target": target.kind, "arrivals": arrivals})
        self.result["leaves"] = records

    def kills(self, count, replace):
        """SIGKILLs one random node at a time; with `replace` a new node of the same
        kind joins after each, so every kill sees the same cluster size."""
        self.log(f"  {count} SIGKILLs" + (", each replaced" if replace else ""))
        records = []
        for _ in range(count):
            target, observers, arrivals, start = self.depart(lambda node: node.kill(), "failed", DEAD_TIMEOUT)
            with self.changed:
                suspected = [o.seen.get(("suspected", target.name)) for o in observers]
            records.append({
                "target": target.kind,
                "arrivals": arrivals,
                "observer_kinds": [o.kind for o in observers],
                "first_suspected": min((t - start for t in suspected if t is not None), default=None),
            })
            if replace:
                joined = self.spawn(target.kind, self.rng.choice(self.live()).address)
                self.wait_observed(("joined", joined.name), observers, JOIN_TIMEOUT)
        self.result["kills"] = records
