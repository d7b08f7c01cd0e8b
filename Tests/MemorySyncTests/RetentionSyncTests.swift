import Foundation
import Testing
import MemoryModel
import TestSupport

/// Retention on two clones of one memory, through real `cmem sync` (git merge with the cmem drivers).
@Suite struct RetentionSyncTests {
    /// Three events of 2026-03-10 (a deployment, a critical alert, a commit) recorded on `c`.
    static func oldDay(_ c: Clone) throws {
        try c.record("deploy api v1", at: "2026-03-10T08:00:00Z")
        try c.expect(["event", "record", "--type", "alert", "--source", "test", "--component", "api", "--severity", "critical",
                      "--description", "api down", "--time", "2026-03-10T09:00:00Z"])
        try c.expect(["event", "record", "--type", "git_commit", "--source", "test", "--component", "api",
                      "--description", "a commit", "--time", "2026-03-10T10:00:00Z"])
    }

    static let summary = "timeline/2026/03/summary.md"
    static let day = "timeline/2026/03/2026-03-10.md"

    func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// Clone `a` with the old day, synced, and clone `b` of it. The world owns the folders: keep it alive.
    static func twoClonesWithTheOldDay() throws -> (world: SyncWorld, a: Clone, b: Clone) {
        let world = try SyncWorld()
        let a = try world.seed("a")
        try Self.oldDay(a)
        try a.expect(["sync"])
        return (world, a, try world.clone("b"))
    }

    /// As above, then `b`, offline, records a late event in the old day while `a` rolls the day up and syncs.
    static func aLateEventWhileTheOtherRollsTheDay() throws -> (world: SyncWorld, a: Clone, b: Clone, late: String) {
        let (world, a, b) = try twoClonesWithTheOldDay()
        let late = try b.record("late deploy api v2", at: "2026-03-10T11:00:00Z")
        try a.expect(["retention", "apply", "--today", "2026-06-30"])
        try a.expect(["sync"])
        return (world, a, b, late)
    }

    /// Both clones roll the same day on the same day, each naming its own HEAD: the merge keeps one roll-up,
    /// every event once, and both clones end with the same summary.
    @Test func twoClonesApplyingRetentionTheSameDayConverge() throws {
        let (world, a, b) = try Self.twoClonesWithTheOldDay()
        defer { withExtendedLifetime(world) {} }
        // Different recent writes on each side: their HEADs, and so the commits their summaries name, differ.
        try a.record("recent on a", at: "2026-06-29T08:00:00Z")
        try b.record("recent on b", at: "2026-06-29T09:00:00Z")
        try a.expect(["retention", "apply", "--today", "2026-06-30"])
        try b.expect(["retention", "apply", "--today", "2026-06-30"])
        #expect(try a.read(Self.summary) != b.read(Self.summary))

        try a.expect(["sync"])
        try b.expect(["sync"])
        try a.expect(["sync"])
        let merged = try b.read(Self.summary)
        #expect(try a.read(Self.summary) == merged)
        #expect(!merged.contains("<<<<<<<"), "\(merged)")
        #expect(merged.contains("events: 3\n"), "\(merged)")
        #expect(occurrences("  - day: 2026-03-10\n", in: merged) == 1, "\(merged)")
        #expect(occurrences("deploy api v1", in: merged) == 1)
        #expect(occurrences("description: \"api down\"", in: merged) == 1)
        #expect(!FileManager.default.fileExists(atPath: b.path + "/" + Self.day))
        #expect(try b.git("status", "--porcelain").trimmed.isEmpty)
        // Both recent events are there, in detail.
        let recent = try b.json(["timeline", "--since", "2026-06-29"])
        #expect(recent["events"]?.items.count == 2)
        // A second run on either side has nothing to do.
        #expect(try b.json(["retention", "apply", "--today", "2026-06-30"])["commit"] == .null)
    }

    /// A clone offline since before the other's retention adds an event to the old day: the sync keeps the
    /// day file with its events, and the next retention run puts the late event into the summary, counting
    /// only what the summary did not have.
    @Test func aLateEventInAnOldDayLandsInTheSummary() throws {
        let (world, a, b, late) = try Self.aLateEventWhileTheOtherRollsTheDay()
        defer { withExtendedLifetime(world) {} }

        let sync = try b.cmem(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)\(sync.stdout)")
        #expect(try b.git("status", "--porcelain").trimmed.isEmpty)
        #expect(try b.read(Self.day).contains(late), "the day file is kept with the late event")

        let r = try b.json(["retention", "apply", "--today", "2026-06-30"])
        #expect(r["events_rolled"] == .number(1), "\(r)")
        let summary = try b.read(Self.summary)
        #expect(summary.contains("events: 4\n"), "\(summary)")
        #expect(occurrences("  - day: 2026-03-10\n", in: summary) == 2, "\(summary)")
        #expect(summary.contains("`\(late)`"), "\(summary)")
        #expect(occurrences("deploy api v1", in: summary) == 1)
        #expect(!FileManager.default.fileExists(atPath: b.path + "/" + Self.day))
        try b.expect(["sync"])
        try a.expect(["sync"])
        #expect(try a.read(Self.summary) == summary)
        // The late event resolves by id from the summary's line's day, in history.
        let shown = try a.json(["event", "show", late])
        #expect(shown["event"]?["description"]?.stringValue == "late deploy api v2", "\(shown)")
    }

    /// The offline clone rolls the day itself (with its late event) before syncing: the merge keeps the
    /// roll-up that counted more, so the late event is counted once and nothing twice.
    @Test func bothRollTheDayOneWithALateEvent() throws {
        let (world, a, b, late) = try Self.aLateEventWhileTheOtherRollsTheDay()
        defer { withExtendedLifetime(world) {} }
        try b.expect(["retention", "apply", "--today", "2026-06-30"])
        try b.expect(["sync"])
        try a.expect(["sync"])
        let summary = try a.read(Self.summary)
        #expect(try b.read(Self.summary) == summary)
        #expect(summary.contains("events: 4\n"), "\(summary)")
        #expect(occurrences("  - day: 2026-03-10\n", in: summary) == 1, "\(summary)")
        #expect(summary.contains("`\(late)`"))
        #expect(occurrences("deploy api v1", in: summary) == 1)
    }
}
