import Glibc
import FuzzSupport
import Wire

/// The packet pipeline (label, decryption, CRC, compression, compound; memberlist-wire.md
/// §3.1) with a reused workspace, under both transports' inflation limits.
nonisolated(unsafe) var workspace = PacketWorkspace()

func fuzzPacket(_ data: UnsafeRawBufferPointer) {
    guard let (security, packet) = FuzzSecurity.split(data) else { return }
    let limit = data[0] & 0x40 == 0 ? WireLimits.maxDatagramInflation : 10 * 1024 * 1024
    var delivered = 0
    _ = try? PacketDecoder.decode(packet, security: security, inflationLimit: limit, workspace: &workspace) { _ in
        delivered += 1
    }
    precondition(workspace.inflatedBytes <= limit, "inflated \(workspace.inflatedBytes) past \(limit)")
}

exit(FuzzDriver.run(fuzzPacket))
