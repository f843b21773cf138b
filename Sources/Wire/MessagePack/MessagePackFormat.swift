/// Format bytes of the msgpack subset go-msgpack uses (memberlist-wire.md §2.2).
@usableFromInline enum MessagePackFormat {
    @usableFromInline static let nilValue: UInt8 = 0xc0
    @usableFromInline static let reserved: UInt8 = 0xc1
    @usableFromInline static let falseValue: UInt8 = 0xc2
    @usableFromInline static let trueValue: UInt8 = 0xc3
    @usableFromInline static let bin8: UInt8 = 0xc4
    @usableFromInline static let bin16: UInt8 = 0xc5
    @usableFromInline static let bin32: UInt8 = 0xc6
    @usableFromInline static let ext8: UInt8 = 0xc7
    @usableFromInline static let ext16: UInt8 = 0xc8
    @usableFromInline static let ext32: UInt8 = 0xc9
    @usableFromInline static let float32: UInt8 = 0xca
    @usableFromInline static let float64: UInt8 = 0xcb
    @usableFromInline static let uint8: UInt8 = 0xcc
    @usableFromInline static let uint16: UInt8 = 0xcd
    @usableFromInline static let uint32: UInt8 = 0xce
    @usableFromInline static let uint64: UInt8 = 0xcf
    @usableFromInline static let int8: UInt8 = 0xd0
    @usableFromInline static let int16: UInt8 = 0xd1
    @usableFromInline static let int32: UInt8 = 0xd2
    @usableFromInline static let int64: UInt8 = 0xd3
    @usableFromInline static let fixext1: UInt8 = 0xd4
    @usableFromInline static let fixext16: UInt8 = 0xd8
    @usableFromInline static let str8: UInt8 = 0xd9
    /// go-msgpack's "raw16"/"raw32": msgpack str16/str32.
    @usableFromInline static let str16: UInt8 = 0xda
    @usableFromInline static let str32: UInt8 = 0xdb
    @usableFromInline static let array16: UInt8 = 0xdc
    @usableFromInline static let array32: UInt8 = 0xdd
    @usableFromInline static let map16: UInt8 = 0xde
    @usableFromInline static let map32: UInt8 = 0xdf
}
