"""Statistics, the markdown table and the PNG plot of a benchmark run."""

import math

KIND_LABELS = {"swift": "memberlistd", "swift-eager": "memberlistd eager", "go": "Go memberlist",
               "mixed": "mixed ½+½", "mixed-eager": "mixed eager ½+½"}
COLORS = {"swift": "tab:orange", "swift-eager": "tab:red", "go": "tab:blue", "mixed": "tab:green",
          "mixed-eager": "tab:olive"}
DEFAULT_GOSSIP = {"gossip_interval": "200ms", "gossip_nodes": 3}  # results.json written before the sweeps


def gossip(result):
    settings = result.get("settings", DEFAULT_GOSSIP)
    return f"gossip {settings['gossip_interval']} × {settings['gossip_nodes']}"


def column(result, with_settings):
    label = f"{KIND_LABELS[result['kind']]}, {result['nodes']} nodes"
    return f"{label}, {gossip(result)}" if with_settings else label


def swept(results):
    """Whether the results differ in gossip settings (then every column names its own)."""
    return len({gossip(r) for r in results}) > 1


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


FRACTIONS = (("50%", 0.5), ("99%", 0.99), ("100%", 1.0))


def median_p99(records, fraction):
    """Time to `fraction` of the observers: median and p99 over the changes."""
    return f"{ms(over_changes(records, fraction, 0.5))} / {ms(over_changes(records, fraction, 0.99))}"


def missed(records):
    """Deliveries that never came within the timeout, of all awaited, and how many of those
    came later, by the end of the cluster's run (runs that recorded it: `late`)."""
    never = sum(1 for r in records for t in r["arrivals"] if t is None)
    text = f"{never} of {sum(len(r['arrivals']) for r in records)}"
    late = [t for r in records for t in r.get("late", [])]
    if late:
        text += f" ({sum(1 for t in late if t is not None)} came later)"
    return text


def per_change(busy):
    """UDP datagrams and payload bytes a change added to the idle traffic."""
    return f"{busy['datagrams_per_change']:.0f} / {busy.get('bytes_per_change', 0) / 1024:.1f} KiB"


def broadcast_rows(b, busy):
    rows = [(f"broadcast to {label} of nodes, median / p99", median_p99(b, fraction)) for label, fraction in FRACTIONS]
    rows.append(("broadcast deliveries missed (10 s)", missed(b)))
    own = node_clock_records(b)
    if own:
        rows.append(("broadcast to 100%, memberlistd's own log clocks (1 ms), median / p99", median_p99(own, 1.0)))
    rows.append(("UDP datagrams per broadcast", f"{busy['datagrams_per_change']:.0f}"))
    if busy.get("bytes_per_change") is not None:
        rows.append(("UDP payload bytes per broadcast", f"{busy['bytes_per_change'] / 1024:.1f} KiB"))
    return rows


def node_clock_records(records):
    """The broadcasts as the observers' own clocks saw them, where every observer logged
    one (clusters of memberlistd only): arrivals from the `ts=` of their log lines."""
    if not records or any(len(r.get("reported", [])) != len(r["arrivals"]) for r in records):
        return []
    return [{"arrivals": r["reported"]} for r in records]


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
    if result.get("pss_kib"):
        pss = result["pss_kib"]
        rows.append(("PSS per node (shared pages split), mean", f"{sum(pss) / len(pss) / 1024:.1f} MiB"))
    rows.append(("load average at start / end", f"{result['load_start']} / {result['load_end']}"))
    if "machine" in idle:
        phases = [idle["machine"]] + ([busy["machine"]] if busy else [])
        rows.append(("other processes' CPU, cores, idle / broadcasting",
                     " / ".join(f"{m['other_cores']:.2f}" for m in phases)))
        if idle["machine"]["cpu_pressure"] is not None:
            rows.append(("time some task waited for a CPU (PSI), idle / broadcasting",
                         " / ".join(f"{m['cpu_pressure'] * 100:.0f}%" for m in phases)))
    return rows


def complete(records):
    """The broadcasts that reached every observer."""
    return [r for r in records if None not in r["arrivals"]]


