/// Fixed code values of Go's `compress/lzw` with literal width 8 (memberlist-wire.md §6).
enum LZWCodes {
    /// Resets the dictionary and the code width.
    static let clear: UInt16 = 256
    /// Ends the stream.
    static let endOfStream: UInt16 = 257
    /// Code width after a clear: literal width plus one.
    static let initialWidth = 9
    /// Codes never grow beyond 12 bits.
    static let maximumWidth = 12
    /// The encoder resets before assigning this code (Go's `maxCode`).
    static let encoderLastCode: UInt16 = 4095
    /// The decoder's dictionary holds this many entries.
    static let dictionarySize = 4096
}
