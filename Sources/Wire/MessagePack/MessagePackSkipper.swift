/// Finds where a run of msgpack values ends in bytes that are still arriving,
/// without re-reading what it already passed: the resumable half of incremental
/// stream decoding (issue #12, "Quadratic stream decode"; ARCHITECTURE.md
/// "a stream is decoded incrementally"). Feed it the same growing buffer again
/// and again; each call continues at `offset` and stops at the first value whose
/// header or payload is not complete yet. Total work over a stream is linear in
/// its length, whatever the peer's trickle rate.
///
/// Nesting is bounded by `MessagePackReader.defaultDepthLimit`; the pending
/// counts live in a fixed-size inline stack, so skipping allocates nothing.
struct MessagePackSkipper: Sendable {
    /// Offset (in the fed buffer) of the first byte not yet skipped.
    private(set) var offset: Int
    /// Values still to skip at each open nesting level; level 0 is the caller's run.
    private var pending: [Int]

    /// Skips `count` consecutive values starting at `offset`.
    init(values count: Int, from offset: Int) {
        self.offset = offset
        pending = [count]
        pending.reserveCapacity(MessagePackReader.defaultDepthLimit + 1)
    }

    /// True once every value of the run has been skipped.
    var isComplete: Bool { pending.isEmpty }

    /// Skips as far as `bytes` allows.
    /// - Returns: true when the whole run is complete (it ends at `offset`).
    /// - Throws: `MessagePackError` for an invalid format byte or nesting beyond the limit.
    mutating func advance(_ bytes: UnsafeRawBufferPointer) throws(MessagePackError) -> Bool {
        while let remainingAtLevel = pending.last {
            if remainingAtLevel == 0 {
                pending.removeLast()
                continue
            }
            guard let header = try MessagePackValueHeader.read(bytes, at: offset) else { return false }
            let length = header.headerLength + header.payloadLength
            guard length <= bytes.count - offset else { return false }
            offset += length
            pending[pending.count - 1] = remainingAtLevel - 1
            if header.children > 0 {
                guard pending.count <= MessagePackReader.defaultDepthLimit else {
                    throw .nestingTooDeep(offset: offset - length, limit: MessagePackReader.defaultDepthLimit)
                }
                pending.append(header.children)
            }
        }
        return true
    }
}
