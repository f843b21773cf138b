import Glibc
import FuzzSupport
import Wire

/// dskit packet framing (dskit-kv-ring.md §1): marker, address, payload, MD5; a frame we
/// decode re-encodes to the same bytes when its digest matched and its address is text
/// (the encoder takes the address as a String; other bytes are the transport's to refuse).
func fuzzDskitFrame(_ data: UnsafeRawBufferPointer) {
    guard let view = try? DskitPacketFrame.decode(data), view.digestMatches,
          Array(view.addressString.utf8) == Array(view.address) else { return }
    var again = WireBuffer()
    guard (try? DskitPacketFrame.encode(address: view.addressString, payload: view.payload, into: &again)) != nil else { return }
    precondition(again.bytes == Array(data), "dskit frame re-encodes differently")
}

exit(FuzzDriver.run(fuzzDskitFrame))
