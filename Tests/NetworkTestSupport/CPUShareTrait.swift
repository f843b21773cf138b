import Testing

/// `@Suite(.cpu(.needsQuietCPU))` or `@Test(.cpu(.loadsCPU))`: each test case
/// under the trait runs inside `CPUShare.run` with that role.
public struct CPUShareTrait: TestTrait, SuiteTrait, TestScoping {
    public let role: CPUShare.Role

    public var isRecursive: Bool { true }

    /// Only test cases take a share; a suite holding one would block its own tests.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        try await CPUShare.run(role, function)
    }
}

extension Trait where Self == CPUShareTrait {
    public static func cpu(_ role: CPUShare.Role) -> Self { CPUShareTrait(role: role) }
}
