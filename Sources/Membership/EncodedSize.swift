import Wire

/// Exact byte length of a message as Go's msgpack encoding emits it, type
/// byte included (memberlist-wire.md §2.2, §2.4). The broadcast queue and the
/// piggyback budget of §3.4 are measured in these bytes; computing them
/// without encoding keeps the core free of codec work and allocations.
enum EncodedSize {
    static func of(_ message: Message) -> Int {
        switch message {
        case .ping(let ping):
            var size = 2 + key("Node") + string(ping.node) + key("SeqNo") + unsigned(UInt64(ping.seqNo))
            if let address = ping.sourceAddr, address.count > 0 { size += key("SourceAddr") + raw(address.count) }
            if !ping.sourceNode.isEmpty { size += key("SourceNode") + string(ping.sourceNode) }
            if ping.sourcePort > 0 { size += key("SourcePort") + unsigned(UInt64(ping.sourcePort)) }
            return size
        case .indirectPing(let request):
            var size = 2 + key("Nack") + 1 + key("Node") + string(request.node)
                + key("Port") + unsigned(UInt64(request.port)) + key("SeqNo") + unsigned(UInt64(request.seqNo))
                + key("Target") + raw(request.target.count)
            if let address = request.sourceAddr, address.count > 0 { size += key("SourceAddr") + raw(address.count) }
            if !request.sourceNode.isEmpty { size += key("SourceNode") + string(request.sourceNode) }
            if request.sourcePort > 0 { size += key("SourcePort") + unsigned(UInt64(request.sourcePort)) }
            return size
        case .ack(let ack):
            return 2 + key("Payload") + (ack.payload.map { raw($0.count) } ?? 1)
                + key("SeqNo") + unsigned(UInt64(ack.seqNo))
        case .nack(let nack):
            return 2 + key("SeqNo") + unsigned(UInt64(nack.seqNo))
        case .suspect(let suspect):
            return 2 + key("From") + string(suspect.from) + key("Incarnation") + unsigned(UInt64(suspect.incarnation))
                + key("Node") + string(suspect.node)
        case .dead(let dead):
            return 2 + key("From") + string(dead.from) + key("Incarnation") + unsigned(UInt64(dead.incarnation))
                + key("Node") + string(dead.node)
        case .alive(let alive):
            return 2 + key("Addr") + raw(alive.addr.count) + key("Incarnation") + unsigned(UInt64(alive.incarnation))
                + key("Meta") + (alive.meta.map { raw($0.count) } ?? 1) + key("Node") + string(alive.node)
                + key("Port") + unsigned(UInt64(alive.port)) + key("Vsn") + raw(alive.vsn.count)
        case .user(let bytes):
            return 1 + bytes.count
        case .pushPull, .error:
            // Stream-only messages never ride in packets; their size is not budgeted.
            return 0
        }
    }

    /// A map key (always a short fixstr here).
    @inline(__always) private static func key(_ name: StaticString) -> Int { 1 + name.utf8CodeUnitCount }

    @inline(__always) private static func string(_ value: String) -> Int { raw(value.utf8.count) }

    /// Raw-family header + bytes: fixstr < 32, 0xda u16, 0xdb u32 (§2.2).
    @inline(__always) private static func raw(_ count: Int) -> Int {
        if count < 32 { return 1 + count }
        if count < 65_536 { return 3 + count }
        return 5 + count
    }

    /// Smallest unsigned form by value (§2.2).
    @inline(__always) private static func unsigned(_ value: UInt64) -> Int {
        if value < 128 { return 1 }
        if value < 256 { return 2 }
        if value < 65_536 { return 3 }
        if value <= UInt64(UInt32.max) { return 5 }
        return 9
    }
}
