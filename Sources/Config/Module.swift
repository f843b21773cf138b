/// Flags (and later YAML) into one validated configuration.
public enum ConfigModule {}
