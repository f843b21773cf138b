import HTTP
import KV
import Node

/// The `/ring` page as Pyroscope shows it: per ring, every instance with its
/// state (or Unhealthy), address, zone, share of tokens, heartbeat age and
/// registration time, and a "Forget" button that posts `forget=<id>`.
enum RingPage {
    static func html(_ rings: [RingView], nowMillis: Int64) -> String {
        var body = "<h1>Ring Status</h1>\n"
        if rings.isEmpty { body += "<p id=\"no-rings\">This node holds no ring.</p>\n" }
        for ring in rings {
            let owned = ring.ownership()
            body += "<h2>\(HTMLText.escape(ring.name)) <small>(key \(HTMLText.escape(ring.key)))</small></h2>\n"
            body += "<table class=\"ring\" data-ring=\"\(HTMLText.escape(ring.name))\"><thead><tr><th>Instance ID</th>"
            body += "<th>Availability Zone</th><th>State</th><th>Address</th><th>Registered At</th>"
            body += "<th>Last Heartbeat</th><th>Tokens</th><th>Ownership</th><th>Actions</th></tr></thead><tbody>\n"
            for instance in ring.visibleInstances {
                let state = ring.metricState(of: instance, nowMillis: nowMillis)
                let shown = state == "Unhealthy" ? "UNHEALTHY" : state
                let age = max(0, nowMillis - instance.timestamp * 1000) / 1000
                body += "<tr><td>\(HTMLText.escape(instance.id))</td><td>\(HTMLText.escape(instance.zone))</td>"
                body += "<td>\(shown)</td><td>\(HTMLText.escape(instance.addr))</td>"
                body += "<td>\(instance.registeredTimestamp == 0 ? "" : Logger.rfc3339(unixMillis: instance.registeredTimestamp * 1000))</td>"
                body += "<td>\(age)s ago</td><td>\(instance.tokens.count)</td>"
                body += "<td>\(percent(owned[instance.id] ?? 0))</td>"
                body += "<td><form method=\"post\" action=\"ring\"><input type=\"hidden\" name=\"ring\" "
                body += "value=\"\(HTMLText.escape(ring.name))\"><input type=\"hidden\" name=\"forget\" "
                body += "value=\"\(HTMLText.escape(instance.id))\"><button type=\"submit\">Forget</button></form></td></tr>\n"
            }
            body += "</tbody></table>\n"
        }
        return HTMLText.page(title: "Ring Status", body: body)
    }

    static func json(_ rings: [RingView], nowMillis: Int64, pretty: Bool) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.beginObject()
        writer.objects("rings", rings) { writer, ring in
            let owned = ring.ownership()
            writer.field("name", ring.name)
            writer.field("key", ring.key)
            writer.objects("instances", ring.visibleInstances) { writer, instance in
                writer.field("id", instance.id)
                writer.field("state", ring.metricState(of: instance, nowMillis: nowMillis))
                writer.field("address", instance.addr)
                writer.field("zone", instance.zone)
                writer.field("tokens", instance.tokens.count)
                writer.key("ownership_percent")
                writer.number(owned[instance.id] ?? 0)
                writer.field("heartbeat_timestamp", instance.timestamp)
                writer.field("registered_timestamp", instance.registeredTimestamp)
            }
        }
        writer.endObject()
        return writer.bytes
    }

    /// Two decimals, without Foundation's formatting.
    static func percent(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)%"
    }
}
