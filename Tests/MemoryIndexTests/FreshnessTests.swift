import Foundation
import Testing
import MemoryModel
import TestSupport
import CmemFixtures
@testable import MemoryIndex

private func day(_ date: String, count: Int, prefix: String = "a") -> (String, String, [TimelineEvent]) {
    var events: [TimelineEvent] = []
    for i in 0..<count {
        let t = "\(date)T\(String(format: "%02d", 8 + i)):00:00Z"
        let id = "ev-\(date.replacingOccurrences(of: "-", with: ""))-\(String(format: "%02d", 8 + i))0000-\(prefix)\(String(format: "%09d", i))"
        events.append(Fixture.event(id, t, "deployment", "Deployed \(prefix)service number \(i) on \(date)", components: ["\(prefix)-api"]))
    }
    let (p, t) = Fixture.dayFile(events)
    return (p, t, events)
}

@Suite struct FreshnessTests {
    @Test func secondOpenReusesTheSnapshot() throws {
        let repo = try TemporaryGitRepository()
        let (p, t, _) = day("2026-02-01", count: 3)
        try repo.commitFiles([p: t])
        let first = try Fixture.open(repo)
        #expect(first.freshness.wasRebuilt)
        #expect(first.lastUpdate.filesParsed == 1)
        #expect(FileManager.default.fileExists(atPath: repo.path + "/.git/cmem/index/base.cmx"))
        let second = try Fixture.open(repo)
        #expect(second.freshness.update == .current)
        #expect(second.lastUpdate.filesParsed == 0)
        #expect(second.search(SearchQuery("deployed")).hits.count == 3)
        #expect(second.freshness.commit == first.freshness.commit)
    }

    @Test func incrementalUpdateReadsOnlyTheChangedFiles() throws {
        let repo = try TemporaryGitRepository()
        var files: [String: String] = [:]
        for d in 1...5 {
            let (p, t, _) = day("2026-02-0\(d)", count: 4)
            files[p] = t
        }
        let s = Session(id: "sess-20260201-070000-aaaaaaaaaa", project: "p", workingDirectory: "/w", startedAt: Fixture.time("2026-02-01T07:00:00Z"), currentTask: "look around")
        files[s.path] = MemoryFiles.sessionNote(s)
        try repo.commitFiles(files)
        let cold = try Fixture.open(repo)
        #expect(cold.lastUpdate.filesParsed == 6)
        let before = cold.freshness.commit

        // A pull that rewrites one day file: one event replaced, two added.
        var (p, _, events) = day("2026-02-03", count: 4)
        events.removeFirst()
        events.append(Fixture.event("ev-20260203-200000-zzzzzzzzz1", "2026-02-03T20:00:00Z", "incident", "Incident: zebra outage", components: ["z-api"]))
        events.append(Fixture.event("ev-20260203-210000-zzzzzzzzz2", "2026-02-03T21:00:00Z", "incident", "Incident: zebra outage again", components: ["z-api"]))
        p = Fixture.dayFile(events).0
        try repo.commitFiles([p: Fixture.dayFile(events).1])
        let next = try Fixture.open(repo)
        #expect(next.lastUpdate.filesParsed == 1)
        #expect(next.freshness.update == .incremental(files: 1))
        #expect(next.freshness.commit != before)
        #expect(next.freshness.dirtyFiles.isEmpty)
        #expect(next.search(SearchQuery("zebra")).hits.count == 2)
        #expect(next.search(SearchQuery("", kinds: [.event], limit: 100)).hits.count == 21)
        #expect(next.event(id: "ev-20260203-080000-a000000000") == nil)
        #expect(next.search(SearchQuery("look around")).hits.count == 1)

        // Deleting a file removes its documents.
        try repo.remove("timeline/2026/02/2026-02-05.md")
        try repo.commit(["timeline/2026/02/2026-02-05.md"])
        let after = try Fixture.open(repo)
        #expect(after.lastUpdate.filesParsed == 0)
        #expect(after.freshness.update == .incremental(files: 1))
        #expect(after.search(SearchQuery("", kinds: [.event], limit: 100)).hits.count == 17)
    }

