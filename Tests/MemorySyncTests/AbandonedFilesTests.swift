import Foundation
import Testing
import MemoryModel
import TestSupport
@testable import MemorySync

/// What a cmem writer killed mid-write leaves is cleaned up by the next sync: its temporary files are
/// removed, never committed (a live writer's are left alone), and its git locks do not stop the merge
/// (issue 19, items 7 and 13).
@Suite struct AbandonedFilesTests {
    @Test func aKilledWritersTemporaryFilesAreRemovedBySync() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        _ = try a.record("first", at: "2026-03-01T09:00:00Z")
        // A pid that no longer runs: a process that has exited.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = gone.processIdentifier
        let dir = "timeline/2026/03"
        let abandoned = ["\(dir)/.2026-03-01.md.cmem-\(dead)-12345.tmp", "\(dir)/.2026-03-01.md.cmem-\(dead)-777.old.tmp"]
        let live = "\(dir)/.2026-03-01.md.cmem-\(getpid())-1.tmp"
        for path in abandoned + [live] { try a.write(path, "half a write\n") }

        try a.expect(["sync"])
        for path in abandoned { #expect(!FileManager.default.fileExists(atPath: a.path + "/" + path), "\(path)") }
        #expect(FileManager.default.fileExists(atPath: a.path + "/" + live))
        #expect(!(try a.git("log", "--all", "--name-only", "--format=").stdout.contains(".cmem-")))
    }

    @Test func aGitLockADeadWriterLeftDoesNotStopTheMerge() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        let b = try w.clone("b")
        let id = try a.record("from a", at: "2026-03-01T09:00:00Z")
        try a.expect(["sync"])
        _ = try b.record("from b", at: "2026-03-01T10:00:00Z")
        let lock = b.path + "/.git/index.lock"
        #expect(FileManager.default.createFile(atPath: lock, contents: Data("stale".utf8)))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-30)], ofItemAtPath: lock)

        try b.expect(["sync"])
        #expect(!FileManager.default.fileExists(atPath: lock))
        #expect(try b.eventIDs().contains(id))
    }

    @Test func theWriterOfATemporaryFileIsReadFromItsName() {
        #expect(PendingChanges.writerPID("timeline/2026/03/.2026-03-01.md.cmem-4242-99.tmp") == 4242)
        #expect(PendingChanges.writerPID("x/.a.md.cmem-17-5.old.tmp") == 17)
        #expect(PendingChanges.writerPID("x/a.md") == nil)
        #expect(PendingChanges.writerPID("x/.a.md.cmem-notapid-5.tmp") == nil)
    }
}
