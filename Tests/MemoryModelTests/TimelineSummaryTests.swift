import Foundation
import MemoryModel
import Testing

/// The summary note's one-line entries and front matter (docs/FORMAT.md, "Retention").
@Suite struct TimelineSummaryTests {
    let event = TimelineEvent(id: "ev-20260301-080000-04c3c62605", timestamp: Timestamp(iso8601: "2026-03-01T08:00:00Z")!,
                              type: "deployment", source: "argocd", description: "Synced api (canary) to abc123",
                              details: .object([("sha", .string("abc123"))]), components: ["api", "db"], severity: .warning)

    @Test func aLineReadsBackAsItsEvent() throws {
        let line = TimelineSummary.line(event)
        #expect(line == "- 2026-03-01T08:00:00Z deployment `ev-20260301-080000-04c3c62605` [[api]] [[db]] Synced api (canary) to abc123 (argocd, warning)")
        let back = try #require(TimelineSummary.event(fromLine: Substring(line)))
        #expect(back.id == event.id && back.timestamp == event.timestamp && back.type == event.type)
        #expect(back.components == ["api", "db"] && back.source == "argocd" && back.severity == .warning)
        #expect(back.description == "Synced api (canary) to abc123")
        #expect(TimelineSummary.lineID(Substring(line)) == "ev-20260301-080000-04c3c62605")
        // A human's list item is not an entry.
        #expect(TimelineSummary.event(fromLine: "- remember to check the canary") == nil)
        #expect(TimelineSummary.event(fromLine: "- 2026-03-01T08:00:00Z deployment no id here") == nil)
    }

    @Test func oddDescriptionsAndComponentsReadBackWhole() throws {
        let descriptions = ["Rolled out api (v2) (canary)", "Grüße — déployé ✓", "ends with ()", "a [[not a link]] b",
                            "(", ")", "x (argocd, warning)", "tab\there"]
        for (i, description) in descriptions.enumerated() {
            var e = event
            e.description = description
            e.components = i % 2 == 0 ? [] : ["api", "db-2"]
            let back = try #require(TimelineSummary.event(fromLine: Substring(TimelineSummary.line(e))), "\(description)")
            #expect(back.description == TimelineDay.headline(e) && back.components == e.components, "\(description)")
            #expect(back.source == "argocd" && back.severity == .warning && back.id == e.id)
        }
        // A line a person shortened still reads, with what it has; one missing its id or time does not.
        let short = try #require(TimelineSummary.event(fromLine: "- 2026-03-01T08:00:00Z deployment `ev-1` [[api]] Synced"))
        #expect(short.components == ["api"] && short.description == "Synced" && short.source == "unknown" && short.severity == .info)
        #expect(TimelineSummary.event(fromLine: "- 2026-03-01T08:00:00Z deployment `ev-1` [[api Synced (x, bogus)")?.description
            == "[[api Synced (x, bogus)")
        #expect(TimelineSummary.event(fromLine: "- 2026-03-01T08:00:00Z deployment `../x` Synced") == nil)
        #expect(TimelineSummary.event(fromLine: "- 2026-13-01T08:00:00Z deployment `ev-1` Synced") == nil)
        #expect(TimelineSummary.event(fromLine: "- 2026-03-01T08:00:00Z  `ev-1` Synced") == nil)
        #expect(TimelineSummary.event(fromLine: "- 2026-03-01T08:00:00Z deployment `ev-1") == nil)
    }

    /// The brief read (events and detail commits, no counts decoded) agrees with the full one on what cmem
    /// writes, and declines anything else so that the full read decides.
    @Test func theBriefReadAgreesWithTheFullOneOrDeclines() throws {
        var summary = TimelineSummary(month: "2026-03")
        for (i, n) in [3, 0, 5].enumerated() {
            var day = TimelineSummary.Day(day: "2026-03-0\(i + 1)", events: 0, detail: String(repeating: i == 2 ? "b" : "a", count: 40))
            for _ in 0..<n { day.count(event) }
            summary.days.append(day)
        }
        let entries = Dictionary(uniqueKeysWithValues: summary.frontMatterEntries())
        let days = try #require(entries["days"])
        let brief = try #require(TimelineSummary.brief(daysEntry: days))
        #expect(brief.events == summary.events && brief.events == 8)
        #expect(brief.details == Array(Set(summary.days.map(\.detail))).sorted())
        #expect(TimelineSummary.brief(daysEntry: "days: []\n")?.events == 0)
        // Forms cmem does not write: a person's block-style counts, a quoted or short commit, a missing one.
        let hand = days.replacingOccurrences(of: "    by_severity: {\"warning\": 3}\n", with: "    by_severity:\n      warning: 3\n")
        #expect(hand != days)
        #expect(TimelineSummary.brief(daysEntry: hand) == nil)
        #expect(TimelineSummary.brief(daysEntry: days.replacingOccurrences(of: "detail: " + String(repeating: "a", count: 40), with: "detail: \"abc\"")) == nil)
        #expect(TimelineSummary.brief(daysEntry: days.replacingOccurrences(of: "    detail: " + String(repeating: "b", count: 40) + "\n", with: "")) == nil)
        #expect(TimelineSummary.brief(daysEntry: "days:\n  - day: 2026-03-01\n    events: -1\n    detail: " + String(repeating: "a", count: 40) + "\n") == nil)
    }

    @Test func frontMatterRoundTripsAndTotalsAreDerived() throws {
        var summary = TimelineSummary(month: "2026-03")
        var day = TimelineSummary.Day(day: "2026-03-01", events: 0, detail: String(repeating: "a", count: 40))
        day.count(event)
        day.count(event)
        summary.days.append(day)
        #expect(summary.events == 2 && summary.byComponent == ["api": 2, "db": 2] && summary.bySeverity == ["warning": 2])
        let text = "---\n" + summary.frontMatterEntries().map(\.1).joined() + "---\n"
        let doc = try FrontMatterDocument.split(text, path: "timeline/2026/03/summary.md")
        let back = try TimelineSummary(values: doc.values(path: "timeline/2026/03/summary.md"), path: "timeline/2026/03/summary.md")
        #expect(back == summary)
        #expect(TimelineSummary.month(ofPath: "timeline/2026/03/summary.md") == "2026-03")
        #expect(TimelineSummary.month(ofPath: "timeline/2026/03/2026-03-01.md") == nil)
    }

    @Test func linesAreInsertedInTimeOrderAndAHumansLineStays() {
        var body = TimelineSummary.newBody(month: "2026-03", generated: "x\n")
        body = TimelineSummary.insertLines(["- 2026-03-02T00:00:00Z b", "- 2026-03-01T00:00:00Z a"], into: body)
        body = body.replacingOccurrences(of: "- 2026-03-01T00:00:00Z a", with: "- 2026-03-01T00:00:00Z a (edited)")
        body = TimelineSummary.insertLines(["- 2026-03-03T00:00:00Z c"], into: body)
        #expect(body.contains("\(TimelineSummary.linesHeading)\n\n- 2026-03-01T00:00:00Z a (edited)\n- 2026-03-02T00:00:00Z b\n- 2026-03-03T00:00:00Z c\n"), "\(body)")
        #expect(body.contains("\n\(TimelineSummary.notesHeading)\n"))
    }
}
