/// What `DNSResolver` reads from a resolv.conf itself because Debian's
/// c-ares 1.18 would miss it (c-ares still reads the file for the rest:
/// servers without ports, `search`, `domain`, `ndots`):
/// - `nameserver 127.0.0.1:5353` / `nameserver [::1]:5353`: 1.18's parser
///   takes bare addresses only and has one port for all servers; later c-ares
///   releases accept `ip:port`, so these go to `ares_set_servers_ports_csv`.
/// - `options timeout:N attempts:N`: 1.18 knows only `retrans:`/`retry:`,
///   and its own defaults (5 s, 4 tries, doubling) make a dead server cost
///   75 s. glibc and Go read these names with defaults 5 s and 2 attempts,
///   capped at 30 s and 5 (resolv.conf(5)); Pyroscope resolves with Go.
struct ResolvConfOverrides: Equatable {
    /// Every `nameserver` value in file order, or nil when none has a port.
    var serversWithPorts: [String]?
    var timeout: Duration = .seconds(5)
    var attempts = 2

    init(_ text: String) {
        var servers: [String] = []
        var anyPort = false
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else { continue }
            if fields[0] == "nameserver" {
                let server = String(fields[1])
                if server.hasPrefix("[") || server.filter({ $0 == ":" }).count == 1 { anyPort = true }
                servers.append(server)
            } else if fields[0] == "options" {
                for option in fields.dropFirst() {
                    if let value = Self.value(option, "timeout:") { timeout = .seconds(min(max(value, 1), 30)) }
                    if let value = Self.value(option, "attempts:") { attempts = min(max(value, 1), 5) }
                }
            }
        }
        serversWithPorts = anyPort ? servers : nil
    }

    private static func value(_ option: Substring, _ name: String) -> Int? {
        guard option.hasPrefix(name) else { return nil }
        return Int(option.dropFirst(name.count))
    }
}
