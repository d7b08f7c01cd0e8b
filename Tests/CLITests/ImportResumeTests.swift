import Foundation
import MemoryModel
import Testing
import TestSupport

/// `cmem import` killed between writing a batch's files and committing them (issue 19: a second run said
/// "already present", exited 0 and left 59–204 notes untracked or modified) is completed by the next run.
@Suite struct ImportResumeTests {
    /// A stream of `events` events over ten days and `sessions` sessions, in the shape of gen_events.py.
    static func stream(events: Int, sessions: Int) -> String {
        var lines: [String] = []
        let start = Timestamp(iso8601: "2026-03-01T00:00:00Z")!
        for i in 0..<events {
            let t = start.adding(seconds: Int64(i) * 431)
            lines.append(#"{"kind": "event", "time": "\#(t.iso8601)", "type": "deployment", "source": "argocd", "description": "Synced api-\#(i % 7) to rev \#(i)", "affected_components": ["api-\#(i % 7)"], "severity": "info"}"#)
        }
        for i in 0..<sessions {
            let t = start.adding(seconds: Int64(i) * 3_600 + 17)
            lines.append(#"{"kind": "session", "session_id": "sess-\#(t.compact)-\#(String(format: "%010x", i))", "project": "shop", "working_directory": "/src/shop", "started_at": "\#(t.iso8601)", "current_task": "Task \#(i)", "summary": "Did \#(i)"}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func anImportKilledMidBatchIsCompletedByTheNextRun() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
            Issue.record("strace is not installed (scripts/setup-deps installs it)")
            return
        }
        let f = try CLIFixture()
        let stream = f.dir.file("stream.jsonl")
        try Self.stream(events: 1_500, sessions: 30).write(toFile: stream, atomically: true, encoding: .utf8)
        let before = try f.git("rev-list", "--count", "HEAD").trimmed

        // Killed at the 12th rename: the batch's record and some of its files are in place, nothing committed.
        let killed = try ProcessRunner.run("/usr/bin/strace", ["-f", "-o", "/dev/null", "-e", "inject=rename:signal=KILL:when=12",
                                                              CMemBinary.path, "import", stream],
                                           environment: ["CMEM_REPO": f.repo])
        #expect(killed.status != 0)
        #expect(try f.git("rev-list", "--count", "HEAD").trimmed == before, "the killed import committed")
        #expect(!(try f.git("status", "--porcelain", "--untracked-files=all").trimmed.isEmpty), "the kill left nothing to complete")

        let again = try f.cmem("import", stream)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("completed an interrupted import"), "\(again.stdout)")
        #expect(try f.git("status", "--porcelain", "--untracked-files=all").trimmed.isEmpty, "files left uncommitted after the second run")
        #expect(try f.git("fsck", "--no-progress").status == 0)

        // Every record exactly once.
        let timeline = try f.json("timeline", "--since", "2026-02-28", "--until", "2026-03-31", "--limit", "100000")
        guard case let .array(events)? = timeline["events"] else { Issue.record("no events in \(timeline)"); return }
        #expect(events.count == 1_500)
        let third = try f.json("import", stream)
        #expect(third["events_added"] == .number(0))
        #expect(third["sessions_added"] == .number(0))
        #expect(third["resumed_files"] == .number(0))
    }
}
