import EventLoop

/// Lets a socket created during a transport's `init` call back into the
/// transport once it exists: the socket's callback captures the relay, and
/// the transport fills `target` at the end of its initializer. Weak, so a
/// transport that is gone is never called.
final class CallbackRelay<Target: AnyObject> {
    weak var target: Target?
}

/// A transport whose listener hands it accepted connections through a relay.
protocol AcceptingTransport: AnyObject {
    var store: CounterStore { get }
    func accepted(_ connection: TCPConnection)
}

extension CallbackRelay where Target: AcceptingTransport {
    /// A listener's accept callback: the transport takes the connection, or it is closed
    /// when the transport is gone.
    func accept(_ connection: TCPConnection) {
        if let target { target.accepted(connection) } else { connection.close() }
    }

    /// A listener's accept-error callback: counted in `acceptErrors`.
    func countAcceptError() {
        target?.store.values.acceptErrors += 1
    }
}
