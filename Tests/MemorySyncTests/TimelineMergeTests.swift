import Foundation
import Testing
import MemoryModel
@testable import MemorySync

/// Day files as `cmem` writes them, built from events.
enum Day {
    static let header = """
    ---
    date: 2026-03-01
    tags: [cmem/timeline]
    ---

    # Timeline 2026-03-01

    Events of 2026-03-01 (UTC), oldest first. Each event is one block; `cmem` only ever adds blocks.


    """

    static func event(_ id: String, _ time: String, _ text: String = "something happened") -> TimelineEvent {
        TimelineEvent(id: id, timestamp: Timestamp(iso8601: time)!, type: "deployment", source: "test", description: text)
    }

    static func block(_ e: TimelineEvent) -> String {
        "## \(e.timestamp.timeOfDay) \(e.type) — \(e.description)\n\(e.source) · info\n\n" + TimelineDay.fencedYAML(for: e) + "\n"
    }

    static func file(_ events: [TimelineEvent], extra: [String: String] = [:]) -> String {
        header + events.map { block($0) + (extra[$0.id] ?? "") }.joined()
    }

    static func ids(_ text: String) -> [String] {
        TimelineDay.parse(Array(text.utf8), path: "day.md").events.map(\.id)
    }

    static func merge(_ base: String, _ ours: String, _ theirs: String) throws -> (text: String, result: TimelineMerge.Result) {
        let r = try TimelineMerge.merge(base: Array(base.utf8), ours: Array(ours.utf8), theirs: Array(theirs.utf8), path: "timeline/2026/03/2026-03-01.md")
        return (String(decoding: r.bytes, as: UTF8.self), r)
    }
}

@Suite struct TimelineMergeTests {
    let a = Day.event("ev-20260301-100000-aaaaaaaaaa", "2026-03-01T10:00:00Z")
    let b = Day.event("ev-20260301-110000-bbbbbbbbbb", "2026-03-01T11:00:00Z")
    let c = Day.event("ev-20260301-103000-cccccccccc", "2026-03-01T10:30:00Z")
    let d = Day.event("ev-20260301-120000-dddddddddd", "2026-03-01T12:00:00Z")
    let e = Day.event("ev-20260301-090000-eeeeeeeeee", "2026-03-01T09:00:00Z")

    @Test func appendsOnBothSidesBecomeTheUnionInTimeOrder() throws {
        let base = Day.file([a])
        let ours = Day.file([a, b])
        let theirs = Day.file([a, c, d])
        let (text, r) = try Day.merge(base, ours, theirs)
        #expect(r.conflicts == 0)
        #expect(Day.ids(text) == [a, c, b, d].map(\.id))
        #expect(text == Day.file([a, c, b, d]))
    }

    @Test func theMergeIsTheSameWhicheverSideIsOurs() throws {
        let base = Day.file([a])
        let one = Day.file([e, a, b])
        let two = Day.file([a, c, d])
        #expect(try Day.merge(base, one, two).text == Day.merge(base, two, one).text)
    }

    @Test func aDayCreatedOnBothSidesMergesWithoutABase() throws {
        let (text, r) = try Day.merge("", Day.file([b, a]), Day.file([c]))
        #expect(r.conflicts == 0)
        #expect(Day.ids(text) == [a, c, b].map(\.id))
    }

    @Test func theSameEventOnBothSidesAppearsOnce() throws {
        let (text, r) = try Day.merge(Day.file([a]), Day.file([a, b, c]), Day.file([a, c, b]))
        #expect(r.conflicts == 0)
        #expect(Day.ids(text) == [a, c, b].map(\.id))
    }

    @Test func aBlockAHumanDeletedOnOneSideStaysDeleted() throws {
        let (text, r) = try Day.merge(Day.file([a, b]), Day.file([b]), Day.file([a, b, d]))
        #expect(r.conflicts == 0)
        #expect(Day.ids(text) == [b, d].map(\.id))
        #expect(r.notes.contains { $0.contains(a.id) })
    }

    @Test func aBlockDeletedOnOneSideButEditedOnTheOtherIsKept() throws {
        var edited = a
        edited.description = "edited by a human"
        let (text, _) = try Day.merge(Day.file([a, b]), Day.file([b]), Day.file([edited, b]))
        #expect(Day.ids(text) == [a, b].map(\.id))
        #expect(text.contains("edited by a human"))
    }

