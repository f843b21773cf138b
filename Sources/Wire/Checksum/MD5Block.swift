/// MD5's chaining state and block function (RFC 1321 §3.3-3.4), in Swift so that
/// dskit's packet trailer (dskit-kv-ring.md §1) does not start OpenSSL's provider
/// machinery: EVP_Digest initialises libcrypto, which costs about 1.5 MB of RSS in
/// an otherwise idle node (docs/benchmarks.md, "Memory"). MD5 is only a checksum
/// here, never a security measure.
struct MD5Block {
    /// Bytes per block (RFC 1321 §3.4: sixteen 32-bit words).
    static let byteCount = 64

    // RFC 1321 §3.3: initial values of the four chaining words A, B, C, D.
    var a: UInt32 = 0x6745_2301
    var b: UInt32 = 0xefcd_ab89
    var c: UInt32 = 0x98ba_dcfe
    var d: UInt32 = 0x1032_5476

    /// T[i] = floor(2^32 * abs(sin(i + 1))), RFC 1321 §3.4.
    private static let sineTable: [UInt32] = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
        0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
        0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
        0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
        0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
        0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]

    /// Left-rotation amounts of the four rounds, four per round (RFC 1321 §3.4).
    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

    /// Mixes one 64-byte block, read as sixteen little-endian words, into the state.
    /// `block` must hold at least `byteCount` bytes from `offset` (callers guarantee it).
    mutating func absorb(_ block: UnsafeRawBufferPointer, at offset: Int) {
        var aa = a, bb = b, cc = c, dd = d
        for step in 0..<64 {
            let round = step >> 4
            var mixed: UInt32
            let word: Int
            switch round {
            case 0:
                mixed = (bb & cc) | (~bb & dd)
                word = step
            case 1:
                mixed = (dd & bb) | (~dd & cc)
                word = (5 &* step &+ 1) & 15
            case 2:
                mixed = bb ^ cc ^ dd
                word = (3 &* step &+ 5) & 15
            default:
                mixed = cc ^ (bb | ~dd)
                word = (7 &* step) & 15
            }
            let message = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: offset + word * 4, as: UInt32.self))
            mixed = mixed &+ aa &+ Self.sineTable[step] &+ message
            let shift = Self.shifts[round << 2 | step & 3]
            aa = dd
            dd = cc
            cc = bb
            bb = bb &+ (mixed << shift | mixed >> (32 - shift))
        }
        a = a &+ aa
        b = b &+ bb
        c = c &+ cc
        d = d &+ dd
    }
}
