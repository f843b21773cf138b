extension WireBuffer {
    /// Write access to the written bytes in place, keeping the body's typed error; used to
    /// encrypt a packet inside the buffer it was built in (memberlist-wire.md §5).
    mutating func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var result: Result<R, E>?
        storage.withUnsafeMutableBytes { raw in
            do throws(E) { result = .success(try body(raw)) } catch { result = .failure(error) }
        }
        switch result {
        case .success(let value)?: return value
        case .failure(let error)?: throw error
        case nil: preconditionFailure("withUnsafeMutableBytes did not call its body")
        }
    }
}
