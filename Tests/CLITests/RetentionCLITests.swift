import Foundation
import MemoryModel
import Testing
import TestSupport

/// `cmem retention status` and `cmem retention apply`, end to end with the real binary on real
/// repositories. Every test counts ages from a fixed `--today`, so none depends on the clock.
@Suite struct RetentionCLITests {
    /// A JSON Lines event record for `cmem import`.
    static func event(_ time: String, _ type: String, severity: String = "info", component: String = "api",
                      description: String? = nil) -> String {
        let d = description ?? "\(type) of \(component) at \(time)"
        return #"{"kind":"event","time":"\#(time)","type":"\#(type)","source":"test","description":\#(JSONValue.quoted(d)),"#
            + #""details":{"n":1},"affected_components":["\#(component)"],"severity":"\#(severity)"}"#
    }

    static func importing(_ f: CLIFixture, _ lines: [String]) throws {
        let file = f.dir.file("records.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let r = try f.cmem("import", file)
        #expect(r.status == 0, "\(r.stderr)")
    }

    func exists(_ f: CLIFixture, _ path: String) -> Bool { FileManager.default.fileExists(atPath: f.repo + "/" + path) }
    func read(_ f: CLIFixture, _ path: String) throws -> String { try String(contentsOfFile: f.repo + "/" + path, encoding: .utf8) }
    func head(_ f: CLIFixture) throws -> String { try f.git("rev-parse", "HEAD").trimmed }

    /// Today 2026-06-30: the day 89 days old (04-02) and the one 90 days old (04-01) stay in detail; the
    /// one 91 days old (03-31) is rolled into March's summary, which names the commit that still holds it.
    @Test func dayBoundariesAndWhatASummaryKeeps() throws {
        let f = try CLIFixture()
        try Self.importing(f, [
            Self.event("2026-03-31T08:00:00Z", "deployment", description: "Synced api to abc123"),
            Self.event("2026-03-31T09:00:00Z", "pod_restart", severity: "critical", description: "api CrashLoopBackOff"),
            Self.event("2026-03-31T10:00:00Z", "incident", severity: "warning", description: "Incident: api slow"),
            Self.event("2026-03-31T11:00:00Z", "config_change", component: "db", description: "Changed pool size"),
            Self.event("2026-03-31T12:00:00Z", "git_commit", description: "a commit"),
            Self.event("2026-03-31T13:00:00Z", "git_commit", severity: "warning", description: "another commit"),
            Self.event("2026-04-01T08:00:00Z", "git_commit", description: "day 90"),
            Self.event("2026-04-02T08:00:00Z", "git_commit", description: "day 89"),
        ])
        let day91 = "timeline/2026/03/2026-03-31.md", day90 = "timeline/2026/04/2026-04-01.md", day89 = "timeline/2026/04/2026-04-02.md"
        let original91 = try read(f, day91)
        let before = try head(f)

        let status = try f.json("retention", "status", "--today", "2026-06-30")
        #expect(status["detailed"]?["files"]?.int == 3)
        #expect(status["next_run"]?["rollups"]?.items.first?["days"]?.items.compactMap(\.stringValue) == [day91])

        let r = try f.json("retention", "apply", "--today", "2026-06-30")
        let commit = try #require(r["commit"]?.stringValue)
        #expect(r["detail_commit"]?.stringValue == before)
        #expect(r["days_rolled"]?.int == 1)
        #expect(r["events_rolled"]?.int == 6)
        #expect(try head(f) == commit)
        #expect(try f.git("rev-parse", "HEAD~1").trimmed == before)

        #expect(!exists(f, day91))
        #expect(exists(f, day90) && exists(f, day89))
        // The detail is in history, in the commit the summary names.
        #expect(try f.git("show", "\(before):\(day91)").stdout == original91)
        let summary = try read(f, "timeline/2026/03/summary.md")
        #expect(summary.contains("detail: \(before)"), "\(summary)")
        #expect(summary.contains(#"by_type: {"config_change": 1, "deployment": 1, "git_commit": 2, "incident": 1, "pod_restart": 1}"#), "\(summary)")
        #expect(summary.contains(#"by_severity: {"critical": 1, "info": 3, "warning": 2}"#), "\(summary)")
        #expect(summary.contains(#"by_component: {"api": 5, "db": 1}"#), "\(summary)")
        // Deployments and config changes: one line each with time and id.
        let deployLine = try #require(summary.split(separator: "\n").first { $0.contains("Synced api to abc123") })
        #expect(deployLine.hasPrefix("- 2026-03-31T08:00:00Z deployment `ev-20260331-080000-"), "\(deployLine)")
        #expect(summary.contains("config_change `ev-20260331-110000-"))
        // The critical event and the incident verbatim, as event blocks; plain events only counted.
        #expect(summary.contains("description: \"api CrashLoopBackOff\""))
        #expect(summary.contains("description: \"Incident: api slow\""))
        #expect(!summary.contains("another commit"))
        #expect(try f.git("status", "--porcelain").trimmed.isEmpty)

        // The summary's blocks read as events: the timeline over March answers from them.
        let march = try f.json("timeline", "--since", "2026-03-01", "--until", "2026-03-31")
        // Blocks kept whole, and one-line entries read as events (their headline as the description).
        #expect(march["events"]?.items.compactMap { $0["description"]?.stringValue }.sorted()
                == ["Changed pool size", "Incident: api slow", "Synced api to abc123", "api CrashLoopBackOff"], "\(march)")
        #expect(march["summarised"]?.items.first?["detail"]?.items.first?.stringValue == before)

        // --from-history reads the day back from the commit that holds it: all six events.
        let history = try f.json("timeline", "--from-history", "--since", "2026-03-31", "--until", "2026-03-31")
        let all = history["events"]?.items ?? []
        #expect(all.count == 6)
        #expect(history["from_history"]?.items.first?["commit"]?.stringValue == before)
        // An event only counted in the summary still resolves by id, from history.
        let plain = try #require(all.first { $0["description"]?.stringValue == "a commit" }?["event_id"]?.stringValue)
        let shown = try f.json("event", "show", plain)
        #expect(shown["event"]?["description"]?.stringValue == "a commit")
        #expect(shown["location"]?.stringValue == "\(before):\(day91)")
        // A one-line entry resolves from the summary's line, through the index (and so does search).
        let deployID = try #require(all.first { $0["event_type"]?.stringValue == "deployment" }?["event_id"]?.stringValue)
        let deploy = try f.json("event", "show", deployID)
        #expect(deploy["event"]?["source"]?.stringValue == "test")
        #expect(deploy["location"]?.stringValue?.hasPrefix("timeline/2026/03/summary.md:") == true, "\(deploy)")
        let search = try f.json("search", "Synced")
        #expect(search.json.contains(deployID), "\(search)")
        // One kept whole resolves from the summary, through the index.
        let critical = try #require(all.first { $0["severity"]?.stringValue == "critical" }?["event_id"]?.stringValue)
        #expect(try f.json("event", "show", critical)["location"]?.stringValue?.hasPrefix("timeline/2026/03/summary.md:") == true)

        // A second run changes nothing and makes no commit.
        let again = try f.json("retention", "apply", "--today", "2026-06-30")
        #expect(again["commit"] == .null)
        #expect(try head(f) == commit)
        let text = try f.cmem("retention", "apply", "--today", "2026-06-30")
        #expect(text.stdout.contains("nothing to do"), "\(text.stdout)")
        // Day 90 goes the next day.
        let next = try f.json("retention", "apply", "--today", "2026-07-01")
        #expect(next["days_rolled"]?.int == 1)
        #expect(!exists(f, day90) && exists(f, day89))
        #expect(try f.git("fsck", "--no-progress").status == 0)
    }

