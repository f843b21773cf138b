#!/usr/bin/env python3
"""Writes the KV test fixtures with Google's protobuf runtime from kv.proto, ring.proto and
propagation.proto.

Reproducible: the same inputs give the same bytes (maps are serialised deterministically,
in ascending key order, as dskit's gogoproto code writes them). Needs the PyPI packages `protobuf` and `grpcio-tools` (for protoc):
    pip install protobuf grpcio-tools
    python3 Tests/KVTests/Fixtures/generate.py            # rewrite the .bin fixtures
    python3 Tests/KVTests/Fixtures/generate.py --check    # fail if a fixture differs
    python3 Tests/KVTests/Fixtures/generate.py --verify DIR
        # parse the Swift-encoded files DIR/<name>.bin (written by the KVTests suite when
        # KV_SWIFT_FIXTURE_OUT=DIR) and compare each with the message it should hold
"""
import importlib
import os

# The pure-Python runtime serialises maps deterministically in ascending key order, as Go's
# gogoproto marshaller (dskit) does; the upb runtime's "deterministic" order differs.
os.environ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def load_modules():
    from grpc_tools import protoc

    out = tempfile.mkdtemp(prefix="kv-fixtures-")
    for proto in ("kv.proto", "ring.proto", "propagation.proto"):
        rc = protoc.main(["protoc", f"-I{HERE}", f"--python_out={out}", os.path.join(HERE, proto)])
        if rc != 0:
            sys.exit(f"protoc failed on {proto}")
    sys.path.insert(0, out)
    return importlib.import_module("kv_pb2"), importlib.import_module("ring_pb2"), importlib.import_module("propagation_pb2")


def fixtures(kv, ring, propagation):
    """name -> protobuf message. Keep in step with KVFixtureTests.swift."""
    result = {}

    result["kv_pair_full"] = kv.KeyValuePair(
        key="collectors/ring", value=bytes([0, 1, 2, 0xFF, 0x80]), codec="ringDesc",
        deleted=True, update_time_millis=1767225600123)
    result["kv_pair_key_only"] = kv.KeyValuePair(key="k")
    result["kv_pair_negative_time"] = kv.KeyValuePair(key="collectors/x", codec="string", update_time_millis=-5)

    result["ring_empty"] = ring.Desc()

    single = ring.Desc()
    single.ingesters["ingester-1"].CopyFrom(ring.InstanceDesc(
        addr="10.0.0.1:9095", timestamp=1767225600, state=ring.ACTIVE, tokens=[5, 100, 4000000000],
        id="ingester-1"))
    result["ring_single"] = single

    full = ring.Desc()
    full.ingesters["a"].CopyFrom(ring.InstanceDesc(
        addr="a:1", timestamp=1767225601, state=ring.LEAVING, tokens=[0, 127, 128, 16383, 16384, 2**32 - 1],
        zone="zone-\u00e9", registered_timestamp=1767000000, id="a", read_only_updated_timestamp=1767100000,
        read_only=True, versions={0: 7, 1: 0, 2**64 - 1: 2**63}))
    full.ingesters["b"].CopyFrom(ring.InstanceDesc(
        addr="b:2", timestamp=-1, state=ring.PENDING, zone="zone-b"))
    full.ingesters["c"].CopyFrom(ring.InstanceDesc(addr="c:3", timestamp=1767225602, state=ring.JOINING))
    full.ingesters["d"].CopyFrom(ring.InstanceDesc(addr="d:4", timestamp=1767225603, state=ring.LEFT, id="d"))
    full.ingesters[""].CopyFrom(ring.InstanceDesc())
    result["ring_full"] = full

    future = ring.FutureDesc(future_label="ignored")
    future.ingesters["x"].CopyFrom(ring.FutureInstanceDesc(
        addr="x:1", timestamp=42, state=ring.ACTIVE, tokens=[9, 3], zone="z",
        future_string="later", future_fixed32=0xDEADBEEF, future_fixed64=2**60, future_varint=-3))
    result["ring_future_fields"] = future
    known = ring.Desc()
    known.ingesters["x"].CopyFrom(ring.InstanceDesc(addr="x:1", timestamp=42, state=ring.ACTIVE, tokens=[9, 3], zone="z"))
    result["ring_future_fields_known"] = known

    tracker = propagation.PropagationDelayTrackerDesc()
    tracker.beacons[7].CopyFrom(propagation.BeaconDesc(published_at=1767225600123, published_by="node-a"))
    tracker.beacons[2**64 - 1].CopyFrom(propagation.BeaconDesc(published_at=1767225000000, deleted_at=1767225600999))
    tracker.beacons[0].CopyFrom(propagation.BeaconDesc())
    result["tracker_beacons"] = tracker
    return result


def local_state(kv, messages):
    """dskit's push/pull framing: [uint32 BE length][KeyValuePair] repeated."""
    out = b""
    for name in ("kv_pair_full", "kv_pair_key_only"):
        body = messages[name].SerializeToString(deterministic=True)
        out += struct.pack(">I", len(body)) + body
    return out


def main():
    kv, ring, propagation = load_modules()
    messages = fixtures(kv, ring, propagation)
    encoded = {name: msg.SerializeToString(deterministic=True) for name, msg in messages.items()}
    encoded["local_state"] = local_state(kv, messages)

    if len(sys.argv) >= 3 and sys.argv[1] == "--verify":
        failures = 0
        for name, msg in messages.items():
            path = os.path.join(sys.argv[2], name + ".bin")
            if not os.path.exists(path) or name == "ring_future_fields":
                continue
            parsed = type(msg)()
            parsed.ParseFromString(open(path, "rb").read())
            ok = parsed == msg
            failures += 0 if ok else 1
            print(("ok   " if ok else "FAIL ") + name)
        sys.exit(1 if failures else 0)

    check = len(sys.argv) >= 2 and sys.argv[1] == "--check"
    stale = 0
    for name, data in sorted(encoded.items()):
        path = os.path.join(HERE, name + ".bin")
        if check:
            if not os.path.exists(path) or open(path, "rb").read() != data:
                print("stale " + name)
                stale += 1
        else:
            with open(path, "wb") as f:
                f.write(data)
            print(f"wrote {name}.bin ({len(data)} bytes)")
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()
