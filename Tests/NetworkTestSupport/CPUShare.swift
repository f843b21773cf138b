/// Keeps the tests that load the CPU for minutes apart from the tests whose
/// real processes must meet real deadlines.
///
/// All test targets run in one process, in parallel, on a machine with two
/// cores. A ten-process fault test (probe timeout 500 ms, suspicion timeout
/// down to 4 s, memberlist-wire.md §7.5) that shares those cores with a
/// 1,000-node simulation and a schemathesis run can see a node starve past its
/// refutation window and be declared dead: a failure of the machine, not of
/// the protocol. Holders of one role may share the CPU with each other, never
/// with holders of the other role. Waiters are served in arrival order, so
/// neither role starves the other.
public actor CPUShare {
    public enum Role: Sendable, Equatable {
        /// Real processes with protocol deadlines (the fault tests).
        case needsQuietCPU
        /// Keeps a core busy for a long time (large simulations, schemathesis).
        case loadsCPU
    }

    public static let shared = CPUShare()

    private var holding: Role?
    private var holders = 0
    private var waiters: [(role: Role, resume: CheckedContinuation<Void, Never>)] = []

    /// Runs `body` once no test of the other role is running.
    public static func run<T>(_ role: Role, isolation: isolated (any Actor)? = #isolation,
                              _ body: () async throws -> T) async rethrows -> T {
        await shared.acquire(role)
        do {
            let value = try await body()
            await shared.release()
            return value
        } catch {
            await shared.release()
            throw error
        }
    }

    private func acquire(_ role: Role) async {
        if waiters.isEmpty && (holding == nil || holding == role) {
            holding = role
            holders += 1
            return
        }
        await withCheckedContinuation { waiters.append((role, $0)) }
    }

    private func release() {
        holders -= 1
        guard holders == 0 else { return }
        holding = nil
        // Admit the first waiter and every waiter of its role queued right behind it.
        while let next = waiters.first, holding == nil || holding == next.role {
            waiters.removeFirst()
            holding = next.role
            holders += 1
            next.resume.resume()
        }
    }
}