    @Test func dryRunWritesNothing() throws {
        let f = try CLIFixture()
        try Self.importing(f, [Self.event("2026-01-05T08:00:00Z", "deployment"), Self.event("2026-05-05T08:00:00Z", "deployment")])
        let before = try head(f)
        let r = try f.json("retention", "apply", "--dry-run", "--today", "2026-06-30")
        #expect(r["dry_run"] == .bool(true))
        #expect(r["commit"] == .null)
        #expect(r["plan"]?["rollups"]?.items.first?["month"]?.stringValue == "2026-01")
        #expect(try head(f) == before)
        #expect(exists(f, "timeline/2026/01/2026-01-05.md"))
        #expect(!exists(f, "timeline/2026/01/summary.md"))
        #expect(try f.git("status", "--porcelain", "--ignored", "--untracked-files=all").trimmed.isEmpty)
    }

    /// A month straddling the boundary is rolled up over several runs into one summary, each day naming
    /// the commit that holds it; a human's edits to the summary survive the next run.
    @Test func aMonthStraddlingTheBoundaryAndHandEdits() throws {
        let f = try CLIFixture()
        try Self.importing(f, [
            Self.event("2026-03-10T08:00:00Z", "deployment", description: "first deploy"),
            Self.event("2026-03-10T09:00:00Z", "alert", severity: "error", description: "first error"),
            Self.event("2026-03-20T08:00:00Z", "deployment", description: "second deploy"),
            Self.event("2026-03-20T09:00:00Z", "alert", severity: "error", description: "second error"),
        ])
        // Today 2026-06-15: 03-16 is 91 days old; 03-10 is due, 03-20 is not.
        let first = try f.json("retention", "apply", "--today", "2026-06-15")
        let detail1 = try #require(first["detail_commit"]?.stringValue)
        #expect(first["days_rolled"]?.int == 1)
        #expect(exists(f, "timeline/2026/03/2026-03-20.md"))
        let path = "timeline/2026/03/summary.md"
        var summary = try read(f, path)
        #expect(summary.contains("first deploy") && !summary.contains("second deploy"))

        // A human adds a paragraph and a key, and edits a line; commits it with git.
        summary = summary.replacingOccurrences(of: "first deploy", with: "first deploy (the big one)")
        summary = summary.replacingOccurrences(of: "tags: [cmem/timeline, cmem/summary]\n", with: "tags: [cmem/timeline, cmem/summary]\nreviewed_by: ana\n")
        summary += "\nA human's note: March was rough.\n"
        try summary.write(toFile: f.repo + "/" + path, atomically: true, encoding: .utf8)
        #expect(try f.git("commit", "-qam", "hand edit").status == 0)

        let second = try f.json("retention", "apply", "--today", "2026-06-25")
        let detail2 = try #require(second["detail_commit"]?.stringValue)
        #expect(second["days_rolled"]?.int == 1)
        #expect(!exists(f, "timeline/2026/03/2026-03-20.md"))
        let after = try read(f, path)
        #expect(after.contains("first deploy (the big one)"))
        #expect(after.contains("reviewed_by: ana\n"))
        #expect(after.contains("A human's note: March was rough."))
        #expect(after.contains("second deploy"))
        #expect(after.contains("events: 4\n"), "\(after)")
        #expect(after.contains("day: 2026-03-10\n    events: 2\n    detail: \(detail1)\n    by_type: {\"alert\": 1, \"deployment\": 1}"), "\(after)")
        #expect(after.contains("day: 2026-03-20\n    events: 2\n    detail: \(detail2)\n"), "\(after)")
        // Both errors are blocks, in time order.
        let e1 = try #require(after.range(of: "first error")), e2 = try #require(after.range(of: "second error"))
        #expect(e1.lowerBound < e2.lowerBound)
        // The deployment lines stay in time order, the edited one as the human left it.
        let d1 = try #require(after.range(of: "first deploy (the big one)")), d2 = try #require(after.range(of: "second deploy"))
        #expect(d1.lowerBound < d2.lowerBound)
    }

