import CShims

/// What a watched file descriptor should wake the loop for (level-triggered epoll).
public struct IOInterest: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let read = IOInterest(rawValue: 1)
    public static let write = IOInterest(rawValue: 2)

    var epollMask: UInt32 {
        // No EPOLLRDHUP: after the peer's FIN it would stay raised (level-
        // triggered) even once reading stopped; EOF is seen as recv() == 0.
        var mask: UInt32 = 0
        if contains(.read) { mask |= CSHIMS_EPOLLIN }
        if contains(.write) { mask |= CSHIMS_EPOLLOUT }
        return mask
    }
}

/// Readiness reported by epoll for one descriptor.
public struct IOEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let readable = IOEvents(rawValue: 1)
    public static let writable = IOEvents(rawValue: 2)
    /// EPOLLERR: a pending socket error (read it with SO_ERROR or the next IO call).
    public static let error = IOEvents(rawValue: 4)
    /// EPOLLHUP: both directions are closed.
    public static let hangup = IOEvents(rawValue: 8)
    /// EPOLLRDHUP: the peer shut down its writing side.
    public static let readHangup = IOEvents(rawValue: 16)

    init(epollMask mask: UInt32) {
        var events: IOEvents = []
        if mask & CSHIMS_EPOLLIN != 0 { events.insert(.readable) }
        if mask & CSHIMS_EPOLLOUT != 0 { events.insert(.writable) }
        if mask & CSHIMS_EPOLLERR != 0 { events.insert(.error) }
        if mask & CSHIMS_EPOLLHUP != 0 { events.insert(.hangup) }
        if mask & CSHIMS_EPOLLRDHUP != 0 { events.insert(.readHangup) }
        self = events
    }
}
