import KV
import Testing

/// The `sidecar.bytes` value's merge is a max over a total order, so replicas converge
/// whatever order writes arrive in; the codec round-trips and refuses bad input.
@Suite struct SidecarBytesTests {
    static let writes = [
        SidecarBytes(bytes: [1], version: 1, writer: "a", updatedMillis: 10),
        SidecarBytes(bytes: [2], version: 2, writer: "a", updatedMillis: 5),
        SidecarBytes(bytes: [3], version: 2, writer: "b", updatedMillis: 1),
        SidecarBytes(bytes: [], version: 3, writer: "a", updatedMillis: 20, deleted: true),
        SidecarBytes(bytes: [4], version: 3, writer: "a", updatedMillis: 20),
    ]

    @Test func everyArrivalOrderEndsWithTheSameValue() {
        func permutations(_ items: [SidecarBytes]) -> [[SidecarBytes]] {
            guard items.count > 1 else { return [items] }
            return items.indices.flatMap { index -> [[SidecarBytes]] in
                var rest = items
                let first = rest.remove(at: index)
                return permutations(rest).map { [first] + $0 }
            }
        }
        var results: [SidecarBytes] = []
        for order in permutations(Self.writes) {
            var value = order[0]
            for write in order.dropFirst() { _ = value.merge(write, localCAS: false, nowMillis: 0) }
            results.append(value)
        }
        #expect(results.count == 120)
        // Version 3 ties between a tombstone and a write of the same writer and time: the tombstone wins.
        #expect(results.allSatisfy { $0 == Self.writes[3] })
    }

    @Test func mergeReportsOnlyRealChanges() {
        var value = Self.writes[1]
        #expect(value.merge(Self.writes[0], localCAS: false, nowMillis: 0) == nil)
        #expect(value.merge(Self.writes[1], localCAS: false, nowMillis: 0) == nil)
        #expect(value.merge(Self.writes[2], localCAS: false, nowMillis: 0) == Self.writes[2])
        #expect(value == Self.writes[2])
    }

    @Test func codecRoundTripsAndRefusesShortInput() throws {
        let codec = SidecarBytesCodec()
        for write in Self.writes {
            let encoded = try #require(codec.encode(write))
            #expect(try codec.decode(encoded) as? SidecarBytes == write)
            for cut in 0..<min(encoded.count, 21) {
                #expect(throws: KVError.self) { _ = try codec.decode(Array(encoded.prefix(cut))) }
            }
        }
        #expect(throws: KVError.self) { _ = try codec.decode([2] + Array(repeating: 0, count: 30)) }
        #expect(codec.encode("not sidecar bytes") == nil)
    }
}
