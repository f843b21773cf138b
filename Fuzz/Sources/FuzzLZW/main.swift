import FuzzSupport
import Glibc

/// LZW (memberlist-wire.md §6): decoding never passes its limit, and what we encode
/// decodes back to the input.
exit(FuzzDriver.run { FuzzCodec.check(.lzw, $0) })
