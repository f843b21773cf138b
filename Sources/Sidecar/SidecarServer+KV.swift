import HTTP
import KV
import Node

/// `/v1/kv`: opaque values under the `sidecar.bytes` codec in the node's KV store, so they
/// gossip, merge (last writer wins by the Lamport version, `SidecarBytes`) and tombstone with
/// the rest of the store. The `ETag` is the value's version, which every node agrees on once
/// the write reached it; `If-Match` makes a write conditional on it (412 when it differs).
extension SidecarServer {
    /// How a write (`writeKV`) ended.
    public enum KVWriteResult {
        case written(version: UInt64)
        /// `If-Match` did not hold; the live value's version (nil: none).
        case preconditionFailed(current: UInt64?)
        /// A delete of a key with no live value.
        case missing
        /// The key holds another codec's value (a ring, a tracker beacon).
        case otherCodec
        /// Every CAS attempt conflicted (`KVStore.casMaxAttempts`) or the node stopped.
        case gaveUp
        case failed(KVError)
    }

    /// What a CAS update function decided, read by its completion.
    private final class WriteOutcome {
        var result: KVWriteResult = .missing
    }

    /// An `If-Match` header: `*` (any live value) or one version, quoted or not.
    public enum Precondition {
        case any
        case version(UInt64)

        /// Nil when absent; throws the 400 when malformed.
        static func parse(_ request: HTTPRequest) throws(HTTPError) -> Precondition? {
            guard var text = request.header("If-Match") else { return nil }
            text = String(text.filter { $0 != " " && $0 != "\t" })
            if text == "*" { return .any }
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            guard let version = UInt64(text) else {
                throw .badRequest("If-Match must be * or a version such as \"3\" (the ETag of a read)")
            }
            return .version(version)
        }

        func holds(for live: SidecarBytes?) -> Bool {
            switch self {
            case .any: live != nil
            case .version(let version): (live?.version ?? 0) == version
            }
        }
    }

    func kv(_ exchange: HTTPExchange, _ rest: [String]) {
        let request = exchange.request
        if rest.isEmpty || rest == [""] {
            guard Self.allow(exchange, ["GET"]) else { return }
            return list(exchange, prefix: request.query("prefix") ?? "")
        }
        if rest == ["watch"], request.method == "GET" {
            return watch(exchange, prefix: request.query("prefix") ?? "")
        }
        let key = rest.joined(separator: "/")
        guard !key.isEmpty else { return exchange.respond(HTTPError.badRequest("empty key").response) }
        guard Self.allow(exchange, ["GET", "PUT", "DELETE"]) else { return }
        switch request.method {
        case "PUT": write(exchange, key: key, bytes: request.body, delete: false)
        case "DELETE": write(exchange, key: key, bytes: [], delete: true)
        default: read(exchange, key: key)
        }
    }

    private func read(_ exchange: HTTPExchange, key: String) {
        guard let (value, _) = node.kvGet(key) else {
            return exchange.respond(HTTPError.notFound("no key \"\(key)\"").response)
        }
        guard let bytes = value as? SidecarBytes else {
            return exchange.respond(HTTPError.conflict("key \"\(key)\" is not a sidecar value (another codec)").response)
        }
        guard !bytes.deleted else { return exchange.respond(HTTPError.notFound("key \"\(key)\" was deleted").response) }
        let etag = ("ETag", "\"\(bytes.version)\"")
        let format = exchange.request.query("format")
        guard format == nil || format == "json" else {
            return exchange.respond(HTTPError.badRequest("format must be json (or absent for the raw bytes)").response)
        }
        if format == "json" {
            return exchange.respond(SidecarJSON.response(headers: [etag]) { SidecarJSON.kvEntry(key: key, bytes, into: &$0) })
        }
        exchange.respond(HTTPResponse(contentType: "application/octet-stream", headers: [etag], body: bytes.bytes))
    }