    /// A month whose summary is past a year leaves the tree; a month already past it when first rolled
    /// leaves without a summary. Both stay in history.
    @Test func summariesPastAYearLeaveTheTree() throws {
        let f = try CLIFixture()
        try Self.importing(f, [
            Self.event("2025-05-10T08:00:00Z", "deployment", description: "old deploy"),
            Self.event("2026-03-10T08:00:00Z", "deployment", description: "march deploy"),
        ])
        // Today 2026-06-15: May 2025 ended 380 days ago, past summary_days (365).
        let r = try f.json("retention", "apply", "--today", "2026-06-15")
        let detail = try #require(r["detail_commit"]?.stringValue)
        #expect(r["files_archived"]?.int == 1)
        #expect(!exists(f, "timeline/2025/05/2025-05-10.md"))
        #expect(!exists(f, "timeline/2025/05/summary.md"))
        #expect(!exists(f, "timeline/2025"), "an emptied folder is removed")
        #expect(try f.git("show", "\(detail):timeline/2025/05/2025-05-10.md").stdout.contains("old deploy"))
        #expect(exists(f, "timeline/2026/03/summary.md"))
        // A timeline over the archived month says so, with the commit, instead of answering with nothing;
        // --from-history reads it back.
        let may = try f.json("timeline", "--since", "2025-05-01", "--until", "2025-05-31")
        #expect(may["events"]?.items.isEmpty == true)
        #expect(may["archived"]?.items.first?["month"]?.stringValue == "2025-05" && may["archived"]?.items.first?["detail"]?.stringValue == detail,
                "\(may.json)")
        #expect(try f.json("timeline", "--since", "2026-03-01", "--until", "2026-03-31")["archived"]?.items.isEmpty == true)
        let text = try f.cmem("timeline", "--since", "2025-05-01", "--until", "2025-05-31")
        #expect(text.stdout.contains("2025-05 was archived by retention") && text.stdout.contains(String(detail.prefix(7))), "\(text.stdout)")
        let back = try f.json("timeline", "--from-history", "--since", "2025-05-01", "--until", "2025-05-31")
        #expect(back["events"]?.items.first?["description"]?.stringValue == "old deploy", "\(back.json)")
        // March's summary stays until March 2026 is over 365 days past: 2027-03-31 is 365 days after its end.
        let kept = try f.json("retention", "apply", "--today", "2027-03-31")
        #expect(kept["commit"] == .null)
        #expect(exists(f, "timeline/2026/03/summary.md"))
        let gone = try f.json("retention", "apply", "--today", "2027-04-01")
        let goneDetail = try #require(gone["detail_commit"]?.stringValue)
        #expect(!exists(f, "timeline/2026/03/summary.md"))
        #expect(try f.git("show", "\(goneDetail):timeline/2026/03/summary.md").stdout.contains("march deploy"))
    }

    /// Prose a human wrote in a day file goes into the summary; a day file with uncommitted edits waits.
    @Test func humanProseInADayFileIsKeptAndUncommittedEditsWait() throws {
        let f = try CLIFixture()
        try Self.importing(f, [
            Self.event("2026-02-03T08:00:00Z", "git_commit", description: "a commit"),
            Self.event("2026-02-04T08:00:00Z", "git_commit", description: "another commit"),
            Self.event("2026-01-04T08:00:00Z", "git_commit", description: "january"),
        ])
        let committed = "timeline/2026/02/2026-02-03.md", dirty = "timeline/2026/02/2026-02-04.md"
        try (try read(f, committed) + "\nPostmortem: the outage started with a commit.\n").write(toFile: f.repo + "/" + committed, atomically: true, encoding: .utf8)
        #expect(try f.git("commit", "-qam", "prose").status == 0)
        try (try read(f, dirty) + "\nStill writing this up.\n").write(toFile: f.repo + "/" + dirty, atomically: true, encoding: .utf8)

        let r = try f.cmem("retention", "apply", "--today", "2026-06-30")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("waits: \(dirty)"), "\(r.stdout)")
        // February waits as a whole (its summary never half-holds the month); January goes.
        #expect(exists(f, committed) && exists(f, dirty))
        #expect(try read(f, dirty).contains("Still writing this up."))
        #expect(!exists(f, "timeline/2026/01/2026-01-04.md"))

        #expect(try f.git("commit", "-qam", "done writing").status == 0)
        let r2 = try f.json("retention", "apply", "--today", "2026-06-30")
        #expect(r2["notes_kept"]?.items.compactMap(\.stringValue) == [committed, dirty])
        let summary = try read(f, "timeline/2026/02/summary.md")
        #expect(summary.contains("### 2026-02-03\n\nPostmortem: the outage started with a commit."), "\(summary)")
        #expect(summary.contains("Still writing this up."))
    }

    /// Sessions past 7 days lose their action log (counts and the commit that has it stay); what they
    /// say (task, summary, todos, blockers, next steps, files, decisions) stays. Decisions are untouched.
    @Test func sessionsAreCompactedAndDecisionsAreNot() throws {
        let f = try CLIFixture()
        let session = #"{"kind":"session","session_id":"sess-20260601-090000-aaaaaaaaaa","started_at":"2026-06-01T09:00:00Z","#
            + #""ended_at":"2026-06-01T11:00:00Z","working_directory":"/src/demo","current_task":"Fix the cache","#
            + #""active_files":["src/cache.swift"],"summary":"Found the race","todo_list":[{"text":"add a test","status":"pending"}],"#
            + #""blockers":["registry down"],"next_steps":["deploy"],"decisions":[{"decision":"Use a lock","rationale":"simple","alternatives":["actor"]}],"#
            + #""actions":[{"time":"2026-06-01T09:10:00Z","kind":"command","detail":"swift test"},{"time":"2026-06-01T09:20:00Z","kind":"edit","detail":"src/cache.swift"},"#
            + #"{"time":"2026-06-01T09:30:00Z","kind":"command","detail":"swift build"}]}"#
        let recent = #"{"kind":"session","session_id":"sess-20260609-090000-bbbbbbbbbb","started_at":"2026-06-09T09:00:00Z","#
            + #""working_directory":"/src/demo","current_task":"Recent","actions":[{"time":"2026-06-09T09:10:00Z","kind":"command","detail":"ls"}]}"#
        try Self.importing(f, [session, recent])
        let path = "sessions/2026/06/sess-20260601-090000-aaaaaaaaaa.md"
        let decisions = try f.git("ls-files", "decisions").stdout
        let decisionText = try f.git("show", "HEAD:\(decisions.split(separator: "\n")[0])").stdout
        // 2026-06-08: the first session's last activity is 7 days old; it stays.
        #expect(try f.json("retention", "apply", "--today", "2026-06-08")["commit"] == .null)
        let r = try f.json("retention", "apply", "--today", "2026-06-09")
        let detail = try #require(r["detail_commit"]?.stringValue)
        #expect(r["sessions_compacted"]?.int == 1)
        #expect(r["actions_compacted"]?.int == 3)
        let note = try read(f, path)
        #expect(note.contains("actions: []\n"), "\(note)")
        #expect(note.contains("actions_compacted:\n  - actions: 3\n    by_kind: command 2, edit 1\n"), "\(note)")
        #expect(note.contains("    detail: \(detail)\n"), "\(note)")
        // Still in the subset the note readers take on their fast path (the index reads thousands of them).
        #expect(FrontMatterReader.canonicalValues(Array(note.utf8)) != nil)
        for kept in ["current_task: Fix the cache", "summary: Found the race", "add a test", "registry down", "deploy", "src/cache.swift", "[[dec-"] {
            #expect(note.contains(kept), "\(kept)")
        }
        #expect(!note.contains("swift build"))
        #expect(try f.git("show", "\(detail):\(path)").stdout.contains("swift build"))
        // The session still reads.
        let show = try f.json("session", "show", "sess-20260601-090000-aaaaaaaaaa")
        #expect(show["current_task"]?.stringValue == "Fix the cache")
        #expect(try f.git("show", "HEAD:\(decisions.split(separator: "\n")[0])").stdout == decisionText)
        #expect(try read(f, "sessions/2026/06/sess-20260609-090000-bbbbbbbbbb.md").contains("detail: ls"))
        #expect(try f.json("retention", "apply", "--today", "2026-06-09")["commit"] == .null)
    }

    /// Day files written before event blocks carried their `^ev-…` id are rolled up like any other: their
    /// blocks are what cmem wrote then, not a person's edits, so routine events are counted, not copied
    /// whole (the 1M-event bench kept every block of such files verbatim).
    @Test func blocksWrittenBeforeBlockIDsAreNotTakenForHandEdits() throws {
        let f = try CLIFixture()
        try Self.importing(f, [
            Self.event("2026-03-31T08:00:00Z", "git_commit", description: "routine commit"),
            Self.event("2026-03-31T09:00:00Z", "pod_restart", severity: "critical", description: "api CrashLoopBackOff"),
        ])
        let day = "timeline/2026/03/2026-03-31.md"
        // The form an older cmem wrote: no block id on the line above each block.
        let old = try read(f, day).replacingOccurrences(of: #" \^ev-[0-9a-z-]+\n"#, with: "\n", options: .regularExpression)
        #expect(!old.contains("^ev-"))
        try old.write(toFile: f.repo + "/" + day, atomically: true, encoding: .utf8)
        #expect(try f.git("commit", "-qam", "a day file in the older form").status == 0)

        _ = try f.json("retention", "apply", "--today", "2026-06-30")
        let summary = try read(f, "timeline/2026/03/summary.md")
        #expect(summary.contains("api CrashLoopBackOff"))
        #expect(!summary.contains("routine commit"), "\(summary)")
    }
}

extension JSONValue {
    /// A whole number, or nil.
    var int: Int? {
        if case let .number(n) = self, n == n.rounded() { return Int(n) }
        return nil
    }

}
