/// Lets a socket created during a transport's `init` call back into the
/// transport once it exists: the socket's callback captures the relay, and
/// the transport fills `target` at the end of its initializer. Weak, so a
/// transport that is gone is never called.
final class CallbackRelay<Target: AnyObject> {
    weak var target: Target?
}
