import Foundation

/// Named paths into the test PKI (`TestFiles.certificates`, made by
/// `scripts/make-test-certs` with the real openssl CLI).
public struct TestCertificates: Sendable {
    public let directory: String
    public var ca: String { directory + "/ca.pem" }
    public var nodeCert: String { directory + "/node.pem" }
    public var nodeKey: String { directory + "/node.key" }
    public var otherCA: String { directory + "/other-ca.pem" }
    public var rogueCert: String { directory + "/rogue.pem" }
    public var rogueKey: String { directory + "/rogue.key" }

    /// The PKI `TestFiles.certificates` made for this test process.
    public static func load() throws -> TestCertificates {
        TestCertificates(directory: try TestFiles.certificates.get().path)
    }
}
