import Testing
@Suite struct MembershipPlaceholder {}