    @Test func uncommittedEditsAreIndexedAndReported() throws {
        let repo = try TemporaryGitRepository()
        let (p, t, events) = day("2026-02-01", count: 2)
        try repo.commitFiles([p: t])
        _ = try Fixture.open(repo)

        // Edited in place (same inode) and not committed.
        let extra = Fixture.event("ev-20260201-230000-bbbbbbbbbb", "2026-02-01T23:00:00Z", "incident", "Incident: walrus stuck", components: ["w-api"])
        try repo.append(p, MemoryFiles.eventBlock(extra))
        // A new decision nobody committed, in a new directory.
        let d = Decision(id: "dec-20260301-100000-cccccccccc", sessionID: nil, timestamp: Fixture.time("2026-03-01T10:00:00Z"),
                         decision: "Feed the walrus daily", rationale: "it gets stuck")
        try repo.write(d.path, MemoryFiles.decisionNote(d))
        let index = try Fixture.open(repo)
        #expect(index.search(SearchQuery("walrus")).hits.map(\.id).sorted() == [d.id, extra.id].sorted())
        #expect(index.freshness.dirtyFiles == [d.path, p].sorted())
        #expect(index.freshness.includesDirtyFiles)
        #expect(index.freshness.summary.contains("2 uncommitted files"))

        // Committing them leaves the content and clears the dirty list.
        try repo.commit([p, d.path])
        let committed = try Fixture.open(repo)
        #expect(committed.freshness.dirtyFiles.isEmpty)
        #expect(committed.freshness.commit == (try repo.repository.head()?.hex))
        #expect(committed.lastUpdate.filesParsed == 0)
        #expect(committed.search(SearchQuery("walrus")).hits.count == 2)
        #expect(committed.event(id: events[0].id) == events[0])
    }

    @Test func notesEditedInPlaceAreFoundByTheSweep() throws {
        let repo = try TemporaryGitRepository()
        var s = Session(id: "sess-20260201-070000-aaaaaaaaaa", project: "p", workingDirectory: "/w", startedAt: Fixture.time("2026-02-01T07:00:00Z"), currentTask: "initial task")
        try repo.commitFiles([s.path: MemoryFiles.sessionNote(s)])
        _ = try Fixture.open(repo)
        s.currentTask = "narwhal migration"
        // Rewrite in place: the directory does not change.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: repo.directory.file(s.path)))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(MemoryFiles.sessionNote(s).utf8))
        try handle.close()
        // With a long sweep interval the edit waits for the next sweep; the answer says when that was.
        let lazy = try Fixture.open(repo, sweep: 3600)
        #expect(lazy.search(SearchQuery("narwhal")).hits.isEmpty)
        #expect(lazy.freshness.notesVerifiedAt.milliseconds > 0)
        let eager = try Fixture.open(repo, sweep: 0)
        #expect(eager.search(SearchQuery("narwhal")).hits.count == 1)
        #expect(eager.freshness.dirtyFiles == [s.path])
    }

