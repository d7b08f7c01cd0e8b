import Foundation
import Testing
import MemoryModel
import TestSupport
@testable import MemorySync

/// No cmem write while a merge is unresolved: conflict markers are never committed, and `cmem status`
/// keeps reporting the conflict until a human resolves it (issue 19, item 3).
@Suite struct ConflictWriteTests {
    /// Two clones whose edits of one session note's prose conflict; `b`'s sync stops on the conflict.
    func conflictedSession() throws -> (SyncWorld, Clone, Clone, session: String, path: String) {
        let w = try SyncWorld()
        let (a, b, session, path, _) = try w.proseConflict()
        let r = try b.json(["sync"])
        #expect(r["error"]?["kind"]?.stringValue == "conflicts")
        return (w, a, b, session, path)
    }

    /// Every version of every file in `clone`'s history, and its working tree files, as one text.
    func history(_ c: Clone) throws -> String { try c.git("log", "-p", "--all").stdout }

    @Test func aWriteToAConflictedNoteFailsAndCommitsNoMarkers() throws {
        let (w, a, b, session, path) = try conflictedSession()
        let before = try b.head()
        let conflicted = try b.read(path)

        let r = try b.cmem(["session", "update", "--session", session, "--summary", "written during the merge"])
        #expect(r.status != 0)
        #expect(r.stderr.contains(path), "\(r.stderr)")
        #expect(r.stderr.contains("conflict"), "\(r.stderr)")
        #expect(try b.head() == before)
        #expect(try b.read(path) == conflicted)
        #expect(conflictMarkers(try history(b)).isEmpty)

        // Still reported, and still refused by sync, until a human resolves it.
        #expect(try b.json(["status"])["conflicts"] == .array([.string(path)]))
        #expect(try b.json(["sync"])["error"]?["kind"]?.stringValue == "unresolved_merge")
        #expect(conflictMarkers(try ProcessRunner.git(["log", "-p", "--all"], cwd: w.bare).stdout).isEmpty)
        _ = a
    }

    @Test func aNoteMarkedResolvedWithItsMarkersIsNeverCommitted() throws {
        let (w, _, b, session, path) = try conflictedSession()
        // The human runs `git add` too early: git counts the conflict as resolved, the markers are still there.
        try b.git("add", path)
        let r = try b.cmem(["session", "update", "--session", session, "--summary", "too early"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("conflict markers"), "\(r.stderr)")
        let status = try b.json(["status"])
        #expect(status["conflict_markers"] == .array([.string(path)]))
        let s = try b.json(["sync"])
        #expect(s["error"]?["kind"]?.stringValue == "pending_refused", "\(s)")
        #expect(conflictMarkers(try history(b)).isEmpty)
        #expect(conflictMarkers(try ProcessRunner.git(["log", "-p", "--all"], cwd: w.bare).stdout).isEmpty)
    }

    @Test func anEventIntoADayFileAGitPullLeftConflictedIsRefused() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        _ = try a.record("first", at: "2026-03-01T09:00:00Z")
        try a.expect(["sync"])
        let b = try w.clone("b")
        let day = "timeline/2026/03/2026-03-01.md"
        // Without cmem's merge drivers (a plain git setup), a hand edit on each side conflicts in git's text merge.
        try b.git("config", "--remove-section", "merge.cmem-timeline")
        let original = try a.read(day)
        try a.write(day, original + "\nNote from a.\n")
        try a.git("commit", "-q", "-am", "a")
        try a.expect(["sync"])
        try b.write(day, original + "\nNote from b.\n")
        try b.git("commit", "-q", "-am", "b")
        let pull = try b.git("pull", "--no-rebase", "-q", "origin", "main")
        #expect(pull.status != 0)
        #expect(!conflictMarkers(try b.read(day)).isEmpty, "\(pull.stderr)\(pull.stdout)")
        let before = try b.head()

        let r = try b.cmem(["event", "record", "--type", "deployment", "--description", "during the pull", "--time", "2026-03-01T12:00:00Z"])
        #expect(r.status != 0)
        #expect(r.stderr.contains(day), "\(r.stderr)")
        #expect(try b.head() == before)
        #expect(conflictMarkers(try history(b)).isEmpty)
        #expect(try b.json(["status"])["conflicts"] == .array([.string(day)]))
    }
}
