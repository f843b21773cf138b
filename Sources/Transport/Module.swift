/// Both memberlist transports: UDP+TCP and dskit TCP (optionally TLS).
public enum TransportModule {}
