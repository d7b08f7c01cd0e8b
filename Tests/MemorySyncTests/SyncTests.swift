import Foundation
import Testing
import GitKit
import MemoryModel
import TestSupport
@testable import MemorySync

@Suite struct SyncTests {
    @Test func twoClonesWritingTheSameDayMeetThroughSync() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        let b = try w.clone("b")
        let e1 = try a.record("from a", at: "2026-03-01T10:00:00Z")
        let e2 = try b.record("from b", at: "2026-03-01T09:00:00Z")
        let e3 = try b.record("from b later", at: "2026-03-01T11:00:00Z")
        try a.expect(["sync"])
        let report = try b.json(["sync"])
        #expect(report["merge"]?.stringValue == "merged")
        #expect(report["pushed"] == .bool(true))
        let ff = try a.json(["sync"])
        #expect(ff["merge"]?.stringValue == "fast_forward")
        #expect(try a.head() == b.head())
        #expect(try a.head() == w.remoteHead())
        #expect(try a.eventIDs() == [e2, e1, e3])
        #expect(try b.git("status", "--porcelain").trimmed == "")
        // A second sync has nothing to do.
        let quiet = try a.json(["sync"])
        #expect(quiet["merge"]?.stringValue == "up_to_date" && quiet["pushed"] == .bool(false))
        #expect(try a.expect(["sync"]).hasPrefix("Already in sync with origin/main"))
    }

    @Test func plainGitPullUsesTheMergeDrivers() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        let session = try a.expect(["session", "start", "--task", "shared work"])
        try a.expect(["sync"])
        let b = try w.clone("b")
        for c in [a, b] { try MergeDriverSetup.configure(repositoryAt: c.path, executable: CMemBinary.path) }
        let ea = try a.record("from a", at: "2026-03-01T10:00:00Z")
        let eb = try b.record("from b", at: "2026-03-01T10:00:01Z")
        let da = try a.expect(["session", "decide", "decision from a", "--session", session])
        let db = try b.expect(["session", "decide", "decision from b", "--session", session])
        #expect(try a.git("push", "-q", "origin", "main").status == 0)
        let pull = try b.git("pull", "--no-rebase", "--no-edit", "origin", "main")
        #expect(pull.status == 0, "\(pull.stdout)\(pull.stderr)")
        #expect(try b.eventIDs() == [ea, eb])
        let note = try b.read(b.sessionPath(session)!)
        #expect(note.contains(da) && note.contains(db))
        #expect(conflictMarkers(note).isEmpty)
        #expect(try b.git("status", "--porcelain").trimmed == "")
    }

    @Test func aRemoteThatIsDownLeavesEverythingLocalAsItWasAndTheNextSyncRetries() throws {
        let port = try GitDaemon.freePort()
        let w = try SyncWorld()
        let a = try w.seed("a")
        try a.expect(["remote", "set-url", "origin", "git://127.0.0.1:\(port)/memory.git"])
        _ = try a.record("written while offline", at: "2026-03-01T10:00:00Z")
        let session = try a.expect(["session", "start", "--task", "offline"])
        try a.handEdit(a.sessionPath(session)!, key: "summary", value: "edited by hand, not committed")
        let head = try a.head()
        let status = try a.git("status", "--porcelain").stdout

        let r = try a.cmem(["sync"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot reach remote origin (git://127.0.0.1:\(port)/memory.git)"), "\(r.stderr)")
        #expect(r.stderr.contains("Nothing local was changed; the next sync will retry."))
        let j = try a.json(["sync"])
        #expect(j["error"]?["kind"]?.stringValue == "remote_unreachable")
        #expect(try a.head() == head)
        #expect(try a.git("status", "--porcelain").stdout == status)

        // The remote comes back: the next sync goes through.
        let daemon = try GitDaemon(basePath: w.remotesDir, port: port)
        defer { daemon.stop() }
        let ok = try a.json(["sync"])
        #expect(ok["pushed"] == .bool(true))
        #expect(ok["committed"].map { if case let .array(p) = $0 { return p.count } else { return 0 } } == 1)
        #expect(try a.head() == w.remoteHead())
        #expect(try a.git("status", "--porcelain").trimmed == "")
    }

    @Test func aPushTheRemoteRefusesIsExplainedAndLocalCommitsStay() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        let hook = w.bare + "/hooks/pre-receive"
        try "#!/bin/sh\necho 'memory is read-only today' >&2\nexit 1\n".write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)
        let id = try a.record("refused", at: "2026-03-01T10:00:00Z")
        let r = try a.cmem(["sync"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("refused the push"), "\(r.stderr)")
        #expect(r.stderr.contains("pre-receive hook declined"))
        #expect(r.stderr.contains("memory is read-only today"))
        #expect(try a.eventIDs() == [id])
        #expect(try a.head() != w.remoteHead())
    }

    @Test func aRewrittenRemoteIsNotMergedSilently() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        let b = try w.clone("b")
        _ = try a.record("first", at: "2026-03-01T10:00:00Z")
        try a.expect(["sync"])
        try b.expect(["sync"])
        // Someone rewrites the shared history and force-pushes it.
        try b.git("commit", "-q", "--amend", "-m", "rewritten")
        #expect(try b.git("push", "-q", "--force", "origin", "main").status == 0)
        _ = try a.record("second", at: "2026-03-01T11:00:00Z")
        let head = try a.head()
        for _ in 0..<2 {
            let r = try a.json(["sync"])
            #expect(r["error"]?["kind"]?.stringValue == "history_rewritten")
            #expect(r["error"]?["message"]?.stringValue?.contains("--allow-rewritten-remote") == true)
            #expect(try a.head() == head)
        }
        let ok = try a.json(["sync", "--allow-rewritten-remote"])
        #expect(ok["pushed"] == .bool(true))
        #expect(try a.head() == w.remoteHead())
        #expect(try a.eventIDs().count == 2)
    }

    @Test func aProseConflictIsLeftForAHumanReportedByStatusAndFinishedBySync() throws {
        let w = try SyncWorld()
        let (a, b, _, path, original) = try w.proseConflict()
        _ = try b.record("unrelated event", at: "2026-03-01T10:00:00Z")

        let r = try b.json(["sync"])
        #expect(r["error"]?["kind"]?.stringValue == "conflicts")
        #expect(r["error"]?["conflicts"] == .array([.string(path)]))
        let status = try b.json(["status"])
        #expect(status["conflicts"] == .array([.string(path)]))
        #expect(status["merge_in_progress"] == .bool(true))
        let text = try b.read(path)
        #expect(text.contains("began at the registry") && text.contains("began with a bad deploy"))
        #expect(!conflictMarkers(text).isEmpty)
        let again = try b.json(["sync"])
        #expect(again["error"]?["kind"]?.stringValue == "unresolved_merge")
        let human = try b.cmem(["status"])
        #expect(human.stdout.contains("conflicts that need a human: 1"))

        // The human settles it, then sync finishes the merge and pushes.
        try b.write(path, original + "\nThe outage began at the registry, after a bad deploy.\n")
        try b.git("add", path)
        let done = try b.json(["sync"])
        #expect(done["concluded_merge"] == .bool(true))
        #expect(done["pushed"] == .bool(true))
        try a.expect(["sync"])
        #expect(try a.head() == b.head())
        #expect(try a.read(path).contains("after a bad deploy"))
        #expect(try a.json(["status"])["conflicts"] == .array([]))
    }

    @Test func statusShowsAheadBehindAndPending() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        let b = try w.clone("b")
        try b.expect(["sync"])
        _ = try a.record("one", at: "2026-03-01T10:00:00Z")
        _ = try a.record("two", at: "2026-03-01T10:01:00Z")
        try a.expect(["sync"])
        _ = try b.record("three", at: "2026-03-01T10:02:00Z")
        try b.write("sessions/scratch.md", "an uncommitted note\n")
        try b.write("sessions/.scratch.md.swp", "editor noise")
        let before = try b.json(["status"])
        #expect(before["ahead"] == .number(1) && before["behind"] == .number(0))
        #expect(before["pending"] == .array([.string("sessions/scratch.md")]))
        #expect(before["upstream"]?.stringValue == "origin/main")
        let fetched = try b.json(["status", "--fetch"])
        // a's two events, and the commit its sync made bringing the vault notes up to date (components/api.md).
        #expect(fetched["ahead"] == .number(1) && fetched["behind"] == .number(3))
        #expect(fetched["conflicts"] == .array([]))
        #expect(fetched["merge_in_progress"] == .bool(false))
    }

    @Test func remotesCanBeAddedListedChangedAndRemoved() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        try a.expect(["remote", "add", "backup", "git@example.com:team/memory.git"])
        let list = try a.json(["remote", "list"])
        #expect(list == .array([
            .object([("name", .string("backup")), ("url", .string("git@example.com:team/memory.git"))]),
            .object([("name", .string("origin")), ("url", .string(w.bare))]),
        ]))
        let dup = try a.cmem(["remote", "add", "backup", "x"])
        #expect(dup.status == 1 && dup.stderr.contains("already exists"))
        try a.expect(["remote", "remove", "backup"])
        #expect(try a.expect(["remote"]) == "origin\t\(w.bare)")
        let none = try a.cmem(["sync", "--remote", "nope"])
        #expect(none.status == 1 && none.stderr.contains("no remote named nope"))
    }

    @Test func watchSyncsUntilSIGTERMThenStopsCleanly() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        let b = try w.clone("b")
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: CMemBinary.path)
        watcher.arguments = ["sync", "--watch", "--interval", "1s", "--json", "--repo", a.path]
        let out = Pipe()
        watcher.standardOutput = out
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
        defer { if watcher.isRunning { kill(watcher.processIdentifier, SIGKILL) } }
        let id = try b.record("from b while a watches", at: "2026-03-01T10:00:00Z")
        try b.expect(["sync"])
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, (try? a.eventIDs()) != [id] { usleep(100_000) }
        #expect(try a.eventIDs() == [id])
        kill(watcher.processIdentifier, SIGTERM)
        let stopBy = Date().addingTimeInterval(10)
        while watcher.isRunning, Date() < stopBy { usleep(50_000) }
        #expect(!watcher.isRunning, "cmem sync --watch did not stop on SIGTERM")
        if !watcher.isRunning { #expect(watcher.terminationStatus == 0) }
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        #expect(lines.contains { (try? JSONValue.parse(String($0)))?["merge"]?.stringValue == "fast_forward" })
    }

    @Test func syncWithoutARemoteSaysHowToAddOne() throws {
        let dir = TemporaryDirectory("cmem-sync")
        let repo = dir.file("m")
        #expect(try CMemBinary.run(["init", repo], repo: repo).status == 0)
        let r = try CMemBinary.run(["sync"], repo: repo)
        #expect(r.status == 1)
        #expect(r.stderr.contains("cmem remote add origin URL"))
    }

    @Test func theMergeDriverCommandWritesTheResultIntoOurs() throws {
        let dir = TemporaryDirectory("cmem-driver")
        let base = Day.file([Day.event("ev-20260301-100000-aaaaaaaaaa", "2026-03-01T10:00:00Z")])
        let ours = Day.file([Day.event("ev-20260301-100000-aaaaaaaaaa", "2026-03-01T10:00:00Z"), Day.event("ev-20260301-110000-bbbbbbbbbb", "2026-03-01T11:00:00Z")])
        let theirs = Day.file([Day.event("ev-20260301-100000-aaaaaaaaaa", "2026-03-01T10:00:00Z"), Day.event("ev-20260301-103000-cccccccccc", "2026-03-01T10:30:00Z")])
        try dir.write("O", base)
        try dir.write("A", ours)
        try dir.write("B", theirs)
        let r = try ProcessRunner.run(CMemBinary.path, ["merge-driver", "timeline", dir.file("O"), dir.file("A"), dir.file("B"), "timeline/x.md", "--marker-size", "7"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Day.ids(try dir.read("A")) == ["ev-20260301-100000-aaaaaaaaaa", "ev-20260301-103000-cccccccccc", "ev-20260301-110000-bbbbbbbbbb"])
        // A prose conflict: exit 1, markers in ours.
        try dir.write("O", "---\nk: v\n---\nsame\n")
        try dir.write("A", "---\nk: v\n---\nmine\n")
        try dir.write("B", "---\nk: v\n---\nyours\n")
        let c = try ProcessRunner.run(CMemBinary.path, ["merge-driver", "note", dir.file("O"), dir.file("A"), dir.file("B"), "sessions/x.md"])
        #expect(c.status == 1)
        #expect(try dir.read("A").contains("<<<<<<<"))
    }
}
