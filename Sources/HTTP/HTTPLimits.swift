/// Bounds on what one client may send and hold (ARCHITECTURE.md, "Every input
/// from a peer has a budget"; issue 10, "Limits and errors").
public struct HTTPLimits: Sendable {
    /// Longest request line (method, target, version); longer is 414.
    public var maxRequestLineBytes = 8 * 1024
    /// Largest header section, request line included; larger is 431.
    public var maxHeaderBytes = 16 * 1024
    /// Most header fields; more is 431.
    public var maxHeaderCount = 100
    /// Largest `Content-Length` body; larger is 413.
    public var maxBodyBytes = 1024 * 1024
    /// Open connections at once; later ones are closed on accept.
    public var maxConnections = 64
    /// Open event streams (server-sent events) at once, counted apart from
    /// `maxConnections`' request traffic: a stream holds its connection for
    /// as long as the client listens; more are answered 503.
    public var maxEventStreams = 16
    /// How long a connection may sit between requests.
    public var idleTimeout: Duration = .seconds(60)
    /// How long a request may take to arrive once its first byte did
    /// (a client trickling bytes, slowloris, is cut off here).
    public var requestTimeout: Duration = .seconds(10)
    /// How long a response may wait for the client to take it.
    public var writeTimeout: Duration = .seconds(30)
    /// Reads of up to 64 KiB per readable event per connection: one client's
    /// share of a loop iteration.
    public var readsPerWakeup = 1
    /// Queued response bytes above which the connection stops reading
    /// (a pipelining client that does not read its answers).
    public var outputHighWater = 256 * 1024

    public init() {}
}
