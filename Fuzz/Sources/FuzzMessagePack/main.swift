import Glibc
import FuzzSupport
import Wire

/// Every message body (msgpack, memberlist-wire.md §2): packet and stream forms, with the
/// node-name cache; a decoded message re-encodes and decodes to itself.
nonisolated(unsafe) var names = NodeNameInterner(capacity: 64)

func fuzzMessagePack(_ data: UnsafeRawBufferPointer) {
    if let message = try? Message.decode(data, names: &names) {
        var encoded = WireBuffer()
        message.encode(into: &encoded)
        let again = encoded.withUnsafeBytes { try? Message.decode($0) }
        precondition(again == message, "message does not survive a round trip")
    }
    _ = try? Message.decodeStreamMessage(data)
}

exit(FuzzDriver.run(fuzzMessagePack))
