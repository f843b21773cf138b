#!/usr/bin/env python3
"""An application that uses memberlistd as its sidecar (issue 10), standard library only.

It registers itself as an instance of a hash ring through the sidecar's API and renews
its lease, routes keys to their owners with GET /v1/ring/{ring}/owners, and re-routes
whenever the membership changes (GET /v1/members/watch, server-sent events). With
--watch-kv it also follows the sidecar's KV values under a prefix (GET /v1/kv/watch). On SIGTERM
or Ctrl-C it deletes its instance (the sidecar turns it LEAVING, then removes it); if it
dies without that, its lease runs out and the sidecar does the same.

    python3 examples/ring_app.py --sidecar http://127.0.0.1:7980 --id app-0
"""
import argparse
import base64
import hashlib
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


class Sidecar:
    """The few calls of the sidecar API this application needs."""

    def __init__(self, base_url, ring):
        self.base = base_url.rstrip("/")
        self.ring = urllib.parse.quote(ring, safe="")

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return response.status, (json.loads(text) if text else None)

    def register(self, instance_id, address, zone, tokens, lease_seconds):
        body = {"address": address, "zone": zone, "tokens": tokens, "lease_seconds": lease_seconds}
        return self.call("PUT", f"/v1/ring/{self.ring}/instances/{urllib.parse.quote(instance_id, safe='')}", body)

    def deregister(self, instance_id):
        return self.call("DELETE", f"/v1/ring/{self.ring}/instances/{urllib.parse.quote(instance_id, safe='')}")

    def owners(self, key, replication_factor):
        query = urllib.parse.urlencode({"key": key, "rf": replication_factor})
        _, body = self.call("GET", f"/v1/ring/{self.ring}/owners?{query}")
        return body["owners"]

    def events(self, path):
        """Opens a server-sent event stream and returns its (event, data) pairs as they come."""
        return self._read_events(urllib.request.urlopen(self.base + path, timeout=60))

    @staticmethod
    def _read_events(response):
        with response:
            name, data = "message", []
            for raw in response:
                line = raw.decode("utf-8").rstrip("\n")
                if line == "":
                    if data:
                        yield name, json.loads("\n".join(data))
                    name, data = "message", []
                elif line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: "):
                    data.append(line[len("data: "):])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sidecar", default="http://127.0.0.1:7980", help="the sidecar API's base URL")
    parser.add_argument("--ring", default="apps/ring", help="the ring's KV key")
    parser.add_argument("--id", default=os.environ.get("POD_NAME") or socket.gethostname(), help="this instance's ID")
    parser.add_argument("--address", default=f"{os.environ.get('POD_IP', '127.0.0.1')}:8080",
                        help="where other instances reach this one")
    parser.add_argument("--zone", default=os.environ.get("ZONE", ""), help="availability zone (zone-aware placement)")
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--lease", type=int, default=15, help="lease in seconds; renewed every third of it")
    parser.add_argument("--rf", type=int, default=1, help="replication factor of the placement")
    parser.add_argument("--keys", type=int, default=20, help="how many demo keys to place")
    parser.add_argument("--watch-kv", metavar="PREFIX", help="log every change of the sidecar's KV values under PREFIX")
    parser.add_argument("--reroute-seconds", type=float, default=30,
                        help="re-route at least this often, as ring tokens and leases settle")
    args = parser.parse_args()

    sidecar = Sidecar(args.sidecar, args.ring)
    stop = threading.Event()
    changed = threading.Event()
    keys = [f"key-{n}" for n in range(args.keys)]

    def log(message, **fields):
        extra = " ".join(f"{name}={value}" for name, value in fields.items())
        print(f"ring_app: {message} {extra}".rstrip(), flush=True)

    def renew_forever():
        """Registers, then renews the lease every third of it; retries while the sidecar is away."""
        while not stop.is_set():
            try:
                status, _ = sidecar.register(args.id, args.address, args.zone, args.tokens, args.lease)
                if status == 201:
                    log("registered", ring=args.ring, id=args.id)
                    changed.set()
            except (urllib.error.URLError, OSError) as error:
                log("renewal failed", error=error)
            stop.wait(max(1.0, args.lease / 3))

    def watch_members():
        """Reacts to membership events: a joined or failed node re-routes the keys."""
        while not stop.is_set():
            try:
                for event, member in sidecar.events("/v1/members/watch"):
                    log("member " + event, name=member["name"], address=member["address"], zone=member.get("zone"))
                    changed.set()
            except (urllib.error.URLError, OSError, ValueError) as error:
                log("member watch ended", error=error)
            stop.wait(1)

    def watch_kv():
        """Logs puts and deletes of the sidecar's KV values under --watch-kv, from every node."""
        query = urllib.parse.urlencode({"prefix": args.watch_kv})
        while not stop.is_set():
            try:
                stream = sidecar.events(f"/v1/kv/watch?{query}")
                log("kv watch open", prefix=args.watch_kv)
                for event, entry in stream:
                    value = base64.b64decode(entry.get("value") or "").decode("utf-8", "replace")
                    log("kv " + event, key=entry["key"], value=json.dumps(value), writer=entry.get("writer"))
            except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
                log("kv watch ended", error=error)
            stop.wait(1)

    def route():
        placement = {}
        for key in keys:
            owners = sidecar.owners(key, args.rf)
            placement[key] = [owner["id"] for owner in owners]
        mine = sum(1 for owners in placement.values() if owners and owners[0] == args.id)
        primaries = len({owners[0] for owners in placement.values() if owners})
        # Apps that see the same ring place every key alike: equal digests show it.
        digest = hashlib.sha256(json.dumps(placement, sort_keys=True).encode()).hexdigest()[:16]
        log("routed keys", total=len(keys), owned_here=mine, primary_owners=primaries, digest=digest,
            sample=",".join(f"{k}->{'/'.join(v)}" for k, v in list(placement.items())[:3]))

    def shutdown(*_):
        stop.set()
        changed.set()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    threading.Thread(target=renew_forever, daemon=True).start()
    threading.Thread(target=watch_members, daemon=True).start()
    if args.watch_kv is not None:
        threading.Thread(target=watch_kv, daemon=True).start()

    while not stop.is_set():
        # Re-route on a membership change, and every --reroute-seconds as ring tokens settle.
        changed.wait(args.reroute_seconds)
        changed.clear()
        if stop.is_set():
            break
        try:
            route()
        except (urllib.error.URLError, OSError, KeyError) as error:
            log("routing failed", error=error)
    try:
        sidecar.deregister(args.id)
        log("deregistered", id=args.id)
    except (urllib.error.URLError, OSError) as error:
        log("deregistering failed; the lease will expire", error=error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
