import HTTP
import KV
import Node
import Testing
@testable import Admin

/// `/memberlist`, `/ring` and `/ready` from a fixed model: what a person
/// sees, dskit's query parameters, JSON, and escaping of peer-chosen text.
@Suite struct AdminPageTests {
    static func model() -> AdminPageModel {
        let now = WallClock.nowMillis() / 1000
        let ring = sampleRing(nowSeconds: now)
        let members = [
            AdminPageModel.Member(name: "node-b", address: "127.0.0.1:7947", state: 1, incarnation: 2),
            AdminPageModel.Member(name: "<script>alert(1)</script>", address: "127.0.0.1:7949", state: 2, incarnation: 1),
            AdminPageModel.Member(name: "node-a", address: "127.0.0.1:7946", state: 0, incarnation: 1),
        ]
        let entry = AdminPageModel.KVEntry(key: "collectors/ring", codec: RingDescCodec.codecID, version: 7,
                                           encoded: RingDescCodec().encodeRing(ring.desc))
        let message = AdminPageModel.Message(id: 12, timeMillis: 1_700_000_000_000, key: "collectors/ring", size: 40,
                                             codec: "string", version: 3, changes: ["ingester-a"],
                                             encoded: Array("hello".utf8))
        return AdminPageModel(nodeName: "node-a", healthScore: 1, members: members, kvEntries: [entry],
                              history: .init(received: [message]), rings: [ring])
    }

    func get(_ target: String, headers: [(name: String, value: String)] = [], source: FixedAdminSource? = nil)
        throws -> (HTTPResponse, String) {
        let response = try respond(source ?? FixedAdminSource(model: Self.model()),
                                   HTTPRequest(method: "GET", target: target, headers: headers))
        return (response, String(decoding: response.body, as: UTF8.self))
    }

    @Test func memberlistPageShowsMembersSortedAndEscaped() throws {
        let (response, html) = try get("/memberlist")
        #expect(response.status == .ok)
        #expect(html.contains("Health Score: <b id=\"health-score\">1</b>"))
        #expect(html.contains("Members: <b id=\"member-count\">2</b>"))
        let a = try #require(html.firstRange(of: "<td>node-a</td>"))
        let b = try #require(html.firstRange(of: "<td>node-b</td><td>127.0.0.1:7947</td><td>Suspect (1)</td>"))
        #expect(a.lowerBound > html.firstRange(of: "&lt;script&gt;")!.lowerBound)  // "<" sorts first
        #expect(a.lowerBound < b.lowerBound)
        #expect(!html.contains("<script>"))
        #expect(html.contains("<a href=\"?viewKey=collectors%2Fring&amp;format=json\">json</a>"))
        #expect(html.contains("<td>ingester-a</td>"))
    }

    @Test func historyDisabledIsSaid() throws {
        var model = Self.model()
        model.history = nil
        let (_, html) = try get("/memberlist", source: FixedAdminSource(model: model))
        #expect(html.contains("Message history buffer is disabled"))
    }

    @Test func acceptJSONReturnsThePageModel() throws {
        let (response, json) = try get("/memberlist", headers: [("Accept", "application/json")])
        #expect(response.headers.first?.1 == "application/json")
        #expect(json.hasPrefix("{\"node\":\"node-a\",\"health_score\":1,\"member_count\":2,\"members\":[{\"name\":\"<script>"))
        #expect(json.contains("\"store\":[{\"key\":\"collectors/ring\",\"codec\":\"ringDesc\",\"version\":7"))
    }

    @Test func viewKeyDecodesTheRingAndDownloadKeyServesItsBytes() throws {
        let (view, json) = try get("/memberlist?viewKey=collectors%2Fring&format=json")
        #expect(view.status == .ok)
        #expect(json.contains("\"ingester-a\":{\"addr\":\"10.0.0.1:9095\""))
        let (_, pretty) = try get("/memberlist?viewKey=collectors/ring&format=json-pretty")
        #expect(pretty.contains("\n    \"ingester-a\": {\n"))
        let (download, _) = try get("/memberlist?downloadKey=collectors/ring")
        #expect(download.body == Self.model().kvEntries[0].encoded)
        #expect(download.headers.contains { $0 == ("Content-Disposition", "attachment; filename=\"7-collectors_ring\"") })
        #expect(try get("/memberlist?viewKey=missing").0.status == .notFound)
    }

    @Test func viewMsgAndDeleteMessages() throws {
        #expect(try get("/memberlist?viewMsg=12").1 == "\"hello\"")
        #expect(try get("/memberlist?viewMsg=abc").0.status == .badRequest)
        #expect(try get("/memberlist?viewMsg=99").0.status == .notFound)
        let source = FixedAdminSource(model: Self.model())
        let (redirect, _) = try get("/memberlist?deleteMessages=true", source: source)
        #expect(redirect.status == .found)
        #expect(redirect.headers.contains { $0 == ("Location", "?deleteMessages=false") })
        #expect(source.messagesDeleted == 1)
    }

    @Test func ringPageListsInstancesWithForgetButtons() throws {
        let (_, html) = try get("/ring")
        #expect(html.contains("<td>ingester-a</td><td>z1</td><td>ACTIVE</td><td>10.0.0.1:9095</td>"))
        #expect(html.contains("<td>ingester-stale</td><td></td><td>UNHEALTHY</td>"))
        #expect(!html.contains("ingester-gone"))
        #expect(html.contains("name=\"forget\" value=\"ingester-c\"><button type=\"submit\">Forget</button>"))
        let (_, json) = try get("/ring", headers: [("Accept", "application/json")])
        #expect(json.contains("{\"id\":\"ingester-b\",\"state\":\"ACTIVE\",\"address\":\"10.0.0.2:9095\""))
    }

    @Test func forgetPostsTheInstance() throws {
        let source = FixedAdminSource(model: Self.model())
        let response = try respond(source, HTTPRequest(method: "POST", target: "/ring",
                                                       body: Array("ring=ingester&forget=ingester-b".utf8)))
        #expect(response.status == .seeOther)
        #expect(source.forgotten.map(\.1) == ["ingester-b"])
        let unknown = try respond(source, HTTPRequest(method: "POST", target: "/ring", body: Array("forget=nobody".utf8)))
        #expect(unknown.status == .notFound)
    }

    @Test func ownershipSharesAddUpToTheWholeRing() {
        let shares = sampleRing(nowSeconds: 0).ownership()
        #expect(abs(shares.values.reduce(0, +) - 100) < 0.0001)
        #expect(shares["ingester-gone"] == nil)
    }

    @Test func readyFollowsTheSource() throws {
        let source = FixedAdminSource(model: Self.model())
        #expect(try respond(source, HTTPRequest(method: "GET", target: "/ready")).status == .serviceUnavailable)
        source.isReady = true
        #expect(try respond(source, HTTPRequest(method: "GET", target: "/ready")).status == .ok)
        #expect(try respond(source, HTTPRequest(method: "POST", target: "/ready")).status == .methodNotAllowed)
        #expect(try respond(source, HTTPRequest(method: "GET", target: "/nope")).status == .notFound)
    }
}
