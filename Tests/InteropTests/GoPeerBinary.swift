import Foundation
import NetworkTestSupport

/// Builds Interop/go (via Interop/go/build.sh) once per test process into
/// .build/interop-go. A missing Go toolchain is a build failure, so the
/// tests that need the peer fail rather than skip.
enum GoPeerBinary {
    static let outputDirectory = HelperTool.packageRoot.appendingPathComponent(".build/interop-go")

    /// Path of the built peer, or why it could not be built. Computed once.
    static let peer: Result<String, GoPeerError> = {
        // A peer that exits while we write its stdin must not kill the tests.
        signal(SIGPIPE, SIG_IGN)
        let script = HelperTool.packageRoot.appendingPathComponent("Interop/go/build.sh").path
        switch HelperTool.run("/bin/bash", [script, outputDirectory.path]) {
        case .success:
            return .success(outputDirectory.appendingPathComponent("peer").path)
        case .failure(let failure):
            return .failure(.buildFailed(failure.description))
        }
    }()

    /// The built peer's path; throws the build failure.
    static func path() throws -> String {
        try peer.get()
    }
}
