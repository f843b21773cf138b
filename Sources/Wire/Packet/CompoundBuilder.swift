/// Collects encoded messages within a byte budget and emits them as compounds
/// of at most 255 parts each (memberlist-wire.md §3.4-3.5). Which messages are
/// offered, and in what order, is the broadcast queue's business (§7.2).
///
/// Storage is reused across rounds: call `reset(budget:)` instead of making a new builder.
public struct CompoundBuilder: Sendable {
    /// Bytes still available; each part costs its length + 2.
    public private(set) var remainingBudget: Int
    private var data: WireBuffer
    private var lengths: [Int]

    public init(budget: Int, capacity: Int = PacketBudget.defaultPacketSize) {
        remainingBudget = budget
        data = WireBuffer(capacity: capacity)
        lengths = []
        lengths.reserveCapacity(Compound.maxParts)
    }

    /// Empties the builder for a new packet, keeping its storage.
    public mutating func reset(budget: Int) {
        remainingBudget = budget
        data.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
    }

    public var partCount: Int { lengths.count }
    public var isEmpty: Bool { lengths.isEmpty }

    /// Whether a part of `length` bytes still fits the budget.
    public func fits(length: Int) -> Bool {
        length <= Compound.maxPartLength && length + PacketBudget.compoundPartOverhead <= remainingBudget
    }

    /// Adds `part` if it fits the budget; returns false (and adds nothing) otherwise.
    @discardableResult
    public mutating func append(_ part: UnsafeRawBufferPointer) -> Bool {
        guard fits(length: part.count) else { return false }
        remainingBudget -= part.count + PacketBudget.compoundPartOverhead
        data.append(contentsOf: part)
        lengths.append(part.count)
        return true
    }

    @discardableResult
    public mutating func append(_ part: [UInt8]) -> Bool {
        part.withUnsafeBytes { append($0) }
    }

    /// Adds a part without charging the budget: the direct message that broadcasts piggyback on,
    /// whose size the piggyback budget already accounts for (§3.4). Returns false if longer than 65,535.
    @discardableResult
    public mutating func appendUnbudgeted(_ part: UnsafeRawBufferPointer) -> Bool {
        guard part.count <= Compound.maxPartLength else { return false }
        data.append(contentsOf: part)
        lengths.append(part.count)
        return true
    }

    @discardableResult
    public mutating func appendUnbudgeted(_ part: [UInt8]) -> Bool {
        part.withUnsafeBytes { appendUnbudgeted($0) }
    }

    /// Number of packets `emit` will produce.
    public var packetCount: Int {
        switch lengths.count {
        case 0: 0
        case 1: 1
        default: (lengths.count + Compound.maxParts - 1) / Compound.maxParts
        }
    }

    /// Writes each packet into `scratch` (cleared first) and hands it to `body`: nothing when empty,
    /// the bare message for a single part (as Go's gossip sends it), otherwise one compound per
    /// run of up to 255 parts.
    public func emit(using scratch: inout WireBuffer, _ body: (UnsafeRawBufferPointer) -> Void) {
        data.withUnsafeBytes { all in
            if lengths.count == 1 {
                body(all)
                return
            }
            var partIndex = 0
            var offset = 0
            while partIndex < lengths.count {
                let end = min(partIndex + Compound.maxParts, lengths.count)
                scratch.removeAll(keepingCapacity: true)
                scratch.append(MessageType.compound.rawValue)
                scratch.append(UInt8(end - partIndex))
                var chunkBytes = 0
                for index in partIndex..<end {
                    scratch.append(bigEndian: UInt16(lengths[index]))
                    chunkBytes += lengths[index]
                }
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: all[offset..<(offset + chunkBytes)]))
                scratch.withUnsafeBytes { body($0) }
                offset += chunkBytes
                partIndex = end
            }
        }
    }
}
