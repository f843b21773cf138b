/// A join waiting for its push/pulls (§9).
struct JoinProgress {
    var outstanding: Int
    var successes = 0
    var failures: [JoinFailure] = []
}
