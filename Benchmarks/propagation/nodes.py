"""One benchmark node process (memberlistd or the Go memberlist peer) and what
it reports. Both kinds run with the same memberlist settings (SETTINGS, with
the sweep's gossip interval and gossip nodes) and are read the same way: the
shared OutputReader stamps every line with time.monotonic() when its bytes are
read, then the node parses it into an observation (kind, subject), e.g.
("user", payload), ("kv", key) or ("failed", node name)."""

import calendar
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

# The settings both kinds share (issue 11): memberlist's UDP transport, gossip
# 200ms to 3 nodes, retransmit factor 4, probe 1s / 500ms, memberlist's LAN
# suspicion multiplier and push/pull interval, user messages relayed once by
# every node (memberlistd does by default; the Go peer's delegate always does).
# `run --gossip-interval/--gossip-nodes` replace the first two for both kinds.
SETTINGS = {
    "gossip_interval": "200ms",
    "gossip_nodes": 3,
    "retransmit_mult": 4,
    "probe_interval": "1s",
    "probe_timeout": "500ms",
    "suspicion_mult": 4,
    "pushpull_interval": "30s",
    "leave_timeout": "5s",
}

# Node kinds: the binary they run and the flags that set them apart. `swift-eager` is
# memberlistd with -memberlist.eager-dissemination (ours, docs/propagation.md).
KINDS = {
    "swift": ("swift", []),
    "swift-eager": ("swift", ["-memberlist.eager-dissemination=true"]),
    "go": ("go", []),
}

SWIFT_EVENTS = {
    "received user message": "user",
    "kv key changed": "kv",  # logged with -memberlistd.stdin-commands (the Go peer has no such line)
    "member joined": "joined",
    "member left": "left",
    "member failed": "failed",
    "member suspected": "suspected",
}

GO_LEAVE_STATES = {"left": "left", "dead": "failed"}


LOGFMT_PAIR = re.compile(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)')
LOGFMT_ESCAPE = re.compile(r'\\(.)')


def parse_logfmt(line):
    """key=value pairs of one memberlistd log line (quoted values unescaped)."""
    fields = {}
    for key, value in LOGFMT_PAIR.findall(line):
        if value.startswith('"'):
            value = LOGFMT_ESCAPE.sub(r"\1", value[1:-1])
        fields[key] = value
    return fields


def wall_seconds(ts):
    """memberlistd's `ts=2026-12-01T10:50:19.547Z` as Unix seconds (None if malformed)."""
    try:
        whole, _, fraction = ts.rstrip("Z").partition(".")
        seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
        return seconds + (int(fraction) / 10 ** len(fraction) if fraction else 0)
    except ValueError:
        return None


def swift_argv(binary, name, join, settings):
    argv = [binary, "-memberlist.transport=udp", f"-memberlist.nodename={name}",
            "-memberlist.randomize-node-name=false", "-memberlist.bind-addr=127.0.0.1",
            "-memberlist.bind-port=0", "-memberlistd.stdin-commands=true",
            # The admin listener on a kernel-chosen loopback port and no sidecar listener:
            # their defaults (4040, 7980) can be bound by one process only.
            "-server.http-listen-address=127.0.0.1", "-server.http-listen-port=0",
            "-sidecar.listen-address=",
            f"-memberlist.gossip-interval={settings['gossip_interval']}",
            f"-memberlist.gossip-nodes={settings['gossip_nodes']}",
            f"-memberlist.retransmit-factor={settings['retransmit_mult']}",
            f"-memberlist.probe-interval={settings['probe_interval']}",
            f"-memberlist.probe-timeout={settings['probe_timeout']}",
            f"-memberlist.suspicion-mult={settings['suspicion_mult']}",
            f"-memberlist.pullpush-interval={settings['pushpull_interval']}",
            f"-memberlist.leave-timeout={settings['leave_timeout']}"]
    return argv + ([f"-memberlist.join={join}"] if join else [])


def go_argv(binary, name, join, settings):
    argv = [binary, "-name", name, "-bind-addr", "127.0.0.1", "-bind-port", "0",
            "-gossip-interval", settings["gossip_interval"],
            "-gossip-nodes", str(settings["gossip_nodes"]),
            "-retransmit-mult", str(settings["retransmit_mult"]),
            "-probe-interval", settings["probe_interval"],
            "-probe-timeout", settings["probe_timeout"],
            "-suspicion-mult", str(settings["suspicion_mult"]),
            "-pushpull-interval", settings["pushpull_interval"],
            "-leave-timeout", settings["leave_timeout"]]
    return argv + (["-join", join] if join else [])


