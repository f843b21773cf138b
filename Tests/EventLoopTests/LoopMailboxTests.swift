import Testing
@testable import EventLoop

/// The cross-thread mailbox: messages from several threads reach the loop
/// in each sender's order; close hands back what was never taken.
@Suite struct LoopMailboxTests {
    struct Note: Sendable, Equatable {
        let sender: Int
        let index: Int
    }

    @Test func messagesFromOtherThreadsArriveOnTheLoopInSenderOrder() async throws {
        let senders = 4, notesEach = 250
        let mailbox = try LoopMailbox<Note>()
        let (notes, leftovers) = try await withLoop { handle in
            async let delivered = onLoop(handle) { (loop, finish: @escaping (([Note], [Note])) -> Void) in
                var notes: [Note] = []
                var watch: EventLoop.Watch?
                watch = try loop.receive(from: mailbox) { note in
                    notes.append(note)
                    guard notes.count == senders * notesEach, let watch else { return }
                    loop.unwatch(watch)
                    finish((notes, mailbox.close()))
                }
            }
            await withTaskGroup(of: Void.self) { group in
                for sender in 0..<senders {
                    group.addTask {
                        for index in 0..<notesEach { #expect(mailbox.post(Note(sender: sender, index: index))) }
                    }
                }
            }
            return try await delivered
        }
        #expect(notes.count == senders * notesEach)
        for sender in 0..<senders {
            #expect(notes.filter { $0.sender == sender }.map(\.index) == Array(0..<notesEach))
        }
        #expect(leftovers.isEmpty)
        #expect(!mailbox.isOpen)
        #expect(!mailbox.post(Note(sender: 9, index: 9)))
    }

    @Test func closeReturnsUntakenMessagesAndRefusesLaterOnes() throws {
        let mailbox = try LoopMailbox<Int>()
        #expect(mailbox.post(1))
        #expect(mailbox.post(2))
        var batch: [Int] = []
        mailbox.take(into: &batch)
        #expect(batch == [1, 2])
        batch.removeAll(keepingCapacity: true)
        #expect(mailbox.post(3))
        #expect(mailbox.post(4))
        #expect(mailbox.close() == [3, 4])
        #expect(!mailbox.post(5))
        #expect(mailbox.close().isEmpty)
        mailbox.take(into: &batch)
        #expect(batch.isEmpty)
    }
}
