"""Statistics, the markdown table and the PNG plot of a benchmark run."""

import math

KIND_LABELS = {"swift": "memberlistd", "go": "Go memberlist", "mixed": "mixed ½+½"}


def rank(values, fraction):
    """Nearest-rank percentile; None (never observed) sorts last as infinity."""
    ordered = sorted(math.inf if v is None else v for v in values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def reach(record, fraction):
    """Seconds until `fraction` of the observing nodes reported the change."""
    return rank(record["arrivals"], fraction)


def over_changes(records, fraction, percentile):
    return rank([reach(r, fraction) for r in records], percentile)


def ms(seconds):
    return "never" if seconds is None or math.isinf(seconds) else f"{seconds * 1000:.0f} ms"


def sec(seconds):
    return "never" if seconds is None or math.isinf(seconds) else f"{seconds:.2f} s"


def broadcast_rows(b, busy):
    missed = sum(1 for r in b for t in r["arrivals"] if t is None)
    rows = []
    for label, fraction in (("50%", 0.5), ("99%", 0.99), ("100%", 1.0)):
        rows.append((f"broadcast to {label} of nodes, median / p99",
                     f"{ms(over_changes(b, fraction, 0.5))} / {ms(over_changes(b, fraction, 0.99))}"))
    rows.append(("broadcast deliveries missed (10 s)", f"{missed} of {sum(len(r['arrivals']) for r in b)}"))
    rows.append(("UDP datagrams per broadcast", f"{busy['datagrams_per_change']:.0f}"))
    if busy.get("bytes_per_change") is not None:
        rows.append(("UDP payload bytes per broadcast", f"{busy['bytes_per_change'] / 1024:.1f} KiB"))
    return rows


def rows_for(result):
    b, busy, idle = result["broadcasts"], result["busy"], result["idle"]
    rows = broadcast_rows(b, busy) if b else []
    rows.append(("idle UDP datagrams per node per s", f"{idle['datagrams'] / idle['seconds'] / result['nodes']:.2f}"))
    for key, title in (("joins", "join seen by all, median / max"), ("leaves", "graceful leave seen by all, median / max")):
        if result[key]:
            alls = [reach(r, 1.0) for r in result[key]]
            rows.append((title, f"{ms(rank(alls, 0.5))} / {ms(max(alls))}"))
    if result["kills"]:
        alls = [reach(r, 1.0) for r in result["kills"]]
        halves = [reach(r, 0.5) for r in result["kills"]]
        rows.append((f"SIGKILLed node dead to all others, median / max of {len(alls)}",
                     f"{sec(rank(alls, 0.5))} / {sec(max(alls))}"))
        rows.append(("SIGKILLed node dead to 50% of others, median", sec(rank(halves, 0.5))))
    cpu = f"{idle['cpu_s_per_node_min']:.3f}"
    if busy:
        cpu += f" / {busy['cpu_s_per_node_min']:.3f}"
    rows.append(("CPU s per node per minute, idle / broadcasting", cpu))
    rss = result["rss_kib"]
    rows.append(("RSS per node, mean / max", f"{sum(rss) / len(rss) / 1024:.1f} / {max(rss) / 1024:.1f} MiB"))
    rows.append(("load average at start / end", f"{result['load_start']} / {result['load_end']}"))
    return rows


def table(results):
    """One markdown table: a column per cluster (kind, N), a row per metric."""
    columns = [f"{KIND_LABELS[r['kind']]}, {r['nodes']} nodes" for r in results]
    per_column = [dict(rows_for(r)) for r in results]
    metrics = []
    for r in results:
        for name, _ in rows_for(r):
            if name not in metrics:
                metrics.append(name)
    lines = ["| | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for metric in metrics:
        lines.append(f"| {metric} | " + " | ".join(c.get(metric, "") for c in per_column) + " |")
    return "\n".join(lines)


def kill_breakdown(results):
    """Who declares a SIGKILLed node dead how fast, by observer kind (mixed clusters)."""
    lines = []
    for r in results:
        for kill in r["kills"]:
            by_kind = {}
            for kind, t in zip(kill["observer_kinds"], kill["arrivals"]):
                by_kind.setdefault(kind, []).append(t)
            parts = [f"{KIND_LABELS[k]} observers median {sec(rank(v, 0.5))} max {sec(rank(v, 1.0))}"
                     for k, v in sorted(by_kind.items())]
            first = kill["first_suspected"]
            lines.append(f"- {KIND_LABELS[r['kind']]}, {r['nodes']} nodes, {KIND_LABELS[kill['target']]} killed: "
                         + "; ".join(parts)
                         + (f"; first memberlistd suspicion after {sec(first)}" if first is not None else ""))
    return "\n".join(lines)


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted({r["nodes"] for r in results})
    fig, axes = plt.subplots(len(sizes), 2, figsize=(11, 3.6 * len(sizes)), squeeze=False)
    colors = {"swift": "tab:orange", "go": "tab:blue", "mixed": "tab:green"}
    for row, n in enumerate(sizes):
        left, right = axes[row]
        for r in (r for r in results if r["nodes"] == n):
            times = sorted(reach(b, 1.0) * 1000 for b in r["broadcasts"]) or [math.inf]
            finite = [t for t in times if not math.isinf(t)]
            left.plot(finite, [(i + 1) / len(times) for i in range(len(finite))],
                      label=KIND_LABELS[r["kind"]], color=colors[r["kind"]])
            kills = [reach(k, 1.0) for k in r["kills"]]
            x = list(r["kind"] for _ in kills)
            right.scatter([KIND_LABELS[k] for k in x], kills, color=colors[r["kind"]])
        left.set_title(f"{n} nodes: user broadcast reaches every node")
        left.set_xlabel("ms after the broadcast")
        left.set_ylabel("fraction of broadcasts")
        left.grid(alpha=0.3)
        left.legend(loc="lower right")
        right.set_title(f"{n} nodes: SIGKILLed node declared dead by all others")
        right.set_ylabel("s after SIGKILL")
        right.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
