/// Peer selection under dskit's zone-aware routing (`ZoneRouting`; issue #8).
extension MembershipCore {
    /// True when `record` may be picked for gossip, push/pull and probes (always, with
    /// routing off).
    func zoneSelects(_ record: MemberRecord) -> Bool {
        guard let routing = config.zoneRouting else { return true }
        return routing.select(remoteMeta: record.meta).selected
    }

    /// A bridge's gossip round includes one preferred peer (a bridge of another zone) when
    /// any is eligible, as grafana/memberlist's selection delegate asks: if the random pick
    /// has none, one chosen uniformly among the preferred replaces the last pick.
    func includePreferredPeer(in peers: inout [Int], upTo peerCount: Int, excluding excluded: (MemberRecord) -> Bool) {
        guard let routing = config.zoneRouting else { return }
        let isPreferred = { (index: Int) in routing.select(remoteMeta: self.members[index].meta).preferred }
        if peers.contains(where: isPreferred) { return }
        var chosen: Int?
        var seen = 0
        for index in members.indices where !excluded(members[index]) && isPreferred(index) {
            seen += 1
            if randomIndex(seen) == 0 { chosen = index }
        }
        guard let chosen else { return }
        if peers.count < peerCount {
            peers.append(chosen)
        } else if !peers.isEmpty {
            peers[peers.count - 1] = chosen
        }
    }
}
