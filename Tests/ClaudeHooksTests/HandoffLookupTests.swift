import Foundation
import MemoryModel
import MemoryStore
import Testing
import TestSupport
@testable import ClaudeHooks
@testable import MemoryCore

/// What SessionStart reads on a large repository: the recent events on the project's components (only the
/// blocks that can be on one of them are parsed) and the session to pick up from.
@Suite struct HandoffLookupTests {
    func store() throws -> (TemporaryDirectory, MemoryStore) {
        let dir = TemporaryDirectory()
        _ = try MemoryStore.initialize(at: dir.file("memory"))
        return (dir, try MemoryStore(path: dir.file("memory")))
    }

    static func event(_ time: String, _ components: [String], _ description: String = "something happened") -> TimelineEvent {
        let t = Timestamp(iso8601: time)!
        return TimelineEvent(id: Identifier.make(.event, at: t), timestamp: t, type: "deployment", source: "argocd",
                             description: description, details: .object([]), components: components)
    }

    @Test func eventsOnTheProjectsComponentsAreThoseTheTimelineReturns() throws {
        let (dir, store) = try store()
        var events: [TimelineEvent] = []
        for day in 18...20 {
            for hour in stride(from: 0, to: 24, by: 3) {
                let components = [["vault-ui"], ["redis-cache"], ["vault-ui", "vault-db"], ["unrelated"], ["vault-db"]][(day + hour) % 5]
                events.append(Self.event(String(format: "2026-01-%02dT%02d:00:00Z", day, hour), components, "event \(day)-\(hour) — ünïcödé"))
            }
        }
        _ = try store.recordEvents(events)
        // Blocks a human wrote or reshaped, in the last day file: components as a block list, an escaped
        // name, a link with a label, CR line ends, a fence that is not an event (with a block-like text inside), and a block that
        // is never closed (the parser stops there).
        let path = "timeline/2026/01/2026-01-20.md"
        var text = try dir.read("memory/" + path)
        text += """

        ## by hand
        ```yaml
        event_id: ev-20260120-230000-aaaaaaaaaa
        timestamp: 2026-01-20T23:00:00Z
        event_type: incident
        source: pager
        affected_components:
          - vault-ui
        description: reshaped by a human
        ```

        ```yaml
        event_id: ev-20260120-230100-bbbbbbbbbb
        timestamp: 2026-01-20T23:01:00Z
        event_type: incident
        source: pager
        affected_components: ["\\u0076ault-ui"]
        description: "an escaped name"
        ```

        ```yaml
        event_id: ev-20260120-230130-iiiiiiiiii
        timestamp: 2026-01-20T23:01:30Z
        event_type: incident
        source: pager
        affected_components: ["[[vault-ui|the UI]]"]
        ```

        ```yaml\r
        event_id: ev-20260120-230200-cccccccccc\r
        timestamp: 2026-01-20T23:02:00Z\r
        event_type: incident\r
        source: pager\r
        affected_components: ["vault-ui"]\r
        description: "CR line ends"\r
        ```\r

        ```yaml
        note: not an event block
        ```yaml
        event_id: ev-20260120-230300-dddddddddd
        timestamp: 2026-01-20T23:03:00Z
        event_type: incident
        source: pager
        affected_components: ["vault-ui"]
        ```

        ```yaml
        event_id: ev-20260120-235800-gggggggggg
        timestamp: 2026-01-20T23:58:00Z
        event_type: incident
        affected_components: ["vault-ui"]

        ```yaml
        event_id: ev-20260120-235850-hhhhhhhhhh
        timestamp: 2026-01-20T23:58:50Z
        event_type: incident
        affected_components: ["vault-ui"]
        ```

        ```yaml
        event_id: ev-20260120-235900-eeeeeeeeee
        timestamp: 2026-01-20T23:59:00Z
        event_type: incident
        affected_components: ["vault-ui"]

        """
        try dir.write("memory/" + path, text)

        let filters: [(Set<String>, String?)] = [
            (["vault-ui"], nil), (["vault-ui"], "2026-01-19T12:00:00Z"), (["redis-cache", "vault-db"], nil),
            (["unrelated"], "2026-01-20T00:00:00Z"), (["nothing-here"], nil), (["vault"], nil),
        ]
        for (components, since) in filters {
            var filter = MemoryStore.TimelineFilter()
            filter.components = components
            filter.since = since.flatMap(Timestamp.init(iso8601:))
            filter.limit = Int.max
            let expected = try store.timeline(filter).events
            let found = try HandoffBuilder.timeline(store: store, filter)
            #expect(found == expected, "components \(components) since \(since ?? "-")")
        }
        var vault = MemoryStore.TimelineFilter()
        vault.components = ["vault-ui"]
        vault.limit = Int.max
        let ids = Set(try HandoffBuilder.timeline(store: store, vault).map(\.id))
        #expect(ids.isSuperset(of: ["ev-20260120-230000-aaaaaaaaaa", "ev-20260120-230100-bbbbbbbbbb", "ev-20260120-230130-iiiiiiiiii",
                                    "ev-20260120-230200-cccccccccc",
                                    "ev-20260120-230300-dddddddddd"]))
        #expect(!ids.contains("ev-20260120-235900-eeeeeeeeee"), "a block never closed is not read")
        #expect(!ids.contains("ev-20260120-235850-hhhhhhhhhh"), "a block inside one whose fence was left open is part of it")
    }

    @Test func theSessionToPickUpFromIsFoundAmongManyMonths() throws {
        let (dir, store) = try store()
        for name in ["proj", "other"] {
            try FileManager.default.createDirectory(atPath: dir.file("\(name)/.git"), withIntermediateDirectories: true)
        }
        let scope = ProjectScope.resolve(cwd: dir.file("proj"))
        let now = Timestamp.now()
        var mine: [Session] = []
        for month in 0..<12 {
            let at = now.adding(seconds: -Int64(400 - month * 30) * 86400)
            mine.append(try store.startSession(task: "mine \(month)", cwd: dir.file("proj"), at: at))
            _ = try store.startSession(task: "theirs \(month)", cwd: dir.file("other"), at: at.adding(seconds: 3600))
        }
        // Newer than any of mine: an empty session of this project, another project's session, and a
        // note of this project broken by hand.
        let latest = mine.last!
        _ = try store.startSession(task: "", cwd: dir.file("proj"), at: latest.startedAt.adding(seconds: 7200))
        _ = try store.startSession(task: "theirs, newest", cwd: dir.file("other"), at: latest.startedAt.adding(seconds: 9000))
        let day = latest.startedAt.adding(seconds: 10_000)
        try dir.write("memory/sessions/\(day.day.prefix(4))/\(day.day.dropFirst(5).prefix(2))/sess-\(day.compact)-ffffffffff.md",
                      "---\nsession_id: sess-broken\nworking_directory: \(scope.root)\ncurrent_task: [unclosed\n---\n")
        let broken = dir.file("memory/sessions/\(day.day.prefix(4))/\(day.day.dropFirst(5).prefix(2))/sess-\(day.compact)-ffffffffff.md")
        // The broken note of this project is reported, not skipped (its open work would be dropped); another
        // project's lookup passes it by.
        #expect(throws: StoreError.self) { try Continuity.previousSession(store: store, project: scope) }
        #expect(try Continuity.previousSession(store: store, project: ProjectScope.resolve(cwd: dir.file("other")))?.currentTask == "theirs, newest")
        try FileManager.default.removeItem(atPath: broken)
        // Nothing in the current-session window: the notes themselves, newest first.
        #expect(try Continuity.previousSession(store: store, project: scope)?.id == latest.id)
        #expect(try Continuity.previousSession(store: store, project: scope, excluding: latest.id)?.id == mine[mine.count - 2].id)
        // Active within the window: the current session, by its last activity.
        _ = try store.updateSession(id: mine[3].id, message: "resume", at: now) { s, _ in s.blockers = ["back on it"] }
        #expect(try Continuity.previousSession(store: store, project: scope)?.id == mine[3].id)
    }
}
