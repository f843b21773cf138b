import Wire

/// Anti-entropy and the join/leave/update operations (memberlist-wire.md
/// §7.3, §9; memberlist `pushPull`, `Join`, `Leave`, `UpdateNode`).
extension MembershipCore {
    /// Push/pull ticker: every PushPullInterval × pushPullScale(n), one random
    /// alive peer (§7.3). The next tick is armed when this one fires (Go arms
    /// it after the exchange completes, at most TCPTimeout later).
    func pushPullTick() {
        guard let scheduled = nextPushPullTick, now >= scheduled else { return }
        let scale = MembershipTiming.pushPullScale(nodeCount: members.count)
        let next = now.advanced(byNanoseconds: pushPullIntervalNanos &* Int64(scale))
        nextPushPullTick = next
        out.append(.armTimer(.pushPullTick, at: next))
        let peers = randomMembers(1) { record in
            record.name == self.config.name || record.state != .alive || !self.zoneSelects(record)
        }
        guard let peerIndex = peers.first else { return }
        let peer = members[peerIndex]
        openPushPull(to: peer.address, nodeName: peer.name, join: false, purpose: .periodic(peer.address))
    }

    func openPushPull(to address: NodeAddress, nodeName: String, join: Bool, purpose: PushPullPurpose) {
        nextPushPullID &+= 1
        pendingPushPulls[nextPushPullID] = purpose
        out.append(.openPushPull(PushPullRequest(id: nextPushPullID, to: address, nodeName: nodeName,
                                                 state: localState(join: join), timeout: config.tcpTimeout)))
    }

    /// Merge a finished exchange and account for it in its join, if any.
    func finishPushPull(_ id: UInt64, result: Result<PushPullState, PushPullFailure>) {
        guard let purpose = pendingPushPulls.removeValue(forKey: id) else { return }
        var failure: String?
        switch purpose {
        case .periodic(let peer):
            if started, case .success(let remote) = result {
                mergeRemote(remote, join: false, peer: peer)
            }
        case .join(_, let target):
            switch result {
            case .success(let remote):
                if let rejection = mergeRemote(remote, join: true, peer: target.address) {
                    failure = "\(rejection)"
                }
            case .failure(let error):
                failure = "\(error)"
            }
        }
        guard case .join(let operation, let target) = purpose, var progress = joins[operation] else { return }
        progress.outstanding -= 1
        if let failure {
            progress.failures.append(JoinFailure(target: target, reason: failure))
        } else {
            progress.successes += 1
        }
        if progress.outstanding <= 0 {
            joins[operation] = nil
            out.append(.joinFinished(operation, successes: progress.successes, failures: progress.failures))
        } else {
            joins[operation] = progress
        }
    }

    func newOperationID() -> OperationID {
        nextOperationID &+= 1
        return OperationID(rawValue: nextOperationID)
    }

    /// One push/pull with Join=true per target, all at once (Go runs them one
    /// after another; the outcome counts are the same).
    func startJoin(_ targets: [JoinTarget]) -> OperationID {
        let id = newOperationID()
        guard started, !targets.isEmpty else {
            out.append(.joinFinished(id, successes: 0, failures: targets.map {
                JoinFailure(target: $0, reason: started ? "no targets" : "not started")
            }))
            return id
        }
        joins[id] = JoinProgress(outstanding: targets.count)
        for target in targets {
            openPushPull(to: target.address, nodeName: target.name, join: true, purpose: .join(id, target))
        }
        return id
    }

    /// Leave (§9): dead{own incarnation, Node = From = us}; wait for the
    /// broadcast if any other node is alive.
    func startLeave(timeout: Duration?) -> OperationID {
        let id = newOperationID()
        guard started, !hasLeft, let index = indexByName[config.name] else {
            out.append(.leaveFinished(id, timedOut: false))
            return id
        }
        hasLeft = true
        let record = members[index]
        deadNode(Dead(incarnation: record.incarnation, node: record.name, from: record.name), notify: id)
        wait(for: id, .leave, timeout: timeout)
        return id
    }

    /// UpdateNode (§9): alive with the next incarnation and the new metadata.
    func startUpdate(meta: [UInt8]?, timeout: Duration?) -> OperationID {
        let id = newOperationID()
        guard let index = indexByName[config.name] else {
            out.append(.updateFinished(id, timedOut: false))
            return id
        }
        localMeta = meta
        let record = members[index]
        let alive = Alive(incarnation: nextIncarnation(), node: config.name, addr: record.address.ip,
                          port: record.address.port, meta: meta, vsn: config.versions.bytes)
        aliveNode(alive, notify: id, bootstrap: true)
        wait(for: id, .update, timeout: timeout)
        return id
    }

    private func wait(for id: OperationID, _ kind: WaitingOperation, timeout: Duration?) {
        guard anyOtherAlive() else {
            out.append(kind == .leave ? .leaveFinished(id, timedOut: false) : .updateFinished(id, timedOut: false))
            return
        }
        waitingOperations[id] = kind
        if let timeout, timeout > .zero {
            out.append(.armTimer(.operationTimeout(id), at: now.advanced(by: timeout)))
        }
    }

    func operationTimedOut(_ id: OperationID) {
        switch waitingOperations.removeValue(forKey: id) {
        case .leave: out.append(.leaveFinished(id, timedOut: true))
        case .update: out.append(.updateFinished(id, timedOut: true))
        case nil: break
        }
    }
}
