import Wire

/// Failure detection (memberlist-wire.md §7.1; memberlist `probe`,
/// `probeNode`, `handlePing`, `handleIndirectPing`, ack/nack handlers).
extension MembershipCore {
    /// Probe ticker: every ProbeInterval. While a probe is still running the
    /// tick is remembered once, as Go's ticker channel buffers one tick.
    func probeTick() {
        guard let scheduled = nextProbeTick, now >= scheduled else { return }
        let next = MembershipTiming.nextTick(after: scheduled, interval: probeIntervalNanos, now: now)
        nextProbeTick = next
        out.append(.armTimer(.probeTick, at: next))
        if probe != nil {
            probeTickPending = true
            return
        }
        probeRound()
    }

    /// Probe the next node in round-robin order, skipping ourselves and dead
    /// or left nodes; at the end of the list reap and shuffle (§7.1).
    func probeRound() {
        var checked = 0
        while true {
            if checked >= members.count { return }
            if probeIndex >= members.count {
                resetNodes()
                probeIndex = 0
                checked += 1
                continue
            }
            let record = members[probeIndex]
            probeIndex += 1
            if record.name == config.name || record.isDeadOrLeft || !zoneSelects(record) {
                checked += 1
                continue
            }
            probeNode(record)
            return
        }
    }

    /// Start one probe: ping (alive target, with piggyback) or compound
    /// [ping, suspect] (suspect target, no piggyback) (§7.1).
    func probeNode(_ target: MemberRecord) {
        let interval = MembershipTiming.scaled(probeIntervalNanos, healthScore: awareness.score)
        let ping = Ping(seqNo: nextSeqNo(), node: target.name, sourceAddr: localAddress.ip,
                        sourcePort: localAddress.port, sourceNode: config.name)
        let deadline = now.advanced(byNanoseconds: interval)
        probe = ProbeState(seqNo: ping.seqNo, target: target, ping: ping, sentAt: now, deadline: deadline)
        if target.state == .alive {
            sendMessage(.ping(ping), to: target.address, nodeName: target.name)
        } else {
            let suspect = Suspect(incarnation: target.incarnation, node: target.name, from: config.name)
            out.append(.send(OutgoingPacket(to: target.address, nodeName: target.name,
                                            addCRC: target.versions.protocolMax >= 5,
                                            messages: [.ping(ping), .suspect(suspect)])))
        }
        out.append(.armTimer(.probeTimeout(seqNo: ping.seqNo), at: now.advanced(byNanoseconds: probeTimeoutNanos)))
        out.append(.armTimer(.probeDeadline(seqNo: ping.seqNo), at: deadline))
    }

    /// No direct ack within ProbeTimeout: indirect pings through up to
    /// IndirectChecks alive peers, and the TCP fallback when allowed (§7.1).
    func probeTimedOut(seqNo: UInt32) {
        guard var current = probe, current.seqNo == seqNo, current.phase == .direct else { return }
        startIndirectProbes(&current, withFallback: true)
        probe = current
    }

    private func startIndirectProbes(_ current: inout ProbeState, withFallback: Bool) {
        current.phase = .indirect
        let target = current.target
        let peers = randomMembers(config.indirectChecks) { record in
            record.name == self.config.name || record.name == target.name || record.state != .alive
                || !self.zoneSelects(record)
        }
        for peerIndex in peers {
            let peer = members[peerIndex]
            let wantsNack = peer.versions.protocolMax >= 4
            if wantsNack { current.expectedNacks += 1 }
            let request = IndirectPingRequest(seqNo: current.seqNo, target: target.address.ip,
                                              port: target.address.port, node: target.name, nack: wantsNack,
                                              sourceAddr: localAddress.ip, sourcePort: localAddress.port,
                                              sourceNode: config.name)
            sendMessage(.indirectPing(request), to: peer.address, nodeName: peer.name)
        }
        if withFallback && !config.disableTcpPings && target.versions.protocolMax >= 3 {
            current.fallback = .pending
            out.append(.openStreamPing(StreamPingRequest(to: target.address, nodeName: target.name,
                                                         ping: current.ping, deadline: current.deadline)))
        }
    }

    /// The ack handler's lifetime (the scaled interval) ended without an ack.
    func probeDeadlineReached(seqNo: UInt32) {
        guard var current = probe, current.seqNo == seqNo else { return }
        if current.phase == .direct {
            // ProbeTimeout ≥ the scaled interval: Go still sends the indirect
            // pings, but its fallback has no time left.
            startIndirectProbes(&current, withFallback: false)
        }
        if current.fallback == .pending {
            current.waitingForFallback = true
            probe = current
            return
        }
        probe = current
        concludeProbe()
    }

