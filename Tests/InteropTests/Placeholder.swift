import Testing
@Suite struct InteropPlaceholder {}
