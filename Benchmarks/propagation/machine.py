"""The machine around the benchmark: load, CPU time of everything that ran, CPU
pressure and memory. The 2 cores are shared with other builds and test suites,
so every measurement window records how busy the machine was, and how much of
that was not the benchmark (machine CPU minus the nodes' and the harness's)."""

import os

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def busy_cpu_seconds():
    """CPU seconds every process on the machine has spent since boot (/proc/stat `cpu`
    line: all but idle and iowait; not namespaced, so others' builds count too)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def cpu_pressure_seconds():
    """Seconds in which some runnable task waited for a CPU (PSI `some total`), or None
    without /proc/pressure."""
    try:
        with open("/proc/pressure/cpu") as f:
            for line in f:
                if line.startswith("some "):
                    return int(line.rsplit("total=", 1)[1]) / 1e6
    except OSError:
        return None
    return None


def harness_cpu_seconds():
    t = os.times()
    return t.user + t.system


def used_memory_gib():
    """MemTotal - MemAvailable: what every process on the machine holds."""
    info = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, value = line.split(":", 1)
            info[key] = int(value.split()[0])
    return (info["MemTotal"] - info["MemAvailable"]) / (1 << 20)


def sample():
    return {"busy": busy_cpu_seconds(), "pressure": cpu_pressure_seconds(), "harness": harness_cpu_seconds()}


def others_between(before, after, seconds, nodes_cpu_seconds):
    """Cores used by processes outside the benchmark between two samples, and the share of
    the time some task waited for a CPU."""
    machine = after["busy"] - before["busy"]
    harness = after["harness"] - before["harness"]
    waited = None if before["pressure"] is None else (after["pressure"] - before["pressure"]) / seconds
    return {"machine_cores": machine / seconds, "other_cores": max(0.0, machine - harness - nodes_cpu_seconds) / seconds,
            "harness_cores": harness / seconds, "cpu_pressure": waited}