    @Test func aSweepThatFindsNothingIsRecordedWithoutRewritingTheDelta() throws {
        let repo = try TemporaryGitRepository()
        var s = Session(id: "sess-20260201-070000-bbbbbbbbbb", project: "p", workingDirectory: "/w", startedAt: Fixture.time("2026-02-01T07:00:00Z"), currentTask: "initial task")
        try repo.commitFiles([s.path: MemoryFiles.sessionNote(s)])
        // Written an hour ago, so no signature is too recent to trust.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: repo.directory.file(s.path))
        _ = try Fixture.open(repo)
        let deltaPath = repo.path + "/.git/cmem/index/delta.cmx"
        let before = FileIO.signature(deltaPath)
        let swept = try Fixture.open(repo, sweep: 0)
        #expect(FileIO.signature(deltaPath) == before, "a sweep that changed nothing leaves the delta alone")
        #expect(SweepRecord.read(repo.path + "/.git/cmem/index/swept")?.at == swept.freshness.notesVerifiedAt.milliseconds)
        let later = try Fixture.open(repo, sweep: 3600)
        #expect(later.freshness.notesVerifiedAt == swept.freshness.notesVerifiedAt, "the sweep's time is remembered")
        // The record is only trusted for the delta it was made against, and edits are still found.
        s.currentTask = "walrus migration"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: repo.directory.file(s.path)))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(MemoryFiles.sessionNote(s).utf8))
        try handle.close()
        let eager = try Fixture.open(repo, sweep: 0)
        #expect(eager.search(SearchQuery("walrus")).hits.count == 1)
        #expect(FileIO.signature(deltaPath) != before)
        let afterRewrite = try Fixture.open(repo, sweep: 3600)
        #expect(afterRewrite.search(SearchQuery("walrus")).hits.count == 1)
    }

    @Test func applyReReadsWhatAWriterJustWrote() throws {
        let repo = try TemporaryGitRepository()
        let (p, t, _) = day("2026-02-01", count: 1)
        try repo.commitFiles([p: t])
        let index = try Fixture.open(repo, sweep: 3600)
        let d = Decision(id: "dec-20260201-100000-cccccccccc", sessionID: nil, timestamp: Fixture.time("2026-02-01T10:00:00Z"),
                         decision: "Adopt the okapi protocol")
        try repo.write(d.path, MemoryFiles.decisionNote(d))
        try index.apply(writtenPaths: [d.path])
        #expect(index.search(SearchQuery("okapi")).hits.map(\.id) == [d.id])
        #expect(index.lastUpdate.filesParsed == 1)
    }

    @Test func aDeltaGrownPastTheThresholdIsCompactedIntoTheBase() throws {
        let repo = try TemporaryGitRepository()
        let (p1, t1, _) = day("2026-02-01", count: 6, prefix: "a")
        let (p2, t2, _) = day("2026-02-02", count: 6, prefix: "b")
        try repo.commitFiles([p1: t1, p2: t2])
        var options = MemoryIndex.Options()
        options.compactionThreshold = 8
        _ = try MemoryIndex.open(repoPath: repo.path, logger: Fixture.logger, options: options)
        let (p3, t3, _) = day("2026-02-03", count: 6, prefix: "c")
        try repo.commitFiles([p3: t3])
        let small = try MemoryIndex.open(repoPath: repo.path, logger: Fixture.logger, options: options)
        #expect(!small.lastUpdate.compacted)
        #expect(small.status().deltaDocuments == 6)
        let (p4, t4, _) = day("2026-02-04", count: 6, prefix: "d")
        let (_, t1b, _) = day("2026-02-01", count: 3, prefix: "a")
        try repo.commitFiles([p4: t4, p1: t1b])
        let compacted = try MemoryIndex.open(repoPath: repo.path, logger: Fixture.logger, options: options)
        #expect(compacted.lastUpdate.compacted)
        #expect(compacted.status().deltaDocuments == 0)
        #expect(compacted.status().events == 21)
        #expect(compacted.search(SearchQuery("", kinds: [.event], limit: 100)).hits.count == 21)
        let reopened = try MemoryIndex.open(repoPath: repo.path, logger: Fixture.logger, options: options)
        #expect(reopened.freshness.update == .current)
        #expect(reopened.search(SearchQuery("number", limit: 100)).totalMatches == 21)
        _ = p2; _ = t2
    }
}

@Suite struct SnapshotIntegrityTests {
    private func prepared() throws -> (TemporaryGitRepository, String) {
        let repo = try TemporaryGitRepository()
        let (p, t, _) = day("2026-02-01", count: 5)
        try repo.commitFiles([p: t])
        _ = try Fixture.open(repo)
        return (repo, repo.path + "/.git/cmem/index/base.cmx")
    }

