import Wire

/// The per-name state rules of memberlist-wire.md §7.4 (memberlist
/// `aliveNode`, `suspectNode`, `deadNode`, `refute`, `mergeState`).
extension MembershipCore {
    /// Alive rule (§7.4). `bootstrap` is true for our own start-up and
    /// metadata updates, which are applied rather than refuted.
    func aliveNode(_ alive: Alive, notify: OperationID?, bootstrap: Bool) {
        let isLocal = alive.node == config.name
        if hasLeft && isLocal { return }
        if alive.vsn.count >= 3 {
            let pMin = alive.vsn[0], pMax = alive.vsn[1]
            if pMin == 0 || pMax == 0 || pMin > pMax { return }
        }
        let address = NodeAddress(ip: alive.addr, port: alive.port)
        var updatesNode = false
        let index: Int
        if let known = indexByName[alive.node] {
            index = known
            let record = members[known]
            if record.address != address {
                let canReclaim = deadNodeReclaimNanos > 0
                    && now.nanoseconds(since: record.stateChange) > deadNodeReclaimNanos
                if record.state == .left || (record.state == .dead && canReclaim) {
                    updatesNode = true
                } else {
                    let other = Member(name: alive.node, address: address, meta: alive.meta,
                                       incarnation: alive.incarnation, state: .alive,
                                       versions: ProtocolVersions(bytes: alive.vsn) ?? .zero, stateChange: now)
                    out.append(.event(.conflict(existing: record.member, other: other)))
                    return
                }
            }
        } else {
            // Go first inserts the node as dead with incarnation 0, so an alive
            // with incarnation 0 changes nothing; we skip the placeholder.
            if alive.incarnation == 0 && !isLocal { return }
            let record = MemberRecord(name: alive.node, address: address, meta: alive.meta, incarnation: 0,
                                      state: .dead, versions: ProtocolVersions(bytes: alive.vsn) ?? .zero,
                                      stateChange: now, suspicion: nil)
            index = insertAtRandomPosition(record)
        }

        let current = members[index]
        if alive.incarnation <= current.incarnation && !isLocal && !updatesNode { return }
        if alive.incarnation < current.incarnation && isLocal { return }

        members[index].suspicion = nil
        let oldState = current.state
        let oldMeta = current.meta

        if !bootstrap && isLocal {
            if alive.incarnation == current.incarnation && bytesEqual(alive.meta, current.meta)
                && alive.vsn == current.versions.bytes {
                return
            }
            refute(index, accusedIncarnation: alive.incarnation)
        } else {
            queueBroadcast(.alive(alive), key: alive.node, notify: notify)
            if let versions = ProtocolVersions(bytes: alive.vsn) { members[index].versions = versions }
            members[index].incarnation = alive.incarnation
            members[index].meta = alive.meta
            members[index].address = address
            if members[index].state != .alive {
                members[index].state = .alive
                members[index].stateChange = now
            }
        }

        if oldState == .dead || oldState == .left {
            out.append(.event(.joined(members[index].member)))
        } else if !bytesEqual(oldMeta, members[index].meta) {
            out.append(.event(.updated(members[index].member)))
        }
    }

    /// Suspect rule (§7.4) and the start of a Lifeguard suspicion (§7.5).
    func suspectNode(_ suspect: Suspect) {
        guard let index = indexByName[suspect.node] else { return }
        if suspect.incarnation < members[index].incarnation { return }

        if members[index].suspicion != nil {
            if members[index].suspicion?.confirm(from: suspect.from) == true,
               let suspicion = members[index].suspicion {
                queueBroadcast(.suspect(suspect), key: suspect.node)
                armSuspicionTimer(node: suspect.node, suspicion)
            }
            return
        }
        if members[index].state != .alive { return }
        if suspect.node == config.name {
            refute(index, accusedIncarnation: suspect.incarnation)
            return
        }
        queueBroadcast(.suspect(suspect), key: suspect.node)

        members[index].incarnation = suspect.incarnation
        members[index].state = .suspect
        members[index].stateChange = now

        let nodeCount = members.count
        var k = config.suspicionMult - 2
        if nodeCount - 2 < k { k = 0 }
        let minimum = MembershipTiming.suspicionMinimum(suspicionMult: config.suspicionMult, nodeCount: nodeCount,
                                                        probeInterval: probeIntervalNanos)
        let maximum = Int64(config.suspicionMaxTimeoutMult) &* minimum
        suspicionGeneration &+= 1
        let suspicion = Suspicion(from: suspect.from, k: k, minimum: minimum, maximum: maximum,
                                  start: now, generation: suspicionGeneration)
        members[index].suspicion = suspicion
        armSuspicionTimer(node: suspect.node, suspicion)
        out.append(.event(.suspected(members[index].member)))
    }

