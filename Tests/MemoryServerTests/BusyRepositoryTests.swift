import Foundation
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

/// A write blocked by a git lock another writer holds answers 503 with Retry-After and changes nothing,
/// so that the client's retry records the event once (issue 19, item 6).
@Suite struct BusyRepositoryTests {
    @Test func aWriteBlockedByAHumansCommitIs503AndItsRetryRecordsOnce() async throws {
        let f = try ServerFixture()
        let lock = f.repo + "/.git/refs/heads/main.lock"
        // A live writer: this process holds the lock open, as a human's `git commit` does.
        let fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        let commits = try f.commitCount()
        let body = """
            {"timestamp": "2026-01-19T10:00:00Z", "event_type": "deployment", "source": "argocd", "description": "retried deploy"}
            """
        try await f.withClient { api in
            let busy = try await api.post("/memory/timeline/events", body)
            #expect(busy.status == 503, "\(busy.text)")
            #expect(busy.headers[.retryAfter] != nil)
            #expect(busy.errorMessage?.contains("main.lock") == true, "\(busy.text)")
            #expect(try f.git("status", "--porcelain", "--untracked-files=all").trimmed == "")
            close(fd)
            unlink(lock)

            let retried = try await api.post("/memory/timeline/events", body)
            #expect(retried.status == 201, "\(retried.text)")
            #expect(try f.commitCount() == commits + 1)
            let day = try String(contentsOfFile: f.repo + "/timeline/2026/01/2026-01-19.md", encoding: .utf8)
            let events = TimelineDay.parse(Array(day.utf8), path: "day").events.filter { $0.description == "retried deploy" }
            #expect(events.count == 1, "\(day)")
            #expect(try f.git("status", "--porcelain").trimmed == "")
        }
    }

    @Test func concurrentWritesBlockedTogetherAreAll503AndWriteNothing() async throws {
        let f = try ServerFixture()
        let lock = f.repo + "/.git/refs/heads/main.lock"
        let fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        defer { close(fd); unlink(lock) }
        try await f.withClient { api in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<6 {
                    group.addTask {
                        try await api.post("/memory/timeline/events", """
                            {"event_type": "deployment", "source": "argocd", "description": "concurrent \(i)"}
                            """).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 503 }, "\(statuses)")
            #expect(try f.git("status", "--porcelain", "--untracked-files=all").trimmed == "")
        }
    }

    @Test func aConflictedNoteIs409AndABusyRepository503WithRetryAfter() {
        let conflicted = APIError.from(StoreError.conflicted("sessions/x.md has an unresolved merge conflict"))
        #expect(conflicted.status == .conflict)
        #expect(conflicted.message.contains("sessions/x.md"))
        let busy = APIError.from(StoreError.busy("refs/heads/main.lock exists"))
        #expect(busy.status == .serviceUnavailable)
        #expect(busy.headers[.retryAfter] == "1")
    }
}
