import EventLoop

extension EventLoop {
    /// Connects an outbound stream (memberlist-wire.md §4) the way both transports do: none
    /// once the transport is `shutDown` (reported on the next loop turn), a connection that
    /// completes after `owner` (the transport) is gone is closed and reported as shut down,
    /// and a failed connect is counted in `outgoingStreamErrors` and reported.
    /// `connected` gets the new connection; writing a transport's preamble and wrapping the
    /// connection as a `TransportStream` stay with the transport.
    func connectStream(to destination: SocketAddress, timeout: Duration, shutDown: Bool, tls: TLSContext? = nil,
                       counters: CounterStore, owner: AnyObject,
                       _ completion: @escaping (Result<TransportStream, TransportError>) -> Void,
                       connected: @escaping (TCPConnection) -> Void) {
        guard !shutDown else {
            execute { _ in completion(.failure(.shutDown)) }
            return
        }
        connectTCP(to: destination.unmappingIPv4, timeout: timeout, tls: tls) { [weak owner] result in
            guard owner != nil else {
                if case .success(let connection) = result { connection.close() }
                completion(.failure(.shutDown))
                return
            }
            switch result {
            case .failure(let error):
                counters.values.outgoingStreamErrors += 1
                completion(.failure(.connection(error)))
            case .success(let connection):
                connected(connection)
            }
        }
    }
}
