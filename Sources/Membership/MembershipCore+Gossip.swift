import Wire

/// Sending packets with piggybacked broadcasts and the gossip round
/// (memberlist-wire.md §3.3, §3.4, §7.2; memberlist `sendMsg`, `gossip`,
/// `getBroadcasts`).
extension MembershipCore {
    /// Extra cost of a user broadcast: its `08` type byte (Go's userMsgOverhead).
    static let userMessageOverhead = 1

    /// Queue one of memberlist's own broadcasts, replacing any with the same key.
    func queueBroadcast(_ message: Message, key: String, notify: OperationID? = nil) {
        broadcasts.enqueue(message, length: EncodedSize.of(message), key: key, notify: notify)
    }

    /// Fill `messages` with broadcasts for one packet (Go `getBroadcasts`):
    /// memberlist's queue first, then the delegate's (dskit's KV: local, then gossip
    /// queue), then the core's opaque user broadcasts in the space left.
    func collectBroadcasts(overhead: Int, limit: Int, into messages: inout [Message]) {
        let transmitLimit = retransmitLimit
        var used = broadcasts.take(overhead: overhead, limit: limit, transmitLimit: transmitLimit, into: &messages)
        if let delegate, limit - used > overhead + Self.userMessageOverhead {
            used += delegate.broadcasts(overhead: overhead + Self.userMessageOverhead, limit: limit - used,
                                        into: &messages)
        }
        let available = limit - used
        if available > overhead + Self.userMessageOverhead && !userBroadcasts.isEmpty {
            userBroadcasts.take(overhead: overhead + Self.userMessageOverhead, limit: available,
                                transmitLimit: transmitLimit, into: &messages)
        }
    }

    /// Send `message` with as many broadcasts piggybacked as fit (Go `sendMsg`,
    /// §3.4): budget = UDPBufferSize − len − 2 − label − encryption overhead.
    func sendMessage(_ message: Message, to address: NodeAddress, nodeName: String) {
        var budget = config.udpBufferSize - EncodedSize.of(message) - PacketBudget.compoundHeaderOverhead - config.labelOverhead
        if config.gossipVerifyOutgoing { budget -= config.encryptionOverhead }
        scratchMessages.removeAll(keepingCapacity: true)
        scratchMessages.append(message)
        collectBroadcasts(overhead: PacketBudget.compoundPartOverhead, limit: budget, into: &scratchMessages)
        emitPacket(scratchMessages, to: address, nodeName: nodeName, addCRC: crcByAddress(address))
    }

    /// Go looks the destination of a plain send up in its node map by the
    /// host string, so the CRC is added only when a node is *named* like that
    /// IP and speaks protocol 5 (§3.3).
    func crcByAddress(_ address: NodeAddress) -> Bool {
        guard membersNamedLikeIP > 0, let index = indexByName[address.ip.description] else { return false }
        return members[index].versions.protocolMax >= 5
    }

    /// Emit `messages` as one packet; the runtime frames them (bare, or compounds of at most
    /// 127 parts, `Compound.writePackets`, §3.5).
    private func emitPacket(_ messages: [Message], to address: NodeAddress, nodeName: String, addCRC: Bool) {
        out.append(.send(OutgoingPacket(to: address, nodeName: nodeName, addCRC: addCRC, messages: messages)))
    }

    /// Gossip ticker: send queued broadcasts to GossipNodes random nodes that
    /// are alive, suspect, or dead within GossipToTheDeadTime (§7.2).
    func gossipTick() {
        guard let scheduled = nextGossipTick, now >= scheduled else { return }
        let next = MembershipTiming.nextTick(after: scheduled, interval: gossipIntervalNanos, now: now)
        nextGossipTick = next
        out.append(.armTimer(.gossipTick, at: next))
        gossipRound(peerCount: config.gossipNodes)
    }

    /// Eager dissemination (ours, `MembershipConfig.eagerDissemination`; issue #11): when a
    /// call leaves broadcasts that were never sent, send them at once to as many random
    /// peers as their retransmit limit allows instead of waiting for gossip ticks. The
    /// sends come out of the same transmit budget (each peer's packet is one transmit), so a
    /// change costs no more transmits than tick gossip; it only spends them sooner. It costs
    /// more datagrams: with ticks, some transmits ride on probe packets sent anyway
    /// (docs/propagation-benchmark.md, "Traffic").
    func disseminateFreshBroadcasts() {
        guard config.eagerDissemination, started else { return }
        let fresh = broadcasts.entries.first?.transmits == 0 || userBroadcasts.entries.first?.transmits == 0
            || delegate?.hasUnsentBroadcasts == true
        guard fresh else { return }
        gossipRound(peerCount: retransmitLimit)
    }

    /// One gossip round: queued broadcasts to `peerCount` random nodes that are alive,
    /// suspect, or dead within GossipToTheDeadTime (§7.2), as zone routing allows.
    func gossipRound(peerCount: Int) {
        let excluded: (MemberRecord) -> Bool = { record in
            if record.name == self.config.name || !self.zoneSelects(record) { return true }
            switch record.state {
            case .alive, .suspect: return false
            case .dead: return self.now.nanoseconds(since: record.stateChange) > self.gossipToTheDeadNanos
            case .left: return true
            }
        }
        var peers = randomMembers(peerCount, exclude: excluded)
        if config.zoneRouting?.role == .bridge { includePreferredPeer(in: &peers, upTo: peerCount, excluding: excluded) }
        var budget = config.udpBufferSize - PacketBudget.compoundHeaderOverhead - config.labelOverhead
        budget -= config.encryptionOverhead
        for peerIndex in peers {
            scratchMessages.removeAll(keepingCapacity: true)
            collectBroadcasts(overhead: PacketBudget.compoundPartOverhead, limit: budget, into: &scratchMessages)
            if scratchMessages.isEmpty { return }
            let peer = members[peerIndex]
            emitPacket(scratchMessages, to: peer.address, nodeName: peer.name,
                        addCRC: peer.versions.protocolMax >= 5)
        }
    }

    /// Report leave/update operations whose broadcast finished.
    func drainFinishedBroadcasts() {
        guard !broadcasts.finishedNotifications.isEmpty else { return }
        for id in broadcasts.finishedNotifications {
            switch waitingOperations.removeValue(forKey: id) {
            case .leave: out.append(.leaveFinished(id, timedOut: false))
            case .update: out.append(.updateFinished(id, timedOut: false))
            case nil: break
            }
        }
        broadcasts.finishedNotifications.removeAll(keepingCapacity: true)
    }
}
