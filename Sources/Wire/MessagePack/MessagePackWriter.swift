/// msgpack output exactly as go-msgpack writes memberlist's structs
/// (memberlist-wire.md §2.2): raw-family strings and byte slices, nil for nil
/// slices, smallest unsigned integer form, 0xc2/0xc3 booleans.
extension WireBuffer {
    /// Map header: fixmap below 16 entries, else map16/map32.
    @inlinable public mutating func writeMapHeader(count: Int) {
        if count < 16 {
            append(0x80 | UInt8(count))
        } else if count <= 0xFFFF {
            append(MessagePackFormat.map16); append(bigEndian: UInt16(count))
        } else {
            append(MessagePackFormat.map32); append(bigEndian: UInt32(truncatingIfNeeded: count))
        }
    }

    /// Header of a raw (string or byte slice) of `length` bytes: fixstr, 0xda or 0xdb; never str8 or bin (§2.2).
    @inlinable public mutating func writeRawHeader(length: Int) {
        if length < 32 {
            append(0xa0 | UInt8(length))
        } else if length <= 0xFFFF {
            append(MessagePackFormat.str16); append(bigEndian: UInt16(length))
        } else {
            append(MessagePackFormat.str32); append(bigEndian: UInt32(truncatingIfNeeded: length))
        }
    }

    /// A Go string (also used for map keys).
    @inlinable public mutating func writeString(_ string: String) {
        writeRawHeader(length: string.utf8.count)
        append(utf8: string)
    }

    /// A map key given as a static string (no allocation).
    @inlinable public mutating func writeKey(_ key: StaticString) {
        writeRawHeader(length: key.utf8CodeUnitCount)
        key.withUTF8Buffer { append(contentsOf: UnsafeRawBufferPointer($0)) }
    }

    /// A Go `[]byte`: nil slice → 0xc0, otherwise raw family (§2.2).
    @inlinable public mutating func writeBytes(_ bytes: [UInt8]?) {
        guard let bytes else { append(MessagePackFormat.nilValue); return }
        writeRawHeader(length: bytes.count)
        append(contentsOf: bytes)
    }

    /// A Go `[]byte` from a buffer view.
    @inlinable public mutating func writeBytes(_ bytes: UnsafeRawBufferPointer) {
        writeRawHeader(length: bytes.count)
        append(contentsOf: bytes)
    }

    /// An IP as Go's `net.IP` ([]byte) of 4 or 16 bytes.
    @inlinable public mutating func writeAddress(_ address: IPAddress) {
        writeRawHeader(length: address.count)
        address.forEachByte { append($0) }
    }

    /// Unsigned integer in its smallest form, chosen by value (§2.2).
    @inlinable public mutating func writeUnsigned(_ value: UInt64) {
        if value < 0x80 {
            append(UInt8(value))
        } else if value <= 0xFF {
            append(MessagePackFormat.uint8); append(UInt8(value))
        } else if value <= 0xFFFF {
            append(MessagePackFormat.uint16); append(bigEndian: UInt16(value))
        } else if value <= 0xFFFF_FFFF {
            append(MessagePackFormat.uint32); append(bigEndian: UInt32(value))
        } else {
            append(MessagePackFormat.uint64); append(bigEndian: value)
        }
    }

    /// A Go `int`. Non-negative values use the unsigned forms, as go-msgpack v0.5
    /// (the codec of memberlist v0.2.2-v0.5.0) does; negative ones the smallest signed form.
    @inlinable public mutating func writeInt(_ value: Int64) {
        if value >= 0 { writeUnsigned(UInt64(value)); return }
        if value >= -32 {
            append(UInt8(bitPattern: Int8(value)))
        } else if value >= Int64(Int8.min) {
            append(MessagePackFormat.int8); append(UInt8(bitPattern: Int8(value)))
        } else if value >= Int64(Int16.min) {
            append(MessagePackFormat.int16); append(bigEndian: UInt16(bitPattern: Int16(value)))
        } else if value >= Int64(Int32.min) {
            append(MessagePackFormat.int32); append(bigEndian: UInt32(bitPattern: Int32(value)))
        } else {
            append(MessagePackFormat.int64); append(bigEndian: UInt64(bitPattern: value))
        }
    }

    @inlinable public mutating func writeBool(_ value: Bool) {
        append(value ? MessagePackFormat.trueValue : MessagePackFormat.falseValue)
    }

    @inlinable public mutating func writeNil() { append(MessagePackFormat.nilValue) }
}
