#!/usr/bin/env python3
"""Writes each fuzz target's seed corpus from the Go fixtures (Tests/WireTests/Fixtures/
memberlist-go, made by Debian's memberlist v0.2.2) into DIR/<target>/.

    Fuzz/seeds.py DIR
"""
import json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests/WireTests/Fixtures/memberlist-go")
# Selector byte of FuzzSupport/FuzzSecurity.swift: label index in bits 0-1, keyring in 2-3.
LABELS = {None: 0, "prod": 1, "pyroscope-dev": 2, "L" * 255: 3}
KEYRINGS = {
    None: 0,
    ("000102030405060708090a0b0c0d0e0f",): 1,
    ("101112131415161718191a1b1c1d1e1f2021222324252627",): 2,
}
ALL_KEYS = 3  # f0..ff and 30..4f: decrypts anything sealed with either


def selector(fixture):
    keys = tuple(fixture["keys"]) if fixture.get("keys") else None
    return LABELS.get(fixture.get("label"), 0) | (KEYRINGS.get(keys, ALL_KEYS) << 2)


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main(out):
    manifest = json.load(open(os.path.join(FIXTURES, "manifest.json")))
    for fixture in manifest["fixtures"]:
        data = open(os.path.join(FIXTURES, fixture["file"]), "rb").read()
        name, framing, layers = fixture["name"], fixture["framing"], fixture.get("layers", [])
        if framing == "packet":
            write(f"{out}/FuzzPacket", name, bytes([selector(fixture)]) + data)
            if not layers:
                write(f"{out}/FuzzMessagePack", name, data)
        elif framing == "stream":
            for chunked in (0, 0x80):
                write(f"{out}/FuzzStream", f"{name}-{chunked}", bytes([selector(fixture) | chunked]) + data)
        elif framing == "lzw":
            write(f"{out}/FuzzLZW", name, data)
        elif framing == "dskitPacket":
            write(f"{out}/FuzzDskitFrame", name, data)
    for name, text in {
        "plain": b"hello memberlist " * 8,
        "zeros": bytes(300),
    }.items():
        write(f"{out}/FuzzSnappy", name, text)
        write(f"{out}/FuzzLZW", f"plain-{name}", text)
    for index, args in enumerate([
        ["-memberlist.join=10.0.0.1:7946", "-memberlist.gossip-interval=200ms", "-memberlist.bind-port=0"],
        ["-memberlist.pullpush-interval", "1m30.5s", "-memberlist.transport=udp", "-log.level=debug"],
        ["--memberlist.tls-enabled", "-memberlist.tls-min-version=VersionTLS13", "-memberlist.retransmit-factor=4"],
        ["-memberlist.leave-timeout=0.25436s", "-memberlist.join=[::1]:7946,node/127.0.0.1"],
    ]):
        write(f"{out}/FuzzFlags", f"args-{index}", b"\0".join(a.encode() for a in args))


if __name__ == "__main__":
    main(sys.argv[1])
