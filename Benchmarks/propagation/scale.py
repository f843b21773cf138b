"""Scale mode (`run --scale`): how many nodes of one kind this machine holds.

Per kind, starts --scale-step processes at a time (each joins a random running
node) up to --scale-max, and after every step waits until every node reports
every other one alive, then measures an idle window (CPU, UDP, RSS, open
descriptors, threads) and times a few user broadcasts. It stops at the first of:
the step does not converge within CONVERGE_TIMEOUT, the nodes alone use
CPU_LIMIT of the machine's cores while idle, or the next step would push the
machine's used memory (MemTotal - MemAvailable, other processes included) past
--scale-memory-gib. Every step is a row of scale.md; scale.png plots them."""

import json
import os
import sys
import time

from cluster import BROADCAST_TIMEOUT, Cluster
from machine import harness_cpu_seconds, loadavg, used_memory_gib
from nodes import SETTINGS
from report import scale_plot, scale_table

CONVERGE_TIMEOUT = 300.0
CPU_LIMIT = 0.9  # of os.cpu_count(), used by the nodes alone at idle
FIRST_STEP_RSS_MIB = 16.0  # memory estimate per process before one was measured (Go's RSS is 13 MiB)


class ScaleRun(Cluster):
    """One kind's cluster grown step by step; `result["steps"]` holds a row per step."""

    def __init__(self, kind, binaries, rng, counter, log, reader, settings, memory_limit_gib):
        super().__init__(f"{kind[0]}scal", [], binaries, rng, counter, log, reader, settings)
        self.kind, self.memory_limit_gib = kind, memory_limit_gib
        self.join_times = False  # convergence reads `members` only
        self.result.update({"kind": kind, "steps": [], "stopped": None})

    def grow(self, maximum, step, broadcasts, idle):
        per_node_mib = FIRST_STEP_RSS_MIB
        while len(self.nodes) < maximum:
            count = min(step, maximum - len(self.nodes))
            used_before = used_memory_gib()
            projected = used_before + count * per_node_mib * 1.25 / 1024
            if projected > self.memory_limit_gib:
                self.stop_because(f"memory: {count} more would bring the machine to about {projected:.1f} GiB used "
                                  f"(limit {self.memory_limit_gib:.0f} GiB)")
                return
            row = self.step(count, broadcasts, idle)
            self.result["steps"].append(row)
            self.log(f"  {row['nodes']} nodes: converged {row['converged']} in {row['converge_s']:.1f} s; "
                     f"RSS {row['rss_mean_mib']:.1f} MiB; idle CPU {row['idle_cores']:.2f} cores; "
                     f"broadcast to all max {row['broadcast_all_max_s']} s; used memory {row['used_memory_gib']:.1f} GiB")
            if not row["converged"]:
                self.stop_because(f"no convergence: after {CONVERGE_TIMEOUT:.0f} s {row['complete_views']} of "
                                  f"{row['nodes']} nodes saw all others")
                return
            if row["idle_cores"] >= CPU_LIMIT * os.cpu_count():
                self.stop_because(f"CPU: the idle nodes alone use {row['idle_cores']:.2f} of {os.cpu_count()} cores")
                return
            # What a node added to the machine's used memory in this step (its private pages,
            # page tables, socket buffers, the harness's bookkeeping), never less than its PSS.
            grown = (row["used_memory_gib"] - used_before) * 1024 / count
            per_node_mib = max(grown, row["pss_mean_mib"])
            row["used_memory_per_new_node_mib"] = grown
        self.stop_because(f"reached --scale-max {maximum}")

    def stop_because(self, reason):
        self.log(f"  stopped: {reason}")
        self.result["stopped"] = reason

    def step(self, count, broadcasts, idle):
        started = time.monotonic()
        harness_before = harness_cpu_seconds()
        for _ in range(count):
            via = self.rng.choice(self.nodes).address if self.nodes else None
            self.spawn(self.kind, via)
        spawned = time.monotonic()
        converged, complete = self.converge(CONVERGE_TIMEOUT)
        row = {"nodes": len(self.nodes), "spawn_s": spawned - started, "converged": converged,
               "converge_s": time.monotonic() - spawned, "complete_views": complete}
        time.sleep(3)  # the last alive messages finish retransmitting
        before = self.snapshot()
        time.sleep(idle)
        after = self.snapshot()
        usage = self.usage(before, after)
        minutes = usage["seconds"] / 60
        cpu = [(after["cpu"][name] - spent) / minutes for name, spent in before["cpu"].items()]
        memory = [n.memory_kib() for n in self.nodes]
        rss = [m["rss"] / 1024 for m in memory]
        pss = [m["pss"] / 1024 for m in memory]
        uss = [m["uss"] / 1024 for m in memory]
        fds = [n.open_descriptors() for n in self.nodes]
        row.update({
            "idle_cpu_s_per_node_min": usage["cpu_s_per_node_min"],
            "idle_cpu_s_per_node_min_max": max(cpu),
            "idle_cores": sum(cpu) / 60,
            "idle_udp_per_node_s": usage["datagrams"] / usage["seconds"] / len(self.nodes),
            "rss_mean_mib": sum(rss) / len(rss), "rss_max_mib": max(rss), "rss_total_gib": sum(rss) / 1024,
            "pss_mean_mib": sum(pss) / len(pss), "uss_mean_mib": sum(uss) / len(uss),
            "pss_total_gib": sum(pss) / 1024,
            "fds_mean": sum(fds) / len(fds), "fds_max": max(fds),
            "threads_max": max(n.threads() for n in self.nodes),
            "harness_fds": len(os.listdir("/proc/self/fd")),
            "used_memory_gib": used_memory_gib(), "load": loadavg(),
        })
        row.update(self.timed_broadcasts(broadcasts))
        with self.changed:
            names = {n.name for n in self.nodes}
            row["false_failures"] = sum(1 for n in self.nodes for (kind, subject) in n.seen
                                        if kind == "failed" and subject in names)
            row["suspicions"] = sum(1 for n in self.nodes for (kind, subject) in n.seen
                                    if kind == "suspected" and subject in names)
        row["harness_cpu_s"] = harness_cpu_seconds() - harness_before
        return row

    def converge(self, timeout):
        """Waits until every node reports all others alive; (done, nodes that do)."""
        deadline = time.monotonic() + timeout
        others = len(self.nodes) - 1
        while True:
            with self.changed:
                complete = sum(1 for n in self.nodes if len(n.members) == others)
            if complete == len(self.nodes):
                return True, complete
            if time.monotonic() > deadline:
                return False, complete
            time.sleep(0.25)

    def timed_broadcasts(self, count):
        alls = []
        for index in range(count):
            origin = self.rng.choice(self.nodes)
            payload = f"{self.label}-{len(self.nodes):04d}-b{index:03d}"
            observers = [n for n in self.nodes if n is not origin]
            start = time.monotonic()
            origin.broadcast(payload)
            arrivals = self.wait_observed(("user", payload), observers, BROADCAST_TIMEOUT)
            times = [None if t is None else t - start for t in arrivals.values()]
            alls.append(None if None in times else max(times))
            time.sleep(0.5)
        finite = sorted(t for t in alls if t is not None)
        return {"broadcast_all_median_s": round(finite[len(finite) // 2], 3) if finite else None,
                "broadcast_all_max_s": round(max(finite), 3) if len(finite) == len(alls) and finite else None,
                "broadcasts_incomplete": len(alls) - len(finite)}


def scale_main(args, binaries, rng, counter, reader, log, command, started):
    results = []
    for kind in args.kinds.split(","):
        log(f"scale: {kind}, steps of {args.scale_step} up to {args.scale_max}")
        run = ScaleRun(kind, binaries, rng, counter, log, reader, SETTINGS, args.scale_memory_gib)
        try:
            run.grow(args.scale_max, args.scale_step, args.scale_broadcasts, args.idle)
        except Exception as error:  # a node that did not start, ... : keep what was measured
            run.stop_because(f"error: {error}")
        finally:
            run.stop()
        results.append(run.result)
        with open(os.path.join(args.out, "scale.json"), "w") as f:
            json.dump({"command": command, "started": started, "settings": SETTINGS, "args": vars(args),
                       "results": results}, f)
    text = scale_table(results)
    with open(os.path.join(args.out, "scale.md"), "w") as f:
        f.write(f"`{command}`, started {started}, {os.cpu_count()} cores\n\n{text}\n")
    try:
        scale_plot(results, os.path.join(args.out, "scale.png"))
    except ImportError:
        print("matplotlib is missing (pip install matplotlib): no plot", file=sys.stderr)
    print(text)
    print(f"\nwritten to {args.out}")
