import Testing
@Suite struct NodePlaceholder {}
