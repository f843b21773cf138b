/// A growable byte buffer that encoders append to and callers reuse.
///
/// The caller creates one buffer with enough capacity (for UDP, 65,536 bytes
/// covers any packet, memberlist-wire.md §3.4), then calls
/// `removeAll(keepingCapacity: true)` before each encode. As long as the
/// buffer is not copied while being appended to, appends write into the
/// existing storage and encoding a ping or ack performs no heap allocation
/// (ARCHITECTURE.md, "steady state makes no heap allocation per packet").
public struct WireBuffer: Sendable {
    @usableFromInline var storage: [UInt8]

    /// An empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 0) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    /// A buffer holding `bytes` (for tests and slow paths).
    public init(_ bytes: [UInt8]) { storage = bytes }

    /// Number of bytes written.
    @inlinable public var count: Int { storage.count }
    /// Bytes that fit before the storage has to grow.
    @inlinable public var capacity: Int { storage.capacity }
    @inlinable public var isEmpty: Bool { storage.isEmpty }

    /// A copy of the written bytes (allocates; for slow paths and tests).
    public var bytes: [UInt8] { storage }

    /// Forgets the contents; with `keepingCapacity` the storage is reused.
    @inlinable public mutating func removeAll(keepingCapacity: Bool = true) {
        storage.removeAll(keepingCapacity: keepingCapacity)
    }

    /// Drops everything from `count` on (used to undo a partial write).
    @inlinable public mutating func truncate(to count: Int) {
        precondition(count >= 0 && count <= storage.count, "WireBuffer.truncate out of range")
        storage.removeLast(storage.count - count)
    }

    /// Removes the bytes in `range`, moving what follows down (in place, no allocation).
    public mutating func removeSubrange(_ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= storage.count, "WireBuffer.removeSubrange out of range")
        storage.removeSubrange(range)
    }

    /// Removes the first `count` bytes, moving the rest to the front.
    public mutating func removeFirst(_ count: Int) {
        precondition(count >= 0 && count <= storage.count, "WireBuffer.removeFirst out of range")
        storage.removeFirst(count)
    }

    @inlinable public subscript(index: Int) -> UInt8 {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    /// Read access to the written bytes without copying.
    @inlinable public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        // Array.withUnsafeBytes is rethrows (untyped); keep the caller's error type.
        var result: Result<R, E>?
        storage.withUnsafeBytes { raw in
            do throws(E) { result = .success(try body(raw)) } catch { result = .failure(error) }
        }
        switch result {
        case .success(let value)?: return value
        case .failure(let error)?: throw error
        case nil: preconditionFailure("withUnsafeBytes did not call its body")
        }
    }

    @inlinable public mutating func append(_ byte: UInt8) { storage.append(byte) }

    @inlinable public mutating func append(contentsOf bytes: [UInt8]) { storage.append(contentsOf: bytes) }

    @inlinable public mutating func append(contentsOf bytes: UnsafeRawBufferPointer) { storage.append(contentsOf: bytes) }

    @inlinable public mutating func append(contentsOf buffer: WireBuffer) { storage.append(contentsOf: buffer.storage) }

    /// Appends the UTF-8 bytes of `string` without creating an intermediate array.
    @inlinable public mutating func append(utf8 string: String) {
        var string = string
        string.withUTF8 { storage.append(contentsOf: UnsafeRawBufferPointer($0)) }
    }

    @inlinable public mutating func append(bigEndian value: UInt16) {
        storage.append(UInt8(truncatingIfNeeded: value >> 8))
        storage.append(UInt8(truncatingIfNeeded: value))
    }

    @inlinable public mutating func append(bigEndian value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { storage.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    @inlinable public mutating func append(bigEndian value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { storage.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Overwrites two bytes at `offset` (for length fields written after the body).
    @inlinable public mutating func set(bigEndian value: UInt16, at offset: Int) {
        storage[offset] = UInt8(truncatingIfNeeded: value >> 8)
        storage[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Overwrites four bytes at `offset`.
    @inlinable public mutating func set(bigEndian value: UInt32, at offset: Int) {
        storage[offset] = UInt8(truncatingIfNeeded: value >> 24)
        storage[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        storage[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        storage[offset + 3] = UInt8(truncatingIfNeeded: value)
    }

    /// Appends `count` zero bytes and lets `body` fill them in place.
    @inlinable public mutating func appendUninitialized(count: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) {
        let start = storage.count
        storage.append(contentsOf: repeatElement(0, count: count))
        storage.withUnsafeMutableBytes { raw in
            body(UnsafeMutableRawBufferPointer(rebasing: raw[start..<(start + count)]))
        }
    }
}

extension WireBuffer {
    /// Inserts bytes at `offset`, shifting what follows (used to prepend a small header in place).
    public mutating func insert(contentsOf bytes: UnsafeRawBufferPointer, at offset: Int) {
        storage.insert(contentsOf: bytes, at: offset)
    }
}
