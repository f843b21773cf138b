/// Pyroscope's YAML config file as memberlistd reads it: the `memberlist:`
/// block (dskit-kv-ring.md §8) and the `server:` keys of the catalog. Unknown
/// keys in those blocks are refused; a top-level block Pyroscope has that
/// memberlistd does not serve is skipped with one warning; anything else is
/// refused. Every error names the file, line, column, key path and value.
enum ConfigFile {
    /// The blocks memberlistd reads.
    static let servedBlocks: Set<String> = ["memberlist", "server"]

    /// Pyroscope's other top-level keys (skipped with a warning).
    static let pyroscopeBlocks: Set<String> = [
        "target", "api", "distributor", "querier", "frontend", "frontend_worker", "limits", "query_scheduler",
        "ingester", "store_gateway", "pyroscopedb", "tracing", "overrides_exporter", "runtime_config",
        "compactor", "storage", "self_profiling", "multitenancy_enabled", "analytics", "show_banner",
        "embedded_grafana", "query_analysis", "tenant_settings", "segment_writer", "metastore",
        "query_backend", "compaction_worker", "adaptive_placement", "symbolizer", "architecture",
        "v2", "auth", "usage_stats", "debug_info",
    ]

    /// Keys of Pyroscope's `server:` block (dskit's server config) other than the HTTP
    /// listen address and port: a real Pyroscope file sets some of them, and memberlistd
    /// serves none, so each is skipped with a warning rather than refused.
    static let pyroscopeServerKeys: Set<String> = [
        "http_listen_network", "http_listen_conn_limit", "grpc_listen_network", "grpc_listen_address",
        "grpc_listen_port", "grpc_listen_conn_limit", "tls_cipher_suites", "tls_min_version", "http_tls_config",
        "grpc_tls_config", "register_instrumentation", "report_grpc_codes_in_instrumentation_label_enabled",
        "graceful_shutdown_timeout", "http_server_read_timeout", "http_server_read_header_timeout",
        "http_server_write_timeout", "http_server_idle_timeout", "http_log_closed_connections_without_response_enabled",
        "grpc_server_max_recv_msg_size", "grpc_server_max_send_msg_size", "grpc_server_max_concurrent_streams",
        "grpc_server_max_connection_idle", "grpc_server_max_connection_age", "grpc_server_max_connection_age_grace",
        "grpc_server_keepalive_time", "grpc_server_keepalive_timeout", "grpc_server_min_time_between_pings",
        "grpc_server_ping_without_stream_allowed", "grpc_server_num_workers", "log_format", "log_level",
        "log_source_ips_enabled", "log_source_ips_header", "log_source_ips_regex", "log_request_headers",
        "log_request_at_info_level_enabled", "log_request_exclude_headers_list", "http_path_prefix",
    ]

    /// Reads `text` (already env-expanded) into `settings`; returns the warnings.
    static func apply(_ text: String, path: String, to settings: inout SettingValues) throws(ConfigError) -> [String] {
        guard let root = try YAMLNode.parse(text, path: path), !root.isNull else { return [] }
        guard case .mapping(let entries, _, _) = root else {
            throw .inFile(position(path, root), key: "", problem: "expected a mapping of blocks such as memberlist:")
        }
        var warnings: [String] = []
        var seen: Set<String> = []
        for entry in entries {
            let at = FilePosition(path: path, line: entry.keyLine, column: entry.keyColumn)
            guard seen.insert(entry.key).inserted else {
                throw .inFile(at, key: entry.key, problem: "duplicate key")
            }
            if servedBlocks.contains(entry.key) {
                try readBlock(entry.value, keyPath: entry.key, path: path, into: &settings, warnings: &warnings)
            } else if pyroscopeBlocks.contains(entry.key) {
                warnings.append("\(at): skipping block \(entry.key): memberlistd reads only memberlist: and server:")
            } else {
                throw .inFile(at, key: entry.key, problem: "unknown block: expected memberlist: or server: (or a Pyroscope block, which is skipped)")
            }
        }
        return warnings
    }

    /// A mapping whose keys are catalog YAML keys below `keyPath` (nested blocks recurse).
    private static func readBlock(_ node: YAMLNode, keyPath: String, path: String,
                                  into settings: inout SettingValues, warnings: inout [String]) throws(ConfigError) {
        if node.isNull { return }
        guard case .mapping(let entries, _, _) = node else {
            throw .inFile(position(path, node), key: keyPath, problem: "expected a mapping of keys")
        }
        var seen: Set<String> = []
        for entry in entries {
            let key = keyPath + "." + entry.key
            let at = FilePosition(path: path, line: entry.keyLine, column: entry.keyColumn)
            guard seen.insert(entry.key).inserted else { throw .inFile(at, key: key, problem: "duplicate key") }
            if let definition = FlagCatalog.byYAMLKey[key] {
                try readValue(entry.value, definition: definition, key: key, path: path, into: &settings)
            } else if FlagCatalog.byYAMLKey.keys.contains(where: { $0.hasPrefix(key + ".") }) {
                try readBlock(entry.value, keyPath: key, path: path, into: &settings, warnings: &warnings)
            } else if keyPath == "server", pyroscopeServerKeys.contains(entry.key) {
                warnings.append("\(at): skipping \(key): memberlistd serves only server.http_listen_address and server.http_listen_port")
            } else {
                throw .inFile(at, key: key, problem: "unknown key: expected one of " + knownKeys(below: keyPath))
            }
        }
    }

    private static func readValue(_ node: YAMLNode, definition: FlagDefinition, key: String, path: String,
                                  into settings: inout SettingValues) throws(ConfigError) {
        if node.isNull { return }
        let at = position(path, node)
        switch node {
        case .scalar(let text, _, _, _):
            guard let value = definition.parse(text) else {
                throw .inFile(at, key: key,
                              problem: "invalid \(definition.kind.noun) \"\(text)\": expected \(definition.kind.expectation)")
            }
            settings.set(definition.name, value, from: .file(at))
        case .sequence(let items, _, _) where definition.kind == .list:
            var entries: [String] = []
            for item in items {
                guard case .scalar(let text, _, _, _) = item else {
                    throw .inFile(position(path, item), key: key, problem: "invalid list entry: expected a string")
                }
                entries.append(text)
            }
            settings.set(definition.name, .list(entries), from: .file(at))
        case .sequence, .mapping:
            throw .inFile(at, key: key, problem: "invalid \(definition.kind.noun): expected \(definition.kind.expectation)")
        }
    }

    /// The keys directly below `keyPath`, for "unknown key" errors.
    private static func knownKeys(below keyPath: String) -> String {
        var names: [String] = []
        for definition in FlagCatalog.definitions {
            guard let yamlKey = definition.yamlKey, yamlKey.hasPrefix(keyPath + ".") else { continue }
            let child = String(yamlKey.dropFirst(keyPath.count + 1).split(separator: ".")[0])
            if !names.contains(child) { names.append(child) }
        }
        return names.joined(separator: ", ")
    }

    private static func position(_ path: String, _ node: YAMLNode) -> FilePosition {
        FilePosition(path: path, line: node.line, column: node.column)
    }
}
