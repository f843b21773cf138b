import HTTP
import Node

/// dskit's `/memberlist` status page (dskit-kv-ring.md 7): health score,
/// member count, KV table with view/download links, members sorted by name,
/// received/sent message history or a "history disabled" note; the same
/// model as JSON on `Accept: application/json`.
enum MemberlistPage {
    static func html(_ model: AdminPageModel) -> String {
        var body = "<h1>Memberlist Status</h1>\n"
        body += "<p>Node: <b>\(HTMLText.escape(model.nodeName))</b><br>"
        body += "Health Score: <b id=\"health-score\">\(model.healthScore)</b> (lower value is better, 0 = healthy)<br>"
        body += "Members: <b id=\"member-count\">\(model.liveMemberCount)</b></p>\n"

        body += "<h2>KV Store</h2>\n<table id=\"kv\"><thead><tr><th>Key</th><th>Codec</th><th>Version</th>"
        body += "<th>Deleted</th><th>Update Time</th><th>Size</th><th>Actions</th></tr></thead><tbody>\n"
        for entry in model.kvEntries {
            let key = HTMLText.queryValue(entry.key)
            body += "<tr><td>\(HTMLText.escape(entry.key))</td><td>\(HTMLText.escape(entry.codec))</td>"
            body += "<td>\(entry.version)</td><td>\(entry.deleted)</td>"
            body += "<td>\(entry.updateTimeMillis == 0 ? "" : Logger.rfc3339(unixMillis: entry.updateTimeMillis))</td>"
            body += "<td>\(entry.encoded.count)</td><td><a href=\"?viewKey=\(key)&amp;format=json\">json</a> "
            body += "<a href=\"?viewKey=\(key)&amp;format=json-pretty\">json-pretty</a> "
            body += "<a href=\"?downloadKey=\(key)\">download</a></td></tr>\n"
        }
        if model.kvEntries.isEmpty { body += "<tr><td colspan=\"7\">No keys</td></tr>\n" }
        body += "</tbody></table>\n"

        body += "<h2>Memberlist Cluster Members</h2>\n<table id=\"members\"><thead><tr><th>Name</th><th>Address</th>"
        body += "<th>State</th></tr></thead><tbody>\n"
        for member in model.members {
            body += "<tr><td>\(HTMLText.escape(member.name))</td><td>\(HTMLText.escape(member.address))</td>"
            body += "<td>\(member.stateName) (\(member.state))</td></tr>\n"
        }
        body += "</tbody></table>\n"

        if let history = model.history {
            body += messages("Received Messages", id: "received", history.received)
            body += messages("Sent Messages", id: "sent", history.sent)
            body += "<p><a href=\"?deleteMessages=true\">Delete all messages</a></p>\n"
        } else {
            body += "<p id=\"history\">Message history buffer is disabled, refer to the configuration to enable it "
            body += "in order to troubleshoot the message flow.</p>\n"
        }
        return HTMLText.page(title: "Memberlist Status", body: body)
    }

    private static func messages(_ title: String, id: String, _ list: [AdminPageModel.Message]) -> String {
        var text = "<h2>\(title)</h2>\n<table id=\"\(id)\"><thead><tr><th>ID</th><th>Time</th><th>Key</th>"
        text += "<th>Size (B)</th><th>Codec</th><th>Version</th><th>Changes</th><th>Actions</th></tr></thead><tbody>\n"
        for message in list.reversed() {
            text += "<tr><td>\(message.id)</td><td>\(Logger.rfc3339(unixMillis: message.timeMillis))</td>"
            text += "<td>\(HTMLText.escape(message.key))</td><td>\(message.size)</td>"
            text += "<td>\(HTMLText.escape(message.codec))</td><td>\(message.version)</td>"
            text += "<td>\(HTMLText.escape(message.changes.joined(separator: ", ")))</td>"
            text += "<td><a href=\"?viewMsg=\(message.id)&amp;format=json\">json</a> "
            text += "<a href=\"?viewMsg=\(message.id)&amp;format=json-pretty\">json-pretty</a></td></tr>\n"
        }
        return text + "</tbody></table>\n"
    }

    /// The page model as JSON (dskit's `Accept: application/json` answer).
    static func json(_ model: AdminPageModel, pretty: Bool) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.beginObject()
        writer.field("node", model.nodeName)
        writer.field("health_score", model.healthScore)
        writer.field("member_count", model.liveMemberCount)
        writer.objects("members", model.members) { writer, member in
            writer.field("name", member.name)
            writer.field("address", member.address)
            writer.field("state", member.state)
            writer.field("state_name", member.stateName)
            writer.field("incarnation", member.incarnation)
        }
        writer.objects("store", model.kvEntries) { writer, entry in
            writer.field("key", entry.key)
            writer.field("codec", entry.codec)
            writer.field("version", entry.version)
            writer.field("deleted", entry.deleted)
            writer.field("update_time_millis", entry.updateTimeMillis)
            writer.field("size", entry.encoded.count)
        }
        writer.key("message_history_enabled")
        writer.bool(model.history != nil)
        for (name, list) in [("received_messages", model.history?.received ?? []),
                             ("sent_messages", model.history?.sent ?? [])] {
            writer.objects(name, list) { writer, message in
                writer.field("id", message.id)
                writer.field("time_millis", message.timeMillis)
                writer.field("key", message.key)
                writer.field("size", message.size)
                writer.field("codec", message.codec)
                writer.field("version", message.version)
                writer.key("changes")
                writer.beginArray()
                for change in message.changes { writer.string(change) }
                writer.endArray()
            }
        }
        writer.endObject()
        return writer.bytes
    }
}
