import Foundation
import Testing
import MemoryModel
@testable import MemoryStore
import TestSupport

@Suite struct EventStoreTests {
    @Test func eventsLandInTheirDayFileInTimeOrder() throws {
        let f = try StoreFixture()
        let late = StoreFixture.event("2026-01-19T18:00:00Z", "late")
        let early = StoreFixture.event("2026-01-19T06:00:00Z", "early")
        let mid = StoreFixture.event("2026-01-19T12:00:00Z", "mid")
        let nextDay = StoreFixture.event("2026-01-20T01:00:00Z", "next day")
        try f.store.recordEvents([late])
        try f.store.recordEvents([early])
        try f.store.recordEvents([mid, nextDay])
        let parsed = try f.store.events(inDayFile: "timeline/2026/01/2026-01-19.md")
        #expect(parsed.events.map(\.description) == ["early", "mid", "late"])
        #expect(try f.store.events(inDayFile: "timeline/2026/01/2026-01-20.md").events == [nextDay])
        // The day file's front matter holds nothing that changes with appends (merge-friendly).
        #expect(try f.read("timeline/2026/01/2026-01-19.md").hasPrefix("---\ndate: 2026-01-19\ntags: [cmem/timeline]\n---\n"))
    }

    @Test func recordingTheSameIDTwiceAddsNothing() throws {
        let f = try StoreFixture()
        let e = StoreFixture.event("2026-01-19T10:00:00Z")
        #expect(try f.store.recordEvents([e]) == [.added(e)])
        let commits = try f.store.git.log().count
        #expect(try f.store.recordEvents([e]) == [.duplicate(e)])
        #expect(try f.store.git.log().count == commits)
        #expect(try f.store.events(inDayFile: e.dayPath).events.count == 1)
    }

    @Test func invalidEventsAreRefusedBeforeAnythingIsWritten() throws {
        let f = try StoreFixture()
        let ok = StoreFixture.event("2026-01-19T10:00:00Z")
        var badComponent = StoreFixture.event("2026-01-19T10:00:00Z", components: ["../../etc"])
        badComponent.id = "ev-20260119-100000-bad0000001"
        var badType = ok
        badType.type = "deploy ment\n"
        var badCause = ok
        badCause.causedBy = "../x"
        for bad in [badComponent, badType, badCause] {
            #expect(throws: (any Error).self) { try f.store.recordEvents([ok, bad]) }
        }
        #expect(!FileManager.default.fileExists(atPath: f.root + "/" + ok.dayPath))
    }

    @Test func humanNotesInADayFileSurviveAppends() throws {
        let f = try StoreFixture()
        let a = StoreFixture.event("2026-01-19T10:00:00Z", "first")
        try f.store.recordEvents([a])
        var text = try f.read(a.dayPath)
        text += "A note from the on-call: this was the Monday registry outage.\n"
        try f.write(a.dayPath, text)
        try f.store.recordEvents([StoreFixture.event("2026-01-19T11:00:00Z", "second"), StoreFixture.event("2026-01-19T09:00:00Z", "zeroth")])
        let after = try f.read(a.dayPath)
        #expect(after.contains("A note from the on-call: this was the Monday registry outage.\n"))
        #expect(try f.store.events(inDayFile: a.dayPath).events.map(\.description) == ["zeroth", "first", "second"])
    }

    @Test func aBrokenBlockDoesNotStopNewEvents() throws {
        let f = try StoreFixture()
        let a = StoreFixture.event("2026-01-19T10:00:00Z", "first")
        try f.store.recordEvents([a])
        var text = try f.read(a.dayPath)
        text += "## hand-written\n\n```yaml\nevent_id: ev-20260119-100500-hand\ntimestamp: soon\nevent_type: incident\n```\n"
        try f.write(a.dayPath, text)
        let b = StoreFixture.event("2026-01-19T12:00:00Z", "second")
        try f.store.recordEvents([b])
        let parsed = try f.store.events(inDayFile: a.dayPath)
        #expect(parsed.events.map(\.description) == ["first", "second"])
        #expect(parsed.errors.count == 1)
        #expect(try f.read(a.dayPath).contains("timestamp: soon\n"), "the broken block is kept as the human wrote it")
    }

    @Test func timelineFiltersAndCausedEvents() throws {
        let f = try StoreFixture()
        let deploy = StoreFixture.event("2026-01-19T10:00:00Z", "deploy")
        var crash = StoreFixture.event("2026-01-19T10:05:00Z", "crash", type: "pod_restart")
        crash.causedBy = deploy.id
        crash.severity = .critical
        let elsewhere = StoreFixture.event("2026-01-19T11:00:00Z", "elsewhere", components: ["redis"])
        try f.store.recordEvents([deploy, crash, elsewhere])
        var filter = MemoryStore.TimelineFilter()
        filter.components = ["github-mcp-server"]
        #expect(try f.store.timeline(filter).events.map(\.description) == ["deploy", "crash"])
        filter.minSeverity = .critical
        #expect(try f.store.timeline(filter).events.map(\.description) == ["crash"])
        filter = .init()
        filter.since = Timestamp(iso8601: "2026-01-19T10:30:00Z")
        #expect(try f.store.timeline(filter).events.map(\.description) == ["elsewhere"])
        #expect(try f.store.event(id: crash.id)?.causedBy == deploy.id)
    }

    @Test func logFindsTheCommitThatWroteAnEvent() throws {
        let f = try StoreFixture()
        let a = StoreFixture.event("2026-01-19T10:00:00Z", "first")
        let b = StoreFixture.event("2026-01-19T11:00:00Z", "second")
        try f.store.recordEvents([a])
        try f.store.recordEvents([b])
        let (path, commits) = try f.store.log(target: b.id)
        #expect(path == b.dayPath)
        #expect(commits.count == 1)
        #expect(commits.first?.message.contains(b.id) == true)
        #expect(try f.store.log(target: b.dayPath).commits.count == 2)
    }
}
