#!/usr/bin/env python3
"""Writes each fuzz target's seed corpus from the Go fixtures (Tests/WireTests/Fixtures/
memberlist-go, made by Debian's memberlist v0.2.2), the dskit protobuf fixtures
(Tests/KVTests/Fixtures) and the YAML files and HTTP requests the Swift tests use into
DIR/<target>/.

    Fuzz/seeds.py DIR
"""
import json, os, re, struct, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests/WireTests/Fixtures/memberlist-go")
KV_FIXTURES = os.path.join(ROOT, "Tests/KVTests/Fixtures")
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


def swift_literals(path):
    """The one-line string literals of a Swift file, escapes decoded, without interpolations."""
    source = open(os.path.join(ROOT, path)).read()
    escapes = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "0": "\0"}
    for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"', source):
        if "\\(" in literal:
            continue
        yield re.sub(r'\\u\{([0-9a-fA-F]+)\}|\\(.)',
                     lambda m: chr(int(m.group(1), 16)) if m.group(1) else escapes.get(m.group(2), m.group(2)), literal)


def varint(value):
    out = b""
    while value >= 0x80:
        out += bytes([value & 0x7F | 0x80])
        value >>= 7
    return out + bytes([value])


def snappy_literal(data):
    """A valid snappy block holding `data` as literals only (the decoder accepts any split)."""
    out = varint(len(data))
    for start in range(0, len(data), 256):
        chunk = data[start:start + 256]
        out += (bytes([(len(chunk) - 1) << 2]) if len(chunk) <= 60 else bytes([60 << 2, len(chunk) - 1])) + chunk
    return out


def kv_pair(key, value, codec, deleted=False):
    """A dskit KeyValuePair (kv.proto) in canonical proto3 form."""
    out = b""
    for field, data in ((1, key.encode()), (2, value), (3, codec.encode())):
        if data:
            out += bytes([field << 3 | 2]) + varint(len(data)) + data
    return out + (b"\x20\x01" if deleted else b"")


def frame(pairs):
    return b"".join(struct.pack(">I", len(pair)) + pair for pair in pairs)


def sidecar_bytes(value, version, writer, millis, deleted=False):
    """The sidecar.bytes codec's layout (SidecarBytesCodec.swift)."""
    return (bytes([1]) + struct.pack(">QqB", version, millis, 1 if deleted else 0)
            + struct.pack(">H", len(writer.encode())) + writer.encode() + value)


def config_seeds(out):
    """Pyroscope's reference block and every YAML snippet of ConfigFileTests, plain and
    with -config.expand-env (selector bit 0)."""
    path = "Tests/NodeTests/ConfigFileTests.swift"
    source = open(os.path.join(ROOT, path)).read()
    block = re.search(r'static let reference = """\n(.*?)\n\s*"""', source, re.S).group(1)
    reference = "\n".join(line[8:] for line in block.split("\n")) + "\n"
    texts = [reference] + [t for t in swift_literals(path) if re.match(r"(memberlist|server|target|ingester)\s*:", t)]
    # Escapes in double-quoted values, for the fuzzer to mutate into any code point.
    texts.append('memberlist:\n  node_name: "n\\x41\\u00e9\\t\\U0001F600"\n  cluster_label: \'it\'\'s\'\n'
                 '  join_members: ["a\\x2eb:7946", \'c:1\']\n  tls_server_name: "\\N\\_\\L\\P"\n')
    for index, text in enumerate(texts):
        for selector in (0, 1):
            write(f"{out}/FuzzConfigFile", f"yaml-{index}-{selector}", bytes([selector]) + text.encode())


def http_seeds(out):
    """The requests HTTPServerTests sends, and requests of the admin and sidecar APIs;
    each under the default and the smallest limits (byte by byte), split in the middle."""
    requests = [t.encode() for t in swift_literals("Tests/HTTPTests/HTTPServerTests.swift")
                if re.match(r"[A-Z]+ ", t) and "HTTP/" in t]
    requests += [
        b"GET /memberlist?viewKey=collectors%2Fring&format=json HTTP/1.1\r\nAccept: application/json\r\n\r\n",
        b"POST /ring HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 31\r\n\r\n"
        b"ring=ingester&forget=ingester-b",
        b"PUT /v1/kv/app%2Fconfig HTTP/1.1\r\nIf-Match: \"3\"\r\nContent-Length: 5\r\n\r\nhello",
        b"GET /v1/ring/collectors%2Fring/owners?token=42 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        b"\r\n\r\nDELETE /v1/kv/a+b?x=%zz&y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ]
    for index, request in enumerate(requests):
        for selector in (0, 1 | 4, 2, 3):
            write(f"{out}/FuzzHTTPRequest", f"request-{index}-{selector}", bytes([selector, 0x80]) + request)


def kv_seeds(out):
    """The dskit protobuf fixtures under each KV decoder (FuzzKVCodecs' selector), and
    rings alone for FuzzRingDesc."""
    def fixture(name):
        return open(os.path.join(KV_FIXTURES, name + ".bin"), "rb").read()
    rings = [n for n in ("ring_empty", "ring_single", "ring_full", "ring_future_fields")]
    for name in rings:
        write(f"{out}/FuzzRingDesc", name, fixture(name))
        write(f"{out}/FuzzKVCodecs", f"{name}-plain", bytes([0x80]) + fixture(name))
        write(f"{out}/FuzzKVCodecs", f"{name}-snappy", bytes([0]) + snappy_literal(fixture(name)))
    tracker = fixture("tracker_beacons")
    write(f"{out}/FuzzKVCodecs", "tracker-plain", bytes([0x81]) + tracker)
    write(f"{out}/FuzzKVCodecs", "tracker-snappy", bytes([1]) + snappy_literal(tracker))
    value = sidecar_bytes(b"hello", 3, "node-a", 1767225600123)
    write(f"{out}/FuzzKVCodecs", "sidecar-bytes", bytes([2]) + value)
    write(f"{out}/FuzzKVCodecs", "sidecar-tombstone", bytes([2]) + sidecar_bytes(b"", 4, "node-b", 1767225600999, True))
    write(f"{out}/FuzzKVCodecs", "string", bytes([3]) + "zone-\u00e9".encode())
    for name in ("kv_pair_full", "kv_pair_key_only", "kv_pair_negative_time"):
        write(f"{out}/FuzzKVCodecs", name, bytes([4]) + fixture(name))
    write(f"{out}/FuzzKVCodecs", "local_state", bytes([5]) + fixture("local_state"))
    gossip = {
        "ring": kv_pair("collectors/ring", snappy_literal(fixture("ring_full")), "ringDesc"),
        "tracker": kv_pair("memberlist-propagation-delay-tracker", snappy_literal(tracker), "propagationDelayTracker"),
        "sidecar": kv_pair("sidecar/app", value, "sidecar.bytes"),
        "string": kv_pair("collectors/x", b"text", "string"),
    }
    for name, pair in gossip.items():
        write(f"{out}/FuzzKVCodecs", f"gossip-{name}", bytes([6]) + pair)
    deleted = kv_pair("collectors/ring", snappy_literal(fixture("ring_single")), "ringDesc", deleted=True)
    write(f"{out}/FuzzKVCodecs", "push-pull", bytes([7]) + frame(list(gossip.values()) + [deleted]))


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
    config_seeds(out)
    http_seeds(out)
    kv_seeds(out)


if __name__ == "__main__":
    main(sys.argv[1])
