import EventLoop
import Membership
import MonotonicTime
import Transport
import Wire

/// Streams (memberlist-wire.md §4): push/pull, fallback ping and reliable
/// user messages, both directions.
extension GossipNode {
    // MARK: outbound

    /// `openPushPull`: send our state, read the peer's, report to the core (§4.2).
    func startPushPull(_ request: PushPullRequest) {
        let id = request.id
        guard let destination = request.to.socketAddress else {
            finishPushPull(id, .failure(.transport("cannot dial \(request.to)")))
            return
        }
        let deadline = MonotonicInstant.now().advanced(by: request.timeout)
        if logger.enabled(.debug) {
            logger.debug("push/pull", ("peer", "\(destination)"), ("join", "\(request.state.join)"))
        }
        runExchange(to: destination, request: .pushPull(request.state), expectsReply: true, deadline: deadline) {
            [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let reason):
                self.finishPushPull(id, .failure(.transport(reason.description)))
            case .success(.pushPull(let state)):
                self.finishPushPull(id, .success(state))
            case .success(.error(let response)):
                self.finishPushPull(id, .failure(.remoteError(response.error)))
            case .success(let other):
                self.finishPushPull(id, .failure(.malformedReply("expected pushPull, got \(other.map { "\($0.type)" } ?? "nothing")")))
            }
        }
    }

    private func finishPushPull(_ id: UInt64, _ result: Result<PushPullState, PushPullFailure>) {
        switch result {
        case .failure(let failure): logger.debug("push/pull failed", ("reason", "\(failure)"))
        case .success(let state): logger.debug("push/pull done", ("nodes", "\(state.nodes.count)"))
        }
        core.pushPullFinished(id, result: result, at: MonotonicInstant.now(), into: &effects)
        drain()
    }

    /// `openStreamPing`: TCP fallback ping, acked when the reply is an ack with our SeqNo (§4.4).
    func startStreamPing(_ request: StreamPingRequest) {
        let seqNo = request.ping.seqNo
        guard let destination = request.to.socketAddress else {
            finishStreamPing(seqNo, acked: false)
            return
        }
        runExchange(to: destination, request: .ping(request.ping), expectsReply: true,
                    deadline: request.deadline) { [weak self] result in
            guard let self else { return }
            if case .success(.ack(let ack)) = result, ack.seqNo == seqNo {
                self.finishStreamPing(seqNo, acked: true)
            } else {
                self.finishStreamPing(seqNo, acked: false)
            }
        }
    }

    private func finishStreamPing(_ seqNo: UInt32, acked: Bool) {
        core.streamPingFinished(seqNo: seqNo, acked: acked, at: MonotonicInstant.now(), into: &effects)
        drain()
    }

    /// Sends `payload` as a reliable user message over a stream (§4.3).
    public func sendReliable(_ payload: [UInt8], to address: SocketAddress,
                             completion: @escaping (Result<Void, NodeError>) -> Void) {
        let deadline = MonotonicInstant.now().advanced(by: config.membership.tcpTimeout)
        runExchange(to: address, request: .user(payload), expectsReply: false, deadline: deadline) { result in
            switch result {
            case .success: completion(.success(()))
            case .failure(let reason): completion(.failure(.stream(reason)))
            }
        }
    }

    private func runExchange(to destination: SocketAddress, request: Message, expectsReply: Bool,
                             deadline: MonotonicInstant, _ completion: @escaping (Result<Message?, ExchangeFailure>) -> Void) {
        guard !isShutDown else {
            completion(.failure(ExchangeFailure("node shut down")))
            return
        }
        var key: ObjectIdentifier?
        let exchange = StreamExchange(security: security, expectsReply: expectsReply, node: self) { [weak self] result in
            if let key { self?.exchanges[key] = nil }
            completion(result)
        }
        key = ObjectIdentifier(exchange)
        exchanges[ObjectIdentifier(exchange)] = exchange
        exchange.run(transport: transport, to: destination, request: request, deadline: deadline, security: security)
    }

    /// Decodes the next message of a stream, inflating at most what the node's stream
    /// budget allows now (issue #12: like packets, streams cannot make the loop inflate
    /// without bound; each stream message at most 40 MiB, memberlist-wire.md §4.1).
    func decodeStream(_ decoder: inout StreamDecoder, _ bytes: UnsafeRawBufferPointer) throws(StreamError)
        -> (message: Message, consumed: Int)? {
        let limit = streamInflationBudget.limit(at: MonotonicInstant.now().nanoseconds)
        decoder.security.decompressionLimit = min(WireLimits.maxDecompressedLength, limit)
        defer { streamInflationBudget.charge(decoder.inflatedBytes) }
        return try decoder.decode(bytes)
    }

    // MARK: inbound

    /// Inbound streams open at once; more are closed unanswered and counted in
    /// `streamsRefused` (memberlist-wire.md §4.2: Go caps concurrent push/pulls at 128).
    static let maxInboundStreams = 128

    /// A peer opened a stream: read one request within the stream timeout.
    func streamAccepted(_ stream: TransportStream) {
        guard !isShutDown else {
            stream.close()
            return
        }
        guard inboundStreams.count < Self.maxInboundStreams else {
            // Go v0.2.2 refuses push/pulls beyond 128 in flight the same way: closed unanswered.
            counters.streamsRefused += 1
            if logger.enabled(.debug) {
                logger.debug("inbound stream refused", ("peer", "\(stream.remoteAddress)"),
                             ("open", "\(inboundStreams.count)"))
            }
            stream.close()
            return
        }
        if logger.enabled(.debug) { logger.debug("inbound stream", ("peer", "\(stream.remoteAddress)")) }
        let handler = InboundStreamHandler(stream: stream, security: security, node: self)
        inboundStreams[ObjectIdentifier(handler)] = handler
        handler.begin(deadline: MonotonicInstant.now().advanced(by: config.membership.tcpTimeout))
    }

    /// Answers one stream request: ping → ack (or silence when it names
    /// another node), pushPull → our state then merge, user → deliver;
    /// anything else → errResp (§4).
    func streamRequest(_ message: Message, on handler: InboundStreamHandler) {
        switch message {
        case .ping(let ping):
            if let ack = core.answerStreamPing(ping) {
                handler.reply(.ack(ack))
            } else {
                handler.close()
            }
        case .pushPull(let remote):
            let reply = core.answerPushPull(remote, from: NodeAddress(handler.stream.remoteAddress),
                                            at: MonotonicInstant.now(), into: &effects)
            handler.reply(.pushPull(reply))
            drain()
        case .user(let payload):
            userMessageArrived(payload)
            handler.close()
            drain()
        default:
            streamFailed(handler, reason: "unexpected", detail: "\(message.type) is not a stream request")
            handler.reply(.error(ErrorResponse(error: "unexpected message type \(message.type.rawValue)")))
        }
    }

    func streamFailed(_ handler: InboundStreamHandler, reason: String, detail: String) {
        counters.streamsFailed[reason, default: 0] += 1
        if logger.enabled(.debug) {
            logger.debug("inbound stream failed", ("peer", "\(handler.stream.remoteAddress)"),
                         ("reason", reason), ("detail", detail))
        }
    }

    func streamFinished(_ handler: InboundStreamHandler) {
        inboundStreams[ObjectIdentifier(handler)] = nil
    }
}
