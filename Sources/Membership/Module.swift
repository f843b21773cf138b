/// SWIM + Lifeguard membership core (sans-IO); see memberlist-wire.md §7-9.
public enum MembershipModule {}
