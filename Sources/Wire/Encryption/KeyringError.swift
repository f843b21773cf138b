/// Why a keyring change was refused (memberlist-wire.md §5, Go's keyring.go).
public enum KeyringError: Error, Equatable, Sendable {
    /// A keyring needs at least one key: the first one encrypts.
    case noKeys
    /// AES keys are 16, 24 or 32 bytes; the associated value is the length given.
    case invalidKeyLength(Int)
    /// The primary key encrypts outgoing traffic; make another key primary first.
    case cannotRemovePrimary
}
