import HTTP
import KV
import Membership
import Wire

/// The JSON shapes of the sidecar API (openapi/sidecar-v1.yaml): members, KV entries and
/// ring instances, written with the HTTP target's `JSONWriter`.
enum SidecarJSON {
    static let contentType = "application/json"

    /// `Member`: name, address, state, incarnation, meta (base64), zone (dskit zone meta, or null).
    static func member(_ member: Member, into json: inout JSONWriter) {
        json.beginObject()
        json.field("name", member.name)
        json.field("address", "\(member.address)")
        json.field("state", stateName(member.state))
        json.field("incarnation", member.incarnation)
        json.field("meta", Base64.encode(member.meta ?? []))
        json.key("zone")
        if let zone = ZoneRouting.zone(ofMeta: member.meta) { json.string(zone) } else { json.null() }
        json.endObject()
    }

    static func stateName(_ state: NodeStateKind) -> String {
        switch state {
        case .alive: "alive"
        case .suspect: "suspect"
        case .dead: "dead"
        case .left: "left"
        }
    }

    /// `KVEntry`: key, version, value (base64), writer, updated_ms, deleted.
    static func kvEntry(key: String, _ value: SidecarBytes, into json: inout JSONWriter) {
        json.beginObject()
        json.field("key", key)
        json.field("version", value.version)
        json.field("value", Base64.encode(value.bytes))
        json.field("writer", value.writer)
        json.field("updated_ms", value.updatedMillis)
        json.field("deleted", value.deleted)
        json.endObject()
    }

    /// `RingInstance`: id, address, zone, state, tokens (count), heartbeat and registration
    /// times (Unix seconds), healthy (heartbeat younger than the timeout).
    static func instance(id: String, _ instance: InstanceDesc, healthy: Bool, into json: inout JSONWriter) {
        json.beginObject()
        json.field("id", id)
        json.field("address", instance.addr)
        json.field("zone", instance.zone)
        json.field("state", "\(instance.state)")
        json.field("tokens", instance.tokens.count)
        json.field("heartbeat_timestamp", instance.timestamp)
        json.field("registered_timestamp", instance.registeredTimestamp)
        json.field("healthy", healthy)
        json.endObject()
    }

    static func response(_ status: HTTPStatus = .ok, headers: [(String, String)] = [],
                         _ write: (inout JSONWriter) -> Void) -> HTTPResponse {
        var json = JSONWriter()
        write(&json)
        return HTTPResponse(status: status, contentType: contentType, headers: headers, body: json.bytes)
    }
}
