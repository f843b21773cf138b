import Testing
@testable import Wire

/// Keyring management, memberlist-wire.md §5 (Go's keyring.go semantics).
@Suite struct KeyringTests {
    private let first = [UInt8](repeating: 1, count: 16)
    private let second = [UInt8](repeating: 2, count: 24)
    private let third = [UInt8](repeating: 3, count: 32)

    @Test func firstKeyIsPrimary() throws {
        let keyring = try Keyring(keys: [second, first])
        #expect(keyring.primaryKey == second)
        #expect(keyring.keys == [second, first])
    }

    @Test func rejectsEmptyKeyList() {
        #expect(throws: KeyringError.noKeys) { try Keyring(keys: []) }
    }

    @Test(arguments: [0, 1, 15, 17, 23, 25, 31, 33, 64])
    func rejectsKeysThatAreNotAESSizes(length: Int) {
        #expect(throws: KeyringError.invalidKeyLength(length)) {
            try Keyring(keys: [first, [UInt8](repeating: 9, count: length)])
        }
    }

    @Test func dropsDuplicateKeys() throws {
        let keyring = try Keyring(keys: [first, second, first, second])
        #expect(keyring.keys == [first, second])
    }

    @Test func usingANewKeyInstallsItAsPrimary() throws {
        var keyring = try Keyring(keys: [first, second])
        try keyring.use(primary: third)
        #expect(keyring.keys == [third, first, second])
    }

    @Test func usingAnInstalledKeyMovesItToTheFront() throws {
        var keyring = try Keyring(keys: [first, second, third])
        try keyring.use(primary: third)
        #expect(keyring.keys == [third, first, second])
        try keyring.use(primary: third)
        #expect(keyring.keys == [third, first, second])
    }

    @Test func usingAnInvalidKeyChangesNothing() throws {
        var keyring = try Keyring(keys: [first])
        #expect(throws: KeyringError.invalidKeyLength(20)) {
            try keyring.use(primary: [UInt8](repeating: 0, count: 20))
        }
        #expect(keyring.keys == [first])
    }

    @Test func cannotRemoveThePrimaryKey() throws {
        var keyring = try Keyring(keys: [first, second])
        #expect(throws: KeyringError.cannotRemovePrimary) { try keyring.remove(first) }
        #expect(keyring.keys == [first, second])
    }

    @Test func removesSecondaryKeysAndIgnoresUnknownOnes() throws {
        var keyring = try Keyring(keys: [first, second, third])
        try keyring.remove(second)
        #expect(keyring.keys == [first, third])
        try keyring.remove(second)
        #expect(keyring.keys == [first, third])
    }

    @Test func rotationKeepsOldTrafficReadable() throws {
        let old = try Keyring(keys: [first])
        let sealedWithOld = try old.encrypt(Array("hello".utf8), version: .plain, additionalData: [])
        var rotated = old
        try rotated.use(primary: third)
        #expect(try rotated.decrypt(sealedWithOld, additionalData: []) == Array("hello".utf8))
        let sealedWithNew = try rotated.encrypt(Array("world".utf8), version: .plain, additionalData: [])
        #expect(throws: EncryptionError.noKeyDecrypts) { try old.decrypt(sealedWithNew, additionalData: []) }
        try rotated.remove(first)
        #expect(throws: EncryptionError.noKeyDecrypts) { try rotated.decrypt(sealedWithOld, additionalData: []) }
    }
}
