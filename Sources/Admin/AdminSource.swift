/// Where the admin listener reads the node's state and sends the pages'
/// actions. `NodeAdminSource` serves a `GossipNode` as it is today; a source
/// backed by the KV store fills the KV, history and ring parts.
public protocol AdminSource: AnyObject {
    /// `/ready`: true once the node joined (or has nothing to join).
    var isReady: Bool { get }
    /// The `/memberlist` and `/ring` model, taken at request time.
    func pageModel() -> AdminPageModel
    /// The counters to export; `AdminServer` fills in its HTTP server's own.
    func metrics() -> NodeMetricsSnapshot
    /// The rings the ring metrics are computed from (cheap: no member list).
    func rings() -> [RingView]
    /// `/ring` "Forget": removes `instance` from `ring`; false if unknown.
    func forget(ring: String, instance: String) -> Bool
    /// `/memberlist?deleteMessages=true`.
    func deleteMessages()
}
