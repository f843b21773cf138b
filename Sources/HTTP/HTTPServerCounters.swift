/// What an HTTP server counted since it started (exported by the admin
/// listener as `<prefix>_memberlistd_http_*`).
public struct HTTPServerCounters: Sendable, Equatable {
    public var connectionsAccepted = 0
    /// Closed on accept because `maxConnections` were open.
    public var connectionsRefused = 0
    /// Closed because a request or the idle period ran out, or a response was not taken.
    public var connectionsTimedOut = 0
    /// Event streams opened, and refused because `maxEventStreams` were open.
    public var eventStreamsOpened = 0
    public var eventStreamsRefused = 0
    /// Responses sent, by status code.
    public var responses: [Int: Int] = [:]

    public init() {}
}