class Node:
    """A running node. `seen` maps (kind, subject) to the first arrival time, `members`
    holds the other nodes it last reported alive, `reported` the node's own clock
    (Unix seconds) for user messages and KV updates where its output carries one
    (memberlistd's ts=)."""

    def __init__(self, kind, name, binaries, join, changed, reader, settings=SETTINGS, join_times=True):
        """`join_times=False` keeps joins out of `seen` (only in `members`): scale mode's
        thousand nodes would otherwise hold a million join stamps nobody reads."""
        self.kind, self.name = kind, name
        self.join_times = join_times
        self.family, extra = KINDS[kind]
        self.address = None
        self.ready = threading.Event()
        self.seen, self.members, self.reported = {}, set(), {}
        self._changed = changed  # threading.Condition notified after every batch of lines
        self.alive = True
        if self.family == "swift":
            argv = swift_argv(binaries["swift"], name, join, settings) + extra
            out, err = subprocess.DEVNULL, subprocess.PIPE
        else:
            argv = go_argv(binaries["go"], name, join, settings) + extra
            out, err = subprocess.PIPE, subprocess.DEVNULL
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out, stderr=err)
        self.pid = self.proc.pid
        self._parse = self._parse_swift if self.family == "swift" else self._parse_go
        reader.add(self.proc.stderr if self.family == "swift" else self.proc.stdout, self._lines)

    # -- output ---------------------------------------------------------------

    def _lines(self, lines, stamp):
        """A batch of output lines read at `stamp` (called on the reader thread)."""
        observations = []
        for raw in lines:
            try:
                observation = self._parse(raw.decode("utf-8", "replace"), stamp)
            except ValueError:
                continue
            if observation is not None:
                kind, subject = observation
                # Interned: a thousand nodes each report the same thousand names (scale mode).
                observations.append((kind, sys.intern(subject)) if isinstance(subject, str) else observation)
        if not observations:
            return
        with self._changed:
            for observation in observations:
                kind, subject = observation
                if kind != "joined" or self.join_times:
                    self.seen.setdefault(observation, stamp)
                if subject != self.name:
                    if kind == "joined":
                        self.members.add(subject)
                    elif kind in ("left", "failed"):
                        self.members.discard(subject)
            self._changed.notify_all()

    def _started(self, address, stamp):
        """The start line: listening on `address`, joining (if asked) from now on."""
        self.address, self.ready_at = address, stamp
        self.ready.set()

    def _parse_swift(self, line, stamp):
        fields = parse_logfmt(line)
        msg = fields.get("msg")
        if msg == "node started":
            return self._started(fields.get("advertise"), stamp)
        kind = SWIFT_EVENTS.get(msg)
        if kind in ("user", "kv"):
            subject = fields.get("payload" if kind == "user" else "key")
            reported = wall_seconds(fields.get("ts", ""))
            if reported is not None:
                self.reported.setdefault((kind, subject), reported)
            return (kind, subject)
        if kind:
            return (kind, fields.get("member"))
        return None

    def _parse_go(self, line, stamp):
        event = json.loads(line)
        kind = event.get("event")
        if kind == "ready":
            return self._started(event.get("addr"), stamp)
        if kind == "user":
            return ("user", event.get("payload"))
        if kind == "join":
            return ("joined", event.get("node"))
        if kind == "update" and event.get("state") == "suspect":
            return ("suspected", event.get("node"))
        if kind == "leave":
            state = GO_LEAVE_STATES.get(event.get("state"))
            return (state, event.get("node")) if state else None
        return None

    # -- commands -------------------------------------------------------------

    def command(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def broadcast(self, payload):
        self.command(f"broadcast {payload}")

    def kv_put(self, key, value):
        """A KV update (memberlistd's `kv-put`, the sidecar API's codec); the Go peer writes no
        memberlistd KV values, so only memberlistd nodes originate them."""
        if self.family != "swift":
            raise ValueError(f"{self.name}: only memberlistd writes KV updates")
        self.command(f"kv-put {key} {value}")

    def leave(self):
        # The Go peer's `leave` takes the timeout; memberlistd's uses its flag.
        self.command("leave" if self.family == "swift" else f"leave {SETTINGS['leave_timeout']}")

    def kill(self):
        self.alive = False
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait()
        # The reader closes the event stream at its end; the command pipe is ours to close
        # (a scale run of 1,000 processes otherwise keeps 1,000 descriptors).
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    # -- resources (from /proc) -----------------------------------------------

    def cpu_seconds(self):
        """utime + stime of the process, in seconds (/proc/PID/stat fields 14, 15)."""
        with open(f"/proc/{self.pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")

    def status_field(self, name):
        """A number from /proc/PID/status, e.g. VmRSS (KiB) or Threads; 0 if absent."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
        return 0

    def memory_kib(self):
        """RSS, PSS and USS (private pages) from /proc/PID/smaps_rollup. RSS counts the
        binary's pages once per process although every process of a kind shares them; PSS
        splits shared pages among their users, USS is what the process alone holds."""
        fields = {}
        with open(f"/proc/{self.pid}/smaps_rollup") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if rest.strip().endswith("kB"):
                    fields[key] = int(rest.split()[0])
        return {"rss": fields.get("Rss", 0), "pss": fields.get("Pss", 0),
                "uss": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)}

    def open_descriptors(self):
        """Open file descriptors of the process (entries of /proc/PID/fd)."""
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def threads(self):
        return self.status_field("Threads")
