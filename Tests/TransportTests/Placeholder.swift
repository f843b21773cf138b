import Testing
@Suite struct TransportPlaceholder {}