    private func armSuspicionTimer(node: String, _ suspicion: Suspicion) {
        let at = Swift.max(suspicion.deadline, now)
        out.append(.armTimer(.suspicion(node: node, generation: suspicion.generation), at: at))
    }

    /// A suspicion timer fired: still suspect under the same suspicion → dead
    /// with the known incarnation, From = us (§7.5).
    func suspicionExpired(node: String, generation: UInt64) {
        guard let index = indexByName[node], members[index].state == .suspect,
              let suspicion = members[index].suspicion, suspicion.generation == generation,
              now >= suspicion.deadline else { return }
        deadNode(Dead(incarnation: members[index].incarnation, node: node, from: config.name))
    }

    /// Dead rule (§7.4): From == Node means the node left.
    func deadNode(_ dead: Dead, notify: OperationID? = nil) {
        guard let index = indexByName[dead.node] else { return }
        if dead.incarnation < members[index].incarnation { return }
        members[index].suspicion = nil
        if members[index].isDeadOrLeft { return }

        if dead.node == config.name {
            if !hasLeft {
                refute(index, accusedIncarnation: dead.incarnation)
                return
            }
            queueBroadcast(.dead(dead), key: dead.node, notify: notify)
        } else {
            queueBroadcast(.dead(dead), key: dead.node)
        }

        members[index].incarnation = dead.incarnation
        members[index].state = dead.node == dead.from ? .left : .dead
        members[index].stateChange = now
        let member = members[index].member
        out.append(.event(member.state == .left ? .left(member) : .failed(member)))
    }

    /// Refute an accusation about ourselves: incarnation max(local+1,
    /// accused+1), health +1, broadcast our alive (§7.4). Go keys this
    /// broadcast by our IP string rather than our name; so do we.
    func refute(_ index: Int, accusedIncarnation: UInt32) {
        var newIncarnation = nextIncarnation()
        if accusedIncarnation >= newIncarnation {
            incarnation = accusedIncarnation &+ 1
            newIncarnation = incarnation
        }
        members[index].incarnation = newIncarnation
        awareness.apply(1)
        let record = members[index]
        let alive = Alive(incarnation: newIncarnation, node: record.name, addr: record.address.ip,
                          port: record.address.port, meta: record.meta, vsn: record.versions.bytes)
        queueBroadcast(.alive(alive), key: record.address.ip.description)
    }

    /// Merge a peer's push/pull node list (§7.4): alive → alive rule; left →
    /// dead with From = Name; dead or suspect → suspect with From = us.
    func mergeState(_ remote: [PushNodeState]) {
        for var node in remote {
            if config.protocolVersion < 2 || node.port == 0 { node.port = config.bindPort }
            switch node.state {
            case .alive:
                aliveNode(Alive(incarnation: node.incarnation, node: node.name, addr: node.addr, port: node.port,
                                meta: node.meta, vsn: node.vsn), notify: nil, bootstrap: false)
            case .left:
                deadNode(Dead(incarnation: node.incarnation, node: node.name, from: node.name))
            case .dead, .suspect:
                suspectNode(Suspect(incarnation: node.incarnation, node: node.name, from: config.name))
            }
        }
    }

