import Foundation
import Testing
import MemoryModel
import TestSupport
@testable import MemorySync

/// What cmem commits for someone else passes the pre-commit guard's rules: a secret the guard refused in a
/// human's `git commit` is not committed and pushed by the next cmem write or sync (issue 19, item 4).
@Suite struct PendingSecretsTests {
    static let secret = "Hunter2Secret9"

    @Test func aSecretTheGuardRefusedIsNotCommittedByCmem() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        let note = "decisions/notes.md"
        try a.write(note, "# Access\n\npassword: \(Self.secret)\n")
        try a.git("add", note)
        let human = try a.git("commit", "-q", "-m", "human")
        #expect(human.status != 0, "the pre-commit guard should refuse: \(human.stdout)")

        // A cmem write commits only what it wrote, never the human's staged file.
        _ = try a.record("after the refusal", at: "2026-03-01T10:00:00Z")
        #expect(!(try a.git("log", "-p").stdout.contains(Self.secret)))

        // Sync would commit the pending file: refused, naming file and line, and nothing reaches the remote.
        let r = try a.json(["sync"])
        #expect(r["error"]?["kind"]?.stringValue == "pending_refused", "\(r)")
        #expect(r["error"]?["message"]?.stringValue?.contains("\(note):3:") == true, "\(r)")
        #expect(!(try a.git("log", "-p").stdout.contains(Self.secret)))
        #expect(!(try ProcessRunner.git(["log", "-p", "--all"], cwd: w.bare).stdout.contains(Self.secret)))

        // Once the human removes it, sync commits and pushes the rest.
        try a.write(note, "# Access\n\npassword: [REDACTED]\n")
        let ok = try a.json(["sync"])
        #expect(ok["pushed"] == .bool(true), "\(ok)")
        #expect(try a.git("show", "HEAD:" + note).stdout.contains("[REDACTED]"))
    }

    @Test func aSecretInADayFileAHumanEditedIsNotCommittedWithTheNextEvent() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        _ = try a.record("first", at: "2026-03-01T09:00:00Z")
        let day = "timeline/2026/03/2026-03-01.md"
        try a.write(day, try a.read(day) + "\npassword: \(Self.secret)\n")
        #expect(try a.git("commit", "-q", "-am", "human").status != 0)

        let r = try a.cmem(["event", "record", "--type", "deployment", "--description", "next", "--time", "2026-03-01T10:00:00Z"])
        #expect(!(try a.git("log", "-p").stdout.contains(Self.secret)), "\(r.stderr)")
        if r.status != 0 { #expect(r.stderr.contains(day), "\(r.stderr)") }
    }
}
