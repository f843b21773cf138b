import CShims
import Synchronization
import Testing
import EventLoop

/// Thread-safe record of (sender, index, kernel thread id) triples.
final class JobLog: Sendable {
    private let entries = Mutex<[(sender: Int, index: Int, thread: Int32)]>([])
    func append(sender: Int, index: Int, thread: Int32) {
        entries.withLock { $0.append((sender, index, thread)) }
    }
    var snapshot: [(sender: Int, index: Int, thread: Int32)] { entries.withLock { $0 } }
}

@Suite struct HandoffTests {
    /// Jobs from several foreign threads all run on the one loop thread, each
    /// sender's jobs in submission order (ARCHITECTURE.md: eventfd-woken queue).
    @Test func jobsFromOtherThreadsRunOnTheLoopThread() async throws {
        let senders = 4, jobsEach = 300
        let log = JobLog()
        let loopThread = try await withLoop { handle in
            let loopThread = try await handle.submit { _ in cshims_gettid() }
            await withTaskGroup(of: Void.self) { group in
                for sender in 0..<senders {
                    group.addTask {
                        for index in 0..<jobsEach {
                            handle.execute { _ in log.append(sender: sender, index: index, thread: cshims_gettid()) }
                        }
                    }
                }
            }
            // Queued after every sender finished, so it runs after all their jobs.
            _ = try await handle.submit { _ in () }
            return loopThread
        }
        let entries = log.snapshot
        #expect(entries.count == senders * jobsEach)
        #expect(Set(entries.map(\.thread)) == [loopThread])
        #expect(loopThread != cshims_gettid())
        for sender in 0..<senders {
            #expect(entries.filter { $0.sender == sender }.map(\.index) == Array(0..<jobsEach))
        }
    }

    @Test func handleRefusesWorkAfterStop() async throws {
        let handle = try EventLoop.startThread(name: "stop-test")
        #expect(try await handle.submit { _ in 42 } == 42)
        handle.stop()
        #expect(handle.join() == nil)
        #expect(handle.isRunning == false)
        #expect(handle.execute { _ in } == false)
        await #expect(throws: EventLoopError.shutDown) { try await handle.submit { _ in 1 } }
    }
}