    private func mutate(_ path: String, _ body: (inout [UInt8]) -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        body(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    private func expectRebuilt(_ repo: TemporaryGitRepository) throws {
        let index = try Fixture.open(repo)
        #expect(index.freshness.wasRebuilt)
        #expect(index.search(SearchQuery("deployed")).hits.count == 5)
        // The rebuilt snapshot is good again.
        #expect(try Fixture.open(repo).freshness.update == .current)
    }

    @Test func aFlippedByteIsCaughtByTheChecksum() throws {
        let (repo, base) = try prepared()
        try mutate(base) { $0[$0.count / 2] ^= 0x40 }
        try expectRebuilt(repo)
    }

    @Test func aByteChangedInPlaceIsCaughtToo() throws {
        let (repo, base) = try prepared()
        // The base was verified when written; an in-place write changes its signature, so it is verified again.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: base))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        let byte = try handle.read(upToCount: 1)![0]
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data([byte ^ 0x10]))
        try handle.close()
        try expectRebuilt(repo)
    }

    @Test func aTruncatedSnapshotIsRebuilt() throws {
        let (repo, base) = try prepared()
        try mutate(base) { $0.removeLast($0.count / 3) }
        try expectRebuilt(repo)
        try mutate(base) { $0 = Array($0.prefix(10)) }
        try expectRebuilt(repo)
        try mutate(base) { $0 = [] }
        try expectRebuilt(repo)
    }

    @Test func aForeignOrFutureFileIsRebuilt() throws {
        let (repo, base) = try prepared()
        try mutate(base) { bytes in
            var g = SplitMix64(seed: 3)
            bytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        }
        try expectRebuilt(repo)
        // Right magic, another format version (header checksum made right, so only the version is wrong).
        try mutate(base) { bytes in
            bytes[8] = 99
            let sum = bytes.withUnsafeBufferPointer { contentHash(UnsafeBufferPointer(rebasing: $0[0..<56])) }
            withUnsafeBytes(of: sum.littleEndian) { for i in 0..<8 { bytes[56 + i] = $0[i] } }
        }
        try expectRebuilt(repo)
    }

    @Test func aDamagedDeltaFallsBackToCheckingEveryFile() throws {
        let (repo, _) = try prepared()
        let extra = Fixture.event("ev-20260202-100000-eeeeeeeeee", "2026-02-02T10:00:00Z", "incident", "Incident: yak shaving", components: ["y-api"])
        let (p, t) = Fixture.dayFile([extra])
        try repo.commitFiles([p: t])
        _ = try Fixture.open(repo)
        try mutate(repo.path + "/.git/cmem/index/delta.cmx") { $0[$0.count - 3] ^= 1 }
        let index = try Fixture.open(repo)
        #expect(!index.freshness.wasRebuilt)
        #expect(index.search(SearchQuery("yak")).hits.count == 1)
        #expect(index.search(SearchQuery("deployed")).hits.count == 5)
    }
}

@Suite struct BrokenNoteTests {
    @Test func aBrokenEventBlockIsSkippedWithItsLine() throws {
        let repo = try TemporaryGitRepository()
        let good1 = Fixture.event("ev-20260201-080000-aaaaaaaaa1", "2026-02-01T08:00:00Z", "deployment", "First good", components: ["a-api"])
        let good2 = Fixture.event("ev-20260201-100000-aaaaaaaaa3", "2026-02-01T10:00:00Z", "deployment", "Second good", components: ["a-api"])
        var text = MemoryFiles.dayFile(day: "2026-02-01", events: [good1])
        // The heading is the first line after the text so far; the bad timestamp is four lines below it.
        let brokenLine = text.split(separator: "\n", omittingEmptySubsequences: false).count + 4
        text += "## 09:00:00 deployment — broken\n\n```yaml\nevent_id: ev-20260201-090000-aaaaaaaaa2\ntimestamp: not-a-time\nevent_type: deployment\n```\n\n"
        text += MemoryFiles.eventBlock(good2)
        let brokenSession = "---\nsession_id: sess-1\nstarted_at: [unclosed\n---\n"
        try repo.commitFiles(["timeline/2026/02/2026-02-01.md": text, "sessions/2026/02/sess-1.md": brokenSession])
        let index = try Fixture.open(repo)
        #expect(index.search(SearchQuery("good")).hits.map(\.id).sorted() == [good1.id, good2.id])
        let warnings = index.freshness.warnings
        #expect(warnings.count == 2)
        let day = try #require(warnings.first { $0.path == "timeline/2026/02/2026-02-01.md" })
        #expect(day.line == brokenLine)
        #expect(day.message.contains("timestamp"))
        #expect(warnings.contains { $0.path == "sessions/2026/02/sess-1.md" })
        // The warnings survive a reopen from the snapshot.
        #expect(try Fixture.open(repo).freshness.warnings == warnings)
    }
}

@Suite struct EdgeCaseTests {
    @Test func anEmptyRepositoryWithoutCommits() throws {
        let repo = try TemporaryGitRepository()
        let index = try Fixture.open(repo)
        #expect(index.freshness.commit == nil)
        #expect(index.search(SearchQuery("anything")).hits.isEmpty)
        #expect(index.status().events == 0)
        #expect(index.correlate(CorrelationRequest("x-api down")).probableCause == nil)
        // The first notes arrive: a new root directory, then a commit.
        let (p, t, _) = day("2026-02-01", count: 2)
        try repo.write(p, t)
        let again = try Fixture.open(repo)
        #expect(again.search(SearchQuery("deployed")).hits.count == 2)
        #expect(again.freshness.dirtyFiles == [p])
        try repo.commit([p])
        let committed = try Fixture.open(repo)
        #expect(committed.freshness.commit != nil)
        #expect(committed.freshness.dirtyFiles.isEmpty)
    }

