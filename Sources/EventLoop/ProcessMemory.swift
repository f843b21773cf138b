import CShims

/// Allocator settings the daemon applies once at start (ARCHITECTURE.md, "Footprint").
public enum ProcessMemory {
    /// Buffers larger than this are mapped on their own and unmapped when freed.
    public static let mmapThreshold = 256 * 1024

    /// Fixes glibc's mmap threshold at `mmapThreshold`, so RSS comes back down after an
    /// outlier (a push/pull, a large packet's inflation). glibc's default raises the
    /// threshold after the first large free, after which such buffers stay in the heap
    /// (issue #12: RSS stayed at 42 MB after 20 hostile packets, idle is 6.6 MB).
    /// - Returns: false when glibc refused the setting.
    @discardableResult
    public static func unmapLargeBuffers() -> Bool {
        cshims_set_mmap_threshold(Int32(mmapThreshold)) == 1
    }

    /// Makes OpenSSL reuse its small blocks instead of calling malloc for each
    /// (`cshims_openssl_recycle_small_blocks`): OpenSSL 3.0 allocates and frees 40-byte
    /// bookkeeping for every TLS record it writes or reads, so without this every packet
    /// on an established TLS connection allocates (issue 14; docs/benchmarks.md). Call
    /// before anything uses OpenSSL.
    /// - Returns: false when OpenSSL had already allocated (it then stays on glibc).
    @discardableResult
    public static func recycleOpenSSLSmallBlocks() -> Bool {
        cshims_openssl_recycle_small_blocks() == 1
    }
}