def summary(results):
    """One line per cluster with the measures the issue's targets name."""
    lines = ["| cluster | to all, median / p99 | p99 of the complete ones | missed deliveries | datagrams / "
             "bytes per broadcast | dead to all, median | CPU s/node/min idle / busy | RSS/node | others' cores |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        b, busy, idle = r["broadcasts"], r["busy"], r["idle"]
        cells = [column(r, swept(results))]
        if b:
            whole = complete(b)
            cells += [median_p99(b, 1.0),
                      f"{ms(over_changes(whole, 1.0, 0.99)) if whole else 'never'} ({len(whole)} of {len(b)})",
                      missed(b), per_change(busy)]
        else:
            cells += ["", "", "", ""]
        kills = [reach(k, 1.0) for k in r["kills"]]
        cells.append(sec(rank(kills, 0.5)) if kills else "")
        cells.append(f"{idle['cpu_s_per_node_min']:.3f} / {busy['cpu_s_per_node_min']:.3f}" if busy
                     else f"{idle['cpu_s_per_node_min']:.3f}")
        cells.append(f"{sum(r['rss_kib']) / len(r['rss_kib']) / 1024:.1f} MiB")
        phase = busy or idle
        cells.append(f"{phase['machine']['other_cores']:.2f}" if "machine" in phase else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def kv_table(results):
    """One row per cluster: KV updates (`kv-put`) to 50/99/100% of the other memberlistd
    nodes, median and p99 over the updates, and their traffic; n/a where no node writes
    KV values (Go clusters), "–" where none were run."""
    lines = ["| cluster | to 50%, median / p99 | to 99%, median / p99 | to 100%, median / p99 | to 100%, own log "
             "clocks, median / p99 | missed deliveries | datagrams / bytes per update | CPU s/node/min |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        updates, busy = r.get("kv_updates"), r.get("kv_busy")
        cells = [column(r, swept(results))]
        if updates is None:
            cells += ["n/a"] * 7
        elif not updates:
            cells += ["–"] * 7
        else:
            own = node_clock_records(updates)
            cells += [median_p99(updates, fraction) for _, fraction in FRACTIONS]
            cells += [median_p99(own, 1.0) if own else "", missed(updates), per_change(busy),
                      f"{busy['cpu_s_per_node_min']:.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table(results):
    """Markdown tables: one per cluster size and gossip setting, a column per cluster, a row per metric."""
    groups = []
    for r in results:
        if (r["nodes"], gossip(r)) not in groups:
            groups.append((r["nodes"], gossip(r)))
    if swept(results):  # a sweep compares settings: one table per size
        groups = sorted({n for n, _ in groups}, key=[n for n, _ in groups].index)
        return "\n\n".join(metric_table([r for r in results if r["nodes"] == n], True) for n in groups)
    return "\n\n".join(metric_table([r for r in results if (r["nodes"], gossip(r)) == g], False) for g in groups)


def metric_table(results, with_settings):
    """One markdown table: a column per cluster (kind, N), a row per metric."""
    columns = [column(r, with_settings) for r in results]
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
            lines.append(f"- {column(r, swept(results))}, {KIND_LABELS[kill['target']]} killed: "
                         + "; ".join(parts)
                         + (f"; first memberlistd suspicion after {sec(first)}" if first is not None else ""))
    return "\n".join(lines)


MS_TICKS = (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


def plot(results, path):
    """CDFs of time to all per cluster size (log ms axis: eager is 10-100× faster) and the
    kills; a sweep of gossip settings gets sweep_plot instead."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    if swept(results):
        return sweep_plot(results, path, plt)
    sizes = sorted({r["nodes"] for r in results})
    fig, axes = plt.subplots(len(sizes), 2, figsize=(11, 3.6 * len(sizes)), squeeze=False,
                             gridspec_kw={"width_ratios": [3, 2]})
    for row, n in enumerate(sizes):
        left, right = axes[row]
        for r in (r for r in results if r["nodes"] == n):
            times = sorted(reach(b, 1.0) * 1000 for b in r["broadcasts"]) or [math.inf]
            finite = [t for t in times if not math.isinf(t)]
            left.plot(finite, [(i + 1) / len(times) for i in range(len(finite))],
                      label=KIND_LABELS[r["kind"]], color=COLORS[r["kind"]])
            kills = [reach(k, 1.0) for k in r["kills"]]
            right.scatter([KIND_LABELS[r["kind"]].replace(" ", "\n", 1)] * len(kills), kills,
                          color=COLORS[r["kind"]])
        left.set_title(f"{n} nodes: broadcast reaches every node", fontsize=10)
        left.set_xscale("log")
        left.xaxis.set_major_locator(FixedLocator(MS_TICKS))
        left.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        left.xaxis.set_minor_locator(NullLocator())
        left.set_xlabel("ms after the broadcast (log scale)")
        left.set_ylabel("fraction of broadcasts")
        left.grid(alpha=0.3)
        left.legend(loc="upper left", fontsize=8)
        right.set_title(f"{n} nodes: SIGKILLed node dead to all", fontsize=10)
        right.set_ylabel("s after SIGKILL")
        right.tick_params(axis="x", labelsize=8)
        right.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def sweep_plot(results, path, plt):
    """Per kind, time to all (median and p99 of the complete broadcasts) and datagrams per
    broadcast against the gossip setting, one group of panels per cluster size."""
    sizes = sorted({r["nodes"] for r in results})
    fig, axes = plt.subplots(len(sizes), 2, figsize=(11, 3.8 * len(sizes)), squeeze=False)
    for row, n in enumerate(sizes):
        left, right = axes[row]
        settings = []
        for r in results:
            if r["nodes"] == n and gossip(r) not in settings:
                settings.append(gossip(r))
        labels = [s.replace("gossip ", "") for s in settings]
        for kind in dict.fromkeys(r["kind"] for r in results):
            mine = {gossip(r): r for r in results if r["nodes"] == n and r["kind"] == kind}
            xs = [i for i, s in enumerate(settings) if s in mine and mine[s]["broadcasts"]]
            if not xs:
                continue
            whole = [complete(mine[settings[i]]["broadcasts"]) for i in xs]
            color = COLORS[kind]
            left.plot(xs, [over_changes(w, 1.0, 0.5) * 1000 for w in whole], marker="o", color=color,
                      label=f"{KIND_LABELS[kind]}, median")
            left.plot(xs, [over_changes(w, 1.0, 0.99) * 1000 for w in whole], marker="^", linestyle="--",
                      color=color, label=f"{KIND_LABELS[kind]}, p99")
            right.plot(xs, [mine[settings[i]]["busy"]["datagrams_per_change"] for i in xs], marker="o",
                       color=color, label=KIND_LABELS[kind])
        for ax in (left, right):
            ax.set_xticks(range(len(settings)))
            ax.set_xticklabels(labels)
            ax.set_xlabel("gossip interval × gossip nodes")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
        left.set_title(f"{n} nodes: broadcast reaches every node", fontsize=10)
        left.set_ylabel("ms (broadcasts that reached all)")
        right.set_title(f"{n} nodes: UDP datagrams per broadcast", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# -- scale mode ---------------------------------------------------------------

SCALE_ROWS = (
    ("nodes", "nodes", "{}"),
    ("converge_s", "all see all, s after the step's last start", "{:.1f}"),
    ("broadcast_all_median_s", "broadcast to all, median s", "{}"),
    ("broadcast_all_max_s", "broadcast to all, max s", "{}"),
    ("idle_cpu_s_per_node_min", "idle CPU s per node per min, mean", "{:.3f}"),
    ("idle_cpu_s_per_node_min_max", "idle CPU s per node per min, max", "{:.3f}"),
    ("idle_cores", "idle CPU of all nodes, cores", "{:.2f}"),
    ("idle_udp_per_node_s", "idle UDP datagrams per node per s", "{:.2f}"),
    ("rss_mean_mib", "RSS per node, mean MiB", "{:.1f}"),
    ("rss_max_mib", "RSS per node, max MiB", "{:.1f}"),
    ("rss_total_gib", "RSS of all nodes, GiB (shared pages counted per node)", "{:.2f}"),
    ("pss_mean_mib", "PSS per node, mean MiB (shared pages split)", "{:.1f}"),
    ("uss_mean_mib", "USS per node, mean MiB (private pages)", "{:.1f}"),
    ("pss_total_gib", "PSS of all nodes, GiB", "{:.2f}"),
    ("fds_max", "open descriptors per node, max", "{}"),
    ("threads_max", "threads per node, max", "{}"),
    ("false_failures", "live nodes declared dead (all observers)", "{}"),
    ("suspicions", "live nodes suspected (all observers)", "{}"),
    ("used_memory_gib", "machine memory used, GiB", "{:.1f}"),
    ("used_memory_per_new_node_mib", "machine memory used per node added in the step, MiB", "{:.1f}"),
    ("harness_cpu_s", "harness CPU s in the step", "{:.0f}"),
    ("harness_fds", "harness open descriptors", "{}"),
    ("load", "load average after the idle window", "{}"),
)


def scale_table(results):
    """A table per kind: a column per step, a row per measure, and where it stopped."""
    parts = []
    for r in results:
        steps = r["steps"]
        parts.append(f"**{KIND_LABELS[r['kind']]}**, stopped: {r['stopped']}\n")
        if not steps:
            continue
        lines = ["| | " + " | ".join(str(s["nodes"]) for s in steps) + " |", "|---|" + "---|" * len(steps)]
        for key, title, fmt in SCALE_ROWS[1:]:
            cells = ["–" if s.get(key) is None else fmt.format(s[key]) for s in steps]
            lines.append(f"| {title} | " + " | ".join(cells) + " |")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def scale_plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = (("pss_mean_mib", "PSS per node (MiB; shared pages split)"), ("idle_cores", "idle CPU of all nodes (cores)"),
              ("converge_s", "all see all after the step (s)"), ("broadcast_all_max_s", "broadcast to all, max (s)"))
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    for ax, (key, title) in zip(axes.flat, panels):
        for r in results:
            points = [(s["nodes"], s[key]) for s in r["steps"] if s.get(key) is not None]
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                    label=KIND_LABELS[r["kind"]], color=COLORS[r["kind"]])
        ax.set_title(title)
        ax.set_xlabel("nodes on this machine (2 cores)")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
