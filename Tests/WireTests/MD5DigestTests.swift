import COpenSSL
import Testing
@testable import Wire

/// The Swift MD5 behind dskit's packet trailer (dskit-kv-ring.md §1), against
/// RFC 1321's test suite and against OpenSSL's MD5 at every padding boundary.
@Suite struct MD5DigestTests {
    /// RFC 1321, appendix A.5 ("test suite").
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func rfc1321TestSuite(input: String, expected: String) {
        let digest = Array(input.utf8).withUnsafeBytes { MD5Digest(of: $0) }
        #expect(digest.bytes == hex(expected))
    }

    /// Every length from 0 to 300 bytes crosses the one/two padding block split
    /// (tail 55 vs 56) and the whole-block loop several times; OpenSSL is the reference.
    @Test func matchesOpenSSLAtEveryLengthUpTo300() {
        var generator = SplitMix64(seed: 0x5eed)
        let data = generator.bytes(300)
        var mismatches: [Int] = []
        for length in 0...300 {
            let slice = Array(data.prefix(length))
            let ours = slice.withUnsafeBytes { MD5Digest(of: $0) }.bytes
            if ours != opensslMD5(slice) { mismatches.append(length) }
        }
        #expect(mismatches.isEmpty, "lengths whose digest differs from OpenSSL: \(mismatches)")
    }

    @Test func matchesOpenSSLForALargePacket() {
        var generator = SplitMix64(seed: 42)
        let data = generator.bytes(65_507)
        #expect(data.withUnsafeBytes { MD5Digest(of: $0) }.bytes == opensslMD5(data))
    }

    /// Reads the digest at an unaligned start, as a packet payload inside a frame is.
    @Test func digestOfUnalignedSliceMatchesCopy() {
        let data = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let unaligned = data.withUnsafeBytes { MD5Digest(of: UnsafeRawBufferPointer(rebasing: $0[3..<200])) }
        let copied = Array(data[3...]).withUnsafeBytes { MD5Digest(of: $0) }
        #expect(unaligned == copied)
        #expect(unaligned.bytes == opensslMD5(Array(data[3...])))
    }

    private func opensslMD5(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        let marker: UInt8 = 0
        let ok = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: marker) { fallback in
                EVP_Digest(raw.baseAddress ?? UnsafeRawPointer(fallback), raw.count, &out, &length, EVP_md5(), nil)
            }
        }
        #expect(ok == 1 && length == 16)
        return out
    }
}
