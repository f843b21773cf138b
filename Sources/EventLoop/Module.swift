/// The epoll event loop that owns the hot path (ARCHITECTURE.md).
public enum EventLoopModule {}
