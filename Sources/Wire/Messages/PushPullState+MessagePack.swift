/// Push/pull body (after the type byte): header, exactly `Nodes` node-state
/// maps, then exactly `UserStateLen` raw bytes (memberlist-wire.md §4.2).
extension PushPullState {
    public func encode(into buffer: inout WireBuffer) {
        PushPullHeader(nodes: nodes.count, userStateLength: userState.count, join: join).encode(into: &buffer)
        for node in nodes { node.encode(into: &buffer) }
        buffer.append(contentsOf: userState)
    }

    /// Decodes a push/pull body, enforcing Nodes ≤ 1,048,576 and UserStateLen ≤ 20 MiB (§11)
    /// before reading either, and never reserving more than the input could hold.
    public static func decode(from reader: inout MessagePackReader) throws(MessageDecodeError) -> PushPullState {
        let header = try PushPullHeader.decode(from: &reader)
        guard header.nodes >= 0, header.nodes <= WireLimits.maxPushPullNodes else {
            throw .limitExceeded(field: "Nodes", limit: WireLimits.maxPushPullNodes, found: header.nodes)
        }
        guard header.userStateLength >= 0, header.userStateLength <= WireLimits.maxUserStateLength else {
            throw .limitExceeded(field: "UserStateLen", limit: WireLimits.maxUserStateLength, found: header.userStateLength)
        }
        var nodes: [PushNodeState] = []
        // A node state takes at least one byte, so the input bounds the real count.
        nodes.reserveCapacity(min(header.nodes, reader.remaining))
        for _ in 0..<header.nodes { nodes.append(try PushNodeState.decode(from: &reader)) }
        guard reader.remaining >= header.userStateLength else {
            throw .truncatedPayload(field: "UserState", declared: header.userStateLength, available: reader.remaining)
        }
        let userState: [UInt8]
        do {
            userState = [UInt8](try reader.readRawBytes(count: header.userStateLength))
        } catch {
            throw .field(message: "pushPull", field: "UserState", error)
        }
        return PushPullState(join: header.join, nodes: nodes, userState: userState)
    }
}

extension MessagePackReader {
    /// Takes `count` raw (non-msgpack) bytes, e.g. push/pull user state.
    public mutating func readRawBytes(count: Int) throws(MessagePackError) -> UnsafeRawBufferPointer {
        try take(count, valueStart: offset)
    }
}
