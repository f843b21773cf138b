/// Why a push/pull stream did not produce a remote state.
public enum PushPullFailure: Error, Hashable, Sendable {
    /// Dial, read, write or deadline failure.
    case transport(String)
    /// The peer replied with an errResp (§4.5).
    case remoteError(String)
    /// The reply was not a push/pull message or did not decode.
    case malformedReply(String)
}
