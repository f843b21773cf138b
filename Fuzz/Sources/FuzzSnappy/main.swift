import FuzzSupport
import Glibc

/// Snappy blocks (dskit-kv-ring.md §2, Algo 1): decoding validates every tag within its
/// limit, and what we encode decodes back to the input.
exit(FuzzDriver.run { FuzzCodec.check(.snappy, $0) })
