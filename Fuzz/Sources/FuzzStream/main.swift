import Glibc
import FuzzSupport
import Wire

/// The stream decoder (memberlist-wire.md §4) fed in chunks, as a socket delivers them:
/// bit 7 of the selector splits the input in 7-byte chunks, else it is fed whole. Every
/// chunked answer must agree with the one-shot answer.
func fuzzStream(_ data: UnsafeRawBufferPointer) {
    guard let (security, bytes) = FuzzSecurity.split(data) else { return }
    let accepted = data[0] & 0x40 == 0
    var whole = StreamDecoder(security: security, acceptedStream: accepted, maxBufferedBytes: 1 << 20)
    let oneShot = Result { try whole.decode(bytes) }
    guard data[0] & 0x80 != 0 else { return }
    var chunked = StreamDecoder(security: security, acceptedStream: accepted, maxBufferedBytes: 1 << 20)
    var length = 0
    while length < bytes.count {
        length = min(bytes.count, length + 7)
        let answer = Result { try chunked.decode(UnsafeRawBufferPointer(rebasing: bytes[..<length])) }
        switch answer {
        case .success(nil) where length < bytes.count: continue
        case .success(let result?):
            // A complete message from a prefix is the same message the whole input gives.
            if case .success(let expected?) = oneShot {
                precondition(expected.message == result.message && expected.consumed == result.consumed, "chunked decode differs")
            } else {
                preconditionFailure("chunked decode succeeded where one-shot did not")
            }
            return
        default:
            return
        }
    }
}

exit(FuzzDriver.run(fuzzStream))
