"""One benchmark node process (memberlistd or the Go memberlist peer) and what
it reports. Both kinds run with the same memberlist settings (SETTINGS) and are
read the same way: one reader thread per process stamps every output line with
time.monotonic() the moment it arrives, then parses it into an observation
(kind, subject), e.g. ("user", payload) or ("failed", node name)."""

import json
import os
import signal
import subprocess
import threading
import time

# The settings both kinds share (issue 11): memberlist's UDP transport, gossip
# 200ms to 3 nodes, retransmit factor 4, probe 1s / 500ms, memberlist's LAN
# suspicion multiplier and push/pull interval, user messages relayed once by
# every node (memberlistd does by default; the Go peer's delegate always does).
SETTINGS = {
    "gossip_interval": "200ms",
    "gossip_nodes": 3,  # the Go peer has no flag: memberlist's LAN default is 3
    "retransmit_mult": 4,
    "probe_interval": "1s",
    "probe_timeout": "500ms",
    "suspicion_mult": 4,
    "pushpull_interval": "30s",
    "leave_timeout": "5s",
}

SWIFT_EVENTS = {
    "received user message": "user",
    "member joined": "joined",
    "member left": "left",
    "member failed": "failed",
    "member suspected": "suspected",
}

GO_LEAVE_STATES = {"left": "left", "dead": "failed"}


def parse_logfmt(line):
    """key=value pairs of one memberlistd log line (quoted values unescaped)."""
    fields, i, n = {}, 0, len(line)
    while i < n:
        while i < n and line[i] == " ":
            i += 1
        eq = line.find("=", i)
        if eq < 0:
            break
        key, j, value = line[i:eq], eq + 1, []
        if j < n and line[j] == '"':
            j += 1
            while j < n and line[j] != '"':
                if line[j] == "\\" and j + 1 < n:
                    j += 1
                value.append(line[j])
                j += 1
            j += 1
        else:
            while j < n and line[j] != " ":
                value.append(line[j])
                j += 1
        fields[key] = "".join(value)
        i = j
    return fields


class Node:
    """A running node; `seen` maps (kind, subject) to the first arrival time."""

    def __init__(self, kind, name, binary, join, changed):
        self.kind, self.name = kind, name
        self.address = None
        self.ready = threading.Event()
        self.seen = {}
        self._changed = changed  # threading.Condition notified on every observation
        self.alive = True
        if kind == "swift":
            argv = [binary, "-memberlist.transport=udp", f"-memberlist.nodename={name}",
                    "-memberlist.randomize-node-name=false", "-memberlist.bind-addr=127.0.0.1",
                    "-memberlist.bind-port=0", "-memberlistd.stdin-commands=true",
                    f"-memberlist.gossip-interval={SETTINGS['gossip_interval']}",
                    f"-memberlist.gossip-nodes={SETTINGS['gossip_nodes']}",
                    f"-memberlist.retransmit-factor={SETTINGS['retransmit_mult']}",
                    f"-memberlist.probe-interval={SETTINGS['probe_interval']}",
                    f"-memberlist.probe-timeout={SETTINGS['probe_timeout']}",
                    f"-memberlist.suspicion-mult={SETTINGS['suspicion_mult']}",
                    f"-memberlist.pullpush-interval={SETTINGS['pushpull_interval']}",
                    f"-memberlist.leave-timeout={SETTINGS['leave_timeout']}"]
            if join:
                argv.append(f"-memberlist.join={join}")
            out, err = subprocess.DEVNULL, subprocess.PIPE
        else:
            argv = [binary, "-name", name, "-bind-addr", "127.0.0.1", "-bind-port", "0",
                    "-gossip-interval", SETTINGS["gossip_interval"],
                    "-retransmit-mult", str(SETTINGS["retransmit_mult"]),
                    "-probe-interval", SETTINGS["probe_interval"],
                    "-probe-timeout", SETTINGS["probe_timeout"],
                    "-suspicion-mult", str(SETTINGS["suspicion_mult"]),
                    "-pushpull-interval", SETTINGS["pushpull_interval"],
                    "-leave-timeout", SETTINGS["leave_timeout"]]
            if join:
                argv += ["-join", join]
            out, err = subprocess.PIPE, subprocess.DEVNULL
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out, stderr=err)
        self.pid = self.proc.pid
        stream = self.proc.stderr if kind == "swift" else self.proc.stdout
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    # -- output ---------------------------------------------------------------

    def _read(self, stream):
        parse = self._parse_swift if self.kind == "swift" else self._parse_go
        for raw in iter(stream.readline, b""):
            stamp = time.monotonic()
            try:
                observation = parse(raw.decode("utf-8", "replace").rstrip("\n"), stamp)
            except ValueError:
                continue
            if observation is None:
                continue
            with self._changed:
                self.seen.setdefault(observation, stamp)
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
        if kind == "user":
            return ("user", fields.get("payload"))
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

    def leave(self):
        # The Go peer's `leave` takes the timeout; memberlistd's uses its flag.
        self.command("leave" if self.kind == "swift" else f"leave {SETTINGS['leave_timeout']}")

    def kill(self):
        self.alive = False
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait()

    # -- resources (from /proc) -----------------------------------------------

    def cpu_seconds(self):
        """utime + stime of the process, in seconds (/proc/PID/stat fields 14, 15)."""
        with open(f"/proc/{self.pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0
