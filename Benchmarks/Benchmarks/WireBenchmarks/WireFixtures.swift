import Wire

/// Messages shaped like a real cluster's steady-state traffic (memberlist-wire.md §2.4).
/// Node names are at most 15 UTF-8 bytes, so Swift stores them inline (no heap string);
/// `longNamePing` shows what a longer, Kubernetes-style name costs.
enum WireFixtures {
    /// Go's default version bytes [pmin, pmax, pcur, dmin, dmax, dcur] (§2.4).
    static let versionBytes: [UInt8] = [1, 5, 2, 0, 0, 0]

    static let ping = Ping(seqNo: 4_242, node: "node-2", sourceAddr: IPAddress(10, 0, 0, 1),
                           sourcePort: 7_946, sourceNode: "node-1")

    /// A 27-byte name such as a StatefulSet pod gets (`pyroscope-ingester-0-7f9c2`).
    static let longNamePing = Ping(seqNo: 4_242, node: "pyroscope-ingester-1-7f9c2",
                                   sourceAddr: IPAddress(10, 0, 0, 1), sourcePort: 7_946,
                                   sourceNode: "pyroscope-ingester-0-7f9c2")

    static let ack = AckResponse(seqNo: 4_242, payload: nil)

    static func alive(_ index: Int) -> Alive {
        Alive(incarnation: UInt32(index), node: "node-\(index)",
              addr: IPAddress(10, 0, UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index)),
              port: 7_946, meta: nil, vsn: versionBytes)
    }

    static func pushNode(_ index: Int) -> PushNodeState {
        PushNodeState(name: "node-\(index)",
                      addr: IPAddress(10, 0, UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index)),
                      port: 7_946, meta: [], incarnation: UInt32(index), state: .alive, vsn: versionBytes)
    }

    /// A push/pull state of `count` nodes (§4.2).
    static func pushPull(nodes count: Int) -> PushPullState {
        PushPullState(join: false, nodes: (0..<count).map(pushNode), userState: [])
    }

    /// The packet form (`06 header nodes userState`) of the smallest push/pull that reaches `bytes`.
    static func pushPullBytes(atLeast bytes: Int) -> [UInt8] {
        var count = 1
        while true {
            let encoded = Message.pushPull(pushPull(nodes: count)).encodedBytes
            if encoded.count >= bytes { return encoded }
            count += 1
        }
    }

    /// One 16-byte AES-128 key (memberlist-wire.md §5).
    static let key: [UInt8] = Array(0..<16)

    /// dskit's sender address trailer, `ip:port` in ASCII (dskit-kv-ring.md §1).
    static let dskitAddress = "10.0.0.1:7946"

    /// A cluster label for the labelled pipeline (§3.2).
    static let label: [UInt8] = Array("pyroscope".utf8)
}

extension Array where Element == UInt8 {
    /// `body` with a raw view of the array, typed-throws friendly.
    func withRaw<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes { body($0) }
    }
}

/// Bytes held in one manually allocated block, as a datagram sits in the event loop's
/// receive slab: benchmarks read it through `bytes` without a closure per operation.
final class ReceivedBytes {
    let bytes: UnsafeRawBufferPointer

    init(_ contents: [UInt8]) {
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(contents.count, 1), alignment: 16)
        block.copyBytes(from: contents)
        bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(block)[0..<contents.count])
    }

    deinit { bytes.deallocate() }
}