    @Test func humanNotesBetweenBlocksAreKept() throws {
        let base = Day.file([a, b])
        let ours = Day.file([a, b], extra: [a.id: "Note: the rollout paused here.\n\n"])
        let theirs = Day.file([a, b, c])
        let (text, r) = try Day.merge(base, ours, theirs)
        #expect(r.conflicts == 0)
        #expect(text.contains("Note: the rollout paused here."))
        #expect(Day.ids(text) == [a, c, b].map(\.id))
        // The note stays right after the block it follows.
        let note = text.range(of: "Note: the rollout")!.lowerBound
        #expect(text.range(of: a.id)!.lowerBound < note && note < text.range(of: c.id)!.lowerBound)
    }

    @Test func theSameBlockEditedDifferentlyOnBothSidesIsAConflictForAHuman() throws {
        var one = a, two = a
        one.description = "first wording"
        two.description = "second wording"
        let (text, r) = try Day.merge(Day.file([a]), Day.file([one]), Day.file([two, b]))
        #expect(r.conflicts > 0)
        #expect(text.contains("first wording") && text.contains("second wording"))
        #expect(text.contains("<<<<<<<") && text.contains(">>>>>>>"))
        #expect(Day.ids(text).contains(b.id))
    }

    @Test func aHeaderEditAndAppendsMerge() throws {
        let base = Day.file([a])
        let ours = Day.file([a, b]).replacingOccurrences(of: "oldest first.", with: "oldest first. (Incident day.)")
        let theirs = Day.file([a, c])
        let (text, r) = try Day.merge(base, ours, theirs)
        #expect(r.conflicts == 0)
        #expect(text.contains("(Incident day.)"))
        #expect(Day.ids(text) == [a, c, b].map(\.id))
    }

    @Test func unchangedSidesAreTakenByteForByte() throws {
        let base = Day.file([a])
        let theirs = Day.file([a, b]) + "trailing words without newline"
        #expect(try Day.merge(base, base, theirs).text == theirs)
        #expect(try Day.merge(base, theirs, base).text == theirs)
    }

    @Test func aThousandEventsEachSideMergeQuickly() throws {
        var base: [TimelineEvent] = [], ours: [TimelineEvent] = [], theirs: [TimelineEvent] = []
        let start = Timestamp(iso8601: "2026-03-01T00:00:00Z")!
        for i in 0..<2000 {
            base.append(TimelineEvent(id: String(format: "ev-base-%06d", i), timestamp: start.adding(seconds: Int64(i)), type: "t", source: "s", description: "base \(i)"))
        }
        for i in 0..<1000 {
            ours.append(TimelineEvent(id: String(format: "ev-ours-%06d", i), timestamp: start.adding(seconds: 2000 + Int64(i) * 2), type: "t", source: "s", description: "ours \(i)"))
            theirs.append(TimelineEvent(id: String(format: "ev-theirs-%06d", i), timestamp: start.adding(seconds: 2001 + Int64(i) * 2), type: "t", source: "s", description: "theirs \(i)"))
        }
        let clock = ContinuousClock()
        var text = ""
        let elapsed = try clock.measure {
            text = try Day.merge(Day.file(base), Day.file(base + ours), Day.file(base + theirs)).text
        }
        let ids = Day.ids(text)
        #expect(ids.count == 4000)
        #expect(Set(ids).count == 4000)
        #expect(elapsed < .seconds(5))
    }
}

@Suite struct SnapshotMergeTests {
    func merge(_ base: String, _ ours: String, _ theirs: String) throws -> (String, MergeDriver.Outcome) {
        let r = try MergeDriver.mergeBytes(kind: .snapshot, base: Array(base.utf8), ours: Array(ours.utf8), theirs: Array(theirs.utf8), path: "handoff/demo.md")
        return (String(decoding: r.bytes, as: UTF8.self), r.outcome)
    }

    @Test func theNewerRegenerationWinsWhicheverSideItIsOn() throws {
        let base = "# Handoff\nlast active 2026-03-01T09:00:00Z.\n"
        let older = "# Handoff\nTask A, last active 2026-03-01T10:00:00Z.\n"
        let newer = "# Handoff\nTask B, last active 2026-03-01T11:30:00.250Z.\n"
        #expect(try merge(base, older, newer).0 == newer)
        #expect(try merge(base, newer, older).0 == newer)
        #expect(try merge(base, newer, older).1.conflicts == 0)
        #expect(try merge(base, base, older).0 == older)
    }

    @Test func withoutTimesTheChoiceIsStillTheSameOnEveryClone() throws {
        #expect(try merge("x\n", "a\n", "b\n").0 == merge("x\n", "b\n", "a\n").0)
    }
}