    @Test func aRemovedMonthDirectoryTakesItsNotesAlong() throws {
        let repo = try TemporaryGitRepository()
        let (p1, t1, _) = day("2026-02-01", count: 2)
        let (p2, t2, _) = day("2026-03-01", count: 3, prefix: "b")
        try repo.commitFiles([p1: t1, p2: t2])
        _ = try Fixture.open(repo)
        try FileManager.default.removeItem(atPath: repo.directory.file("timeline/2026/03"))
        try repo.commit([p2])
        let index = try Fixture.open(repo)
        #expect(index.search(SearchQuery("", kinds: [.event], limit: 50)).hits.count == 2)
        #expect(index.freshness.update == .incremental(files: 1))
    }

    @Test func queriesRunWhileTheIndexIsRefreshed() throws {
        let repo = try TemporaryGitRepository()
        let (p, t, _) = day("2026-02-01", count: 5)
        try repo.commitFiles([p: t])
        let index = try Fixture.open(repo)
        let box = UncheckedBox(index)
        let writer = Thread {
            for i in 0..<5 {
                let (q, u, _) = day("2026-02-0\(i + 2)", count: 3, prefix: "w")
                try? repo.write(q, u)
                try? box.value.refresh()
            }
        }
        writer.start()
        DispatchQueue.concurrentPerform(iterations: 200) { _ in
            let n = box.value.search(SearchQuery("deployed", limit: 100)).hits.count
            precondition(n >= 5)
        }
        while writer.isExecuting { usleep(1000) }
        try index.refresh()
        #expect(index.search(SearchQuery("deployed", limit: 100)).hits.count == 20)
    }

    @Test func gitDiffUnderRootsMatchesTheFullDiff() throws {
        let repo = try TemporaryGitRepository()
        let (p1, t1, _) = day("2026-02-01", count: 2)
        let (p2, t2, _) = day("2026-03-01", count: 2, prefix: "b")
        let first = try repo.commitFiles([p1: t1, p2: t2, "README.md": "x"])!
        let (p3, t3, _) = day("2027-01-01", count: 1, prefix: "c")
        try repo.write(p3, t3)
        try repo.write(p1, t1 + "\n")
        try repo.remove(p2)
        try repo.write("README.md", "y")
        let second = try repo.commit([p1, p2, p3, "README.md"])!
        let pruned = try repo.repository.changedPaths(from: first, to: second, under: ["timeline", "sessions", "decisions"])
        let full = try repo.repository.changedPaths(from: first, to: second).filter { $0.path.hasPrefix("timeline/") }
        #expect(Set(pruned) == Set(full))
        #expect(pruned.count == 3)
        let fromNothing = try repo.repository.changedPaths(from: nil, to: first, under: ["timeline"])
        #expect(Set(fromNothing.map(\.path)) == [p1, p2])
    }
}

private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