    /// memberlist `verifyProtocol` (§7.4): every node, local and remote, must
    /// speak a protocol and delegate version inside the range all alive nodes understand.
    func verifyProtocol(_ remote: [PushNodeState]) -> MergeRejection? {
        var maxPMin: UInt8 = 0, minPMax: UInt8 = .max, maxDMin: UInt8 = 0, minDMax: UInt8 = .max
        for node in remote where node.state == .alive && node.vsn.count >= 5 {
            maxPMin = Swift.max(maxPMin, node.vsn[0])
            minPMax = Swift.min(minPMax, node.vsn[1])
            maxDMin = Swift.max(maxDMin, node.vsn[3])
            minDMax = Swift.min(minDMax, node.vsn[4])
        }
        for record in members where record.state == .alive {
            maxPMin = Swift.max(maxPMin, record.versions.protocolMin)
            minPMax = Swift.min(minPMax, record.versions.protocolMax)
            maxDMin = Swift.max(maxDMin, record.versions.delegateMin)
            minDMax = Swift.min(minDMax, record.versions.delegateMax)
        }
        func check(_ name: String, _ pCur: UInt8, _ dCur: UInt8) -> MergeRejection? {
            if pCur < maxPMin || pCur > minPMax {
                return .protocolVersion(node: name, current: pCur, min: maxPMin, max: minPMax)
            }
            if dCur < maxDMin || dCur > minDMax {
                return .delegateVersion(node: name, current: dCur, min: maxDMin, max: minDMax)
            }
            return nil
        }
        for node in remote {
            let pCur = node.vsn.count > 2 ? node.vsn[2] : 0
            let dCur = node.vsn.count > 5 ? node.vsn[5] : 0
            if let rejection = check(node.name, pCur, dCur) { return rejection }
        }
        for record in members {
            if let rejection = check(record.name, record.versions.protocolCurrent, record.versions.delegateCurrent) {
                return rejection
            }
        }
        return nil
    }

    /// Verify, merge nodes, then hand user state to the delegate (memberlist
    /// `mergeRemoteState`). Returns the rejection, if any.
    @discardableResult
    func mergeRemote(_ remote: PushPullState, join: Bool, peer: NodeAddress) -> MergeRejection? {
        if let rejection = verifyProtocol(remote.nodes) {
            out.append(.mergeRejected(peer: peer, reason: rejection))
            return rejection
        }
        mergeState(remote.nodes)
        if !remote.userState.isEmpty { delegate?.mergeRemoteState(remote.userState, join: join) }
        return nil
    }

    // MARK: Node list

    /// Insert at a random index, moving the occupant to the end (Go's
    /// `aliveNode` insertion), and return the new record's index.
    func insertAtRandomPosition(_ record: MemberRecord) -> Int {
        let count = members.count
        let offset = randomIndex(count)
        members.append(record)
        if offset != count {
            members.swapAt(offset, count)
            indexByName[members[count].name] = count
        }
        indexByName[record.name] = offset
        if Self.looksLikeIP(record.name) { membersNamedLikeIP += 1 }
        return offset
    }

    /// End of a probe round: reap dead and left nodes whose state is older
    /// than GossipToTheDeadTime, then shuffle (memberlist `resetNodes`, §7.1).
    func resetNodes() {
        var kept = 0
        for index in members.indices {
            let record = members[index]
            if record.isDeadOrLeft && now.nanoseconds(since: record.stateChange) > gossipToTheDeadNanos {
                continue
            }
            if kept != index { members[kept] = record }
            kept += 1
        }
        if kept < members.count { members.removeSubrange(kept...) }
        members.shuffle(using: &random)
        indexByName.removeAll(keepingCapacity: true)
        membersNamedLikeIP = 0
        for (index, record) in members.enumerated() {
            indexByName[record.name] = index
            if Self.looksLikeIP(record.name) { membersNamedLikeIP += 1 }
        }
    }

    /// Any node other than us that is not dead or left (memberlist `anyAlive`).
    func anyOtherAlive() -> Bool {
        members.contains { !$0.isDeadOrLeft && $0.name != config.name }
    }

    /// Up to `k` distinct random member indices not rejected by `exclude`,
    /// trying at most 3n times (memberlist `kRandomNodes`). Reuses scratch space.
    func randomMembers(_ k: Int, exclude: (MemberRecord) -> Bool) -> [Int] {
        scratchIndices.removeAll(keepingCapacity: true)
        let count = members.count
        var attempt = 0
        outer: while attempt < 3 * count && scratchIndices.count < k {
            attempt += 1
            let index = randomIndex(count)
            if exclude(members[index]) { continue }
            for chosen in scratchIndices where chosen == index { continue outer }
            scratchIndices.append(index)
        }
        return scratchIndices
    }

    /// Could `name` be what Go's net.IP.String() prints? Only such names can
    /// match the CRC look-up by address (§3.3).
    static func looksLikeIP(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        return (first >= 0x30 && first <= 0x39) || name.utf8.contains(0x3A)
    }
}