    /// PUT and DELETE: one `writeKV`, its result as the HTTP answer.
    private func write(_ exchange: HTTPExchange, key: String, bytes: [UInt8], delete: Bool) {
        if !delete, key == "watch" {
            return exchange.respond(HTTPError.badRequest("the key \"watch\" is reserved (GET /v1/kv/watch is the watch stream)").response)
        }
        guard bytes.count <= Self.maxValueBytes else {
            return exchange.respond(HTTPError.payloadTooLarge(limit: Self.maxValueBytes).response)
        }
        let precondition: Precondition?
        do {
            precondition = try Precondition.parse(exchange.request)
        } catch {
            return exchange.respond(error.response)
        }
        Self.writeKV(node, key: key, bytes: bytes, delete: delete, precondition: precondition) { result in
            switch result {
            case .written(let version):
                let etag = ("ETag", "\"\(version)\"")
                if delete { return exchange.respond(HTTPResponse(status: .noContent, headers: [etag])) }
                exchange.respond(SidecarJSON.response(headers: [etag]) { json in
                    json.beginObject()
                    json.field("key", key)
                    json.field("version", version)
                    json.endObject()
                })
            case .preconditionFailed(let current):
                let now = current.map { "version \($0)" } ?? "no value"
                exchange.respond(HTTPError.preconditionFailed("If-Match does not hold: the key has \(now)").response)
            case .missing:
                exchange.respond(HTTPError.notFound("no key \"\(key)\"").response)
            case .otherCodec:
                exchange.respond(HTTPError.conflict("key \"\(key)\" is not a sidecar value (another codec)").response)
            case .gaveUp:
                exchange.respond(HTTPError.unavailable("the write kept conflicting with concurrent updates; retry").response)
            case .failed(let error):
                exchange.respond(HTTPError.conflict("the KV store refused the write: \(error)").response)
            }
        }
    }

    /// One CAS on `node` that writes the next version of `key` (a tombstone when `delete`)
    /// under the `sidecar.bytes` codec when `precondition` holds: the sidecar's PUT and
    /// DELETE, and memberlistd's `kv-put` stdin command, so both write the same values.
    /// The caller checks the size (`maxValueBytes`). Loop thread only.
    public static func writeKV(_ node: GossipNode, key: String, bytes: [UInt8], delete: Bool = false,
                               precondition: Precondition? = nil,
                               completion: @escaping (KVWriteResult) -> Void) {
        let outcome = WriteOutcome()
        let writer = node.name
        node.kvCAS(key: key, codecID: SidecarBytesCodec.codecID, update: { current in
            if current != nil && !(current is SidecarBytes) {
                outcome.result = .otherCodec
                return nil
            }
            let stored = current as? SidecarBytes
            let live = stored.flatMap { $0.deleted ? nil : $0 }
            if let precondition, !precondition.holds(for: live) {
                outcome.result = .preconditionFailed(current: live?.version)
                return nil
            }
            if delete && live == nil {
                outcome.result = .missing
                return nil
            }
            let version = (stored?.version ?? 0) + 1
            outcome.result = .written(version: version)
            return SidecarBytes(bytes: bytes, version: version, writer: writer, updatedMillis: WallClock.nowMillis(),
                                deleted: delete)
        }, completion: { result in
            switch result {
            case .done: completion(outcome.result)
            case .gaveUp: completion(.gaveUp)
            case .failed(let error): completion(.failed(error))
            }
        })
    }

    private func list(_ exchange: HTTPExchange, prefix: String) {
        exchange.respond(SidecarJSON.response { json in
            json.beginArray()
            for key in node.kvKeys(withPrefix: prefix) {
                guard let bytes = node.kvGet(key)?.value as? SidecarBytes, !bytes.deleted else { continue }
                SidecarJSON.kvEntry(key: key, bytes, into: &json)
            }
            json.endArray()
        })
    }

    /// `GET /v1/kv/watch?prefix=`: `event: put` or `event: delete` with the entry for every
    /// change of a sidecar key under the prefix (dskit `WatchPrefix`, batched by
    /// `-memberlist.notify-interval`).
    private func watch(_ exchange: HTTPExchange, prefix: String) {
        openStream(exchange) { [weak self] id, stream in
            guard let self else { return }
            let watch = self.node.kvWatchPrefix(prefix) { [weak self, weak stream] keys in
                guard let self, let stream else { return }
                for key in keys {
                    guard let bytes = self.node.kvGet(key)?.value as? SidecarBytes else { continue }
                    var json = JSONWriter()
                    SidecarJSON.kvEntry(key: key, bytes, into: &json)
                    stream.send(event: bytes.deleted ? "delete" : "put", data: json.text)
                }
            }
            self.kvStreams[id] = (stream, watch)
        } closed: { [weak self] id in
            guard let self, let entry = self.kvStreams.removeValue(forKey: id) else { return }
            self.node.kvUnwatch(entry.watch)
        }
    }

    func kvKeepAlive() {
        for entry in kvStreams.values { entry.stream.comment("keep-alive") }
    }
}
