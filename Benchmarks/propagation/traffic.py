"""UDP datagrams and bytes sent by the benchmark's nodes.

Neither node kind exposes per-process packet counters on its own output (the Go
peer's `stats` command counts only its dskit transport; memberlistd's
NodeCounters are not printed), and the machine-wide /proc/net/snmp also counts
every other process's loopback UDP (interop tests of other builds run here). So
the harness runs inside its own network namespace (`run` re-executes itself
under `unshare --net`), where only the benchmark's nodes exist, and counts UDP
on the namespace's output hook with an nftables counter: packets and IP bytes,
the same for both kinds. /proc/net/snmp's Udp OutDatagrams, private to the
namespace too, is read alongside as a cross-check. Outside a private namespace
(no root) only OutDatagrams is read and bytes are unknown."""

import json
import subprocess

IPV4_UDP_HEADERS = 28  # nftables counts IP bytes; the payload is what memberlist wrote

TABLE = "propagation_bench"


def snmp_out_datagrams():
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    header, values = rows[0], rows[1]
    return int(values[header.index("OutDatagrams")])


class UdpCounter:
    def __init__(self, private_namespace):
        self.with_bytes = False
        if private_namespace:
            script = (f"add table inet {TABLE}\n"
                      f"add chain inet {TABLE} out {{ type filter hook output priority 0; }}\n"
                      f"add rule inet {TABLE} out meta l4proto udp counter\n")
            try:
                done = subprocess.run(["nft", "-f", "-"], input=script.encode(), capture_output=True)
                self.with_bytes = done.returncode == 0
            except OSError:  # no nft (Debian package nftables): datagrams only
                self.with_bytes = False
        self.source = ("nftables UDP output counter in a private network namespace"
                       if self.with_bytes else "/proc/net/snmp Udp OutDatagrams (bytes unknown; machine-wide "
                       "unless in the private namespace)")

    def read(self):
        """(datagrams, payload bytes or None, snmp OutDatagrams)."""
        snmp = snmp_out_datagrams()
        if not self.with_bytes:
            return snmp, None, snmp
        listing = json.loads(subprocess.run(["nft", "-j", "list", "chain", "inet", TABLE, "out"],
                                            capture_output=True, check=True).stdout)
        for item in listing["nftables"]:
            for expr in item.get("rule", {}).get("expr", []):
                if "counter" in expr:
                    packets, ip_bytes = expr["counter"]["packets"], expr["counter"]["bytes"]
                    return packets, ip_bytes - IPV4_UDP_HEADERS * packets, snmp
        raise RuntimeError("nftables counter rule not found")
