/// A response that stays open as a stream of server-sent events (the HTML
/// living standard's `text/event-stream`): the head is sent without a length
/// and the body ends when either side closes. The sidecar's watch routes use
/// it (issue 10). Loop thread only; sends after the end are ignored.
public final class HTTPEventStream {
    /// Called once when the stream ends (client gone, too slow, or `close`).
    public var onClose: (() -> Void)?
    public private(set) var isOpen = true
    private let write: ([UInt8]) -> Bool
    private let finish: () -> Void

    init(write: @escaping ([UInt8]) -> Bool, finish: @escaping () -> Void) {
        self.write = write
        self.finish = finish
    }

    /// One event: `event: <name>` (when given) and `data:` lines, then a blank
    /// line. A newline in `data` starts another `data:` line, as the format
    /// requires. A client that does not take its events ends the stream.
    public func send(event name: String?, data: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.utf8.count + 32)
        if let name {
            bytes.append(contentsOf: "event: ".utf8)
            bytes.append(contentsOf: name.utf8.filter { $0 != 0x0A && $0 != 0x0D })
            bytes.append(0x0A)
        }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            bytes.append(contentsOf: "data: ".utf8)
            bytes.append(contentsOf: line.utf8.filter { $0 != 0x0D })
            bytes.append(0x0A)
        }
        bytes.append(0x0A)
        deliver(bytes)
    }

    /// A comment line (`: text`), which clients ignore: keeps idle proxies from closing.
    public func comment(_ text: String) {
        deliver(Array(": \(text)\n\n".utf8.filter { $0 != 0x0D }))
    }

    /// Ends the stream and its connection.
    public func close() {
        guard isOpen else { return }
        finish()
        ended()
    }

    private func deliver(_ bytes: [UInt8]) {
        guard isOpen else { return }
        if !write(bytes) { close() }
    }

    /// The connection ended: report it once.
    func ended() {
        guard isOpen else { return }
        isOpen = false
        let onClose = self.onClose
        self.onClose = nil
        onClose?()
    }
}