    /// The TCP fallback reported. It only counts once the deadline passed
    /// without any ack (§7.1).
    func fallbackFinished(seqNo: UInt32, acked: Bool) {
        guard var current = probe, current.seqNo == seqNo, current.fallback == .pending else { return }
        current.fallback = acked ? .contacted : .failed
        probe = current
        if current.waitingForFallback { concludeProbe() }
    }

    /// Decide a probe that got no UDP ack: TCP fallback success counts as
    /// success, otherwise adjust health by missing nacks and suspect the target.
    private func concludeProbe() {
        guard let current = probe else { return }
        probe = nil
        if current.fallback == .contacted {
            awareness.apply(-1)
        } else {
            var delta = 0
            if current.expectedNacks > 0 {
                if current.nacks < current.expectedNacks { delta += current.expectedNacks - current.nacks }
            } else {
                delta += 1
            }
            awareness.apply(delta)
            suspectNode(Suspect(incarnation: current.target.incarnation, node: current.target.name,
                                from: config.name))
        }
        probeFinished()
    }

    /// Run the buffered tick, if any, right away (Go's ticker semantics).
    private func probeFinished() {
        if probeTickPending {
            probeTickPending = false
            probeRound()
        }
    }

    // MARK: Inbound probe traffic

    /// Answer a ping for us (or for no name) to SourceAddr:SourcePort when
    /// both are set, else to the UDP source (§7.1).
    func handlePing(_ ping: Ping, from: NodeAddress) {
        guard ping.node.isEmpty || ping.node == config.name else { return }
        let ack = AckResponse(seqNo: ping.seqNo, payload: delegate?.ackPayload())
        sendMessage(.ack(ack), to: replyAddress(ping.sourceAddr, ping.sourcePort, from), nodeName: ping.sourceNode)
    }

    /// Probe `request.node` on a peer's behalf with our own SeqNo (§7.1).
    func handleIndirectPing(_ request: IndirectPingRequest, from: NodeAddress) {
        let port = (config.protocolVersion < 2 || request.port == 0) ? config.bindPort : request.port
        let localSeqNo = nextSeqNo()
        let ping = Ping(seqNo: localSeqNo, node: request.node, sourceAddr: localAddress.ip,
                        sourcePort: localAddress.port, sourceNode: config.name)
        indirectForwards[localSeqNo] = IndirectForward(
            requesterSeqNo: request.seqNo,
            requester: replyAddress(request.sourceAddr, request.sourcePort, from),
            requesterName: request.sourceNode, wantsNack: request.nack)
        out.append(.armTimer(.indirectProbeTimeout(seqNo: localSeqNo),
                             at: now.advanced(byNanoseconds: probeTimeoutNanos)))
        sendMessage(.ping(ping), to: NodeAddress(ip: request.target, port: port), nodeName: request.node)
    }

    /// Our forwarded ping got no ack within ProbeTimeout: nack if asked.
    func indirectProbeTimedOut(seqNo: UInt32) {
        guard let forward = indirectForwards.removeValue(forKey: seqNo) else { return }
        if forward.wantsNack {
            sendMessage(.nack(NackResponse(seqNo: forward.requesterSeqNo)), to: forward.requester,
                        nodeName: forward.requesterName)
        }
    }

    func handleAck(_ ack: AckResponse) {
        if let current = probe, current.seqNo == ack.seqNo, !current.waitingForFallback, now <= current.deadline {
            probe = nil
            awareness.apply(-1)
            if current.phase == .direct, let delegate {
                var target = current.target.member
                if let index = indexByName[target.name] { target = members[index].member }
                delegate.notifyPingComplete(node: target, roundTripNanoseconds: now.nanoseconds(since: current.sentAt),
                                            payload: ack.payload)
            }
            probeFinished()
            return
        }
        if let forward = indirectForwards.removeValue(forKey: ack.seqNo) {
            sendMessage(.ack(AckResponse(seqNo: forward.requesterSeqNo, payload: nil)), to: forward.requester,
                        nodeName: forward.requesterName)
        }
    }

    /// Count a nack for the running probe (Go's nack channel holds IndirectChecks + 1).
    func handleNack(_ nack: NackResponse) {
        guard var current = probe, current.seqNo == nack.seqNo else { return }
        if current.nacks < config.indirectChecks + 1 { current.nacks += 1 }
        probe = current
    }

    private func replyAddress(_ sourceAddr: IPAddress?, _ sourcePort: UInt16, _ from: NodeAddress) -> NodeAddress {
        if let sourceAddr, sourceAddr.count > 0, sourcePort > 0 {
            return NodeAddress(ip: sourceAddr, port: sourcePort)
        }
        return from
    }
}
