/// Random ring tokens (dskit's `RandomTokenGenerator`): `count` uint32 values, none already
/// taken in the ring and none repeated, sorted. Randomness is passed in.
public enum RingTokenGenerator {
    public static func generate<R: RandomNumberGenerator>(count: Int, taken: Set<UInt32>,
                                                          using random: inout R) -> [UInt32] {
        guard count > 0 else { return [] }
        var used = taken
        var tokens: [UInt32] = []
        tokens.reserveCapacity(count)
        // Bounded: at most 2^32 values exist, and a ring holds far fewer.
        while tokens.count < count && used.count < Int(UInt32.max) {
            let candidate = UInt32.random(in: 0...UInt32.max, using: &random)
            if used.insert(candidate).inserted { tokens.append(candidate) }
        }
        return tokens.sorted()
    }
}
