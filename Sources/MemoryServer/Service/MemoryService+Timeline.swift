import Foundation
import MemoryIndex
import MemoryModel
import MemoryStore

extension MemoryService {
    public struct TimelineQuery: Sendable {
        public var start: Timestamp?
        public var end: Timestamp?
        public var types: Set<String> = []
        public var components: Set<String> = []
        public var sources: Set<String> = []
        public var minSeverity: Severity?
        public var limit = 100
        public init() {}

        var filter: MemoryStore.TimelineFilter {
            var f = MemoryStore.TimelineFilter()
            f.since = start
            f.until = end
            f.types = types
            f.components = components
            f.sources = sources
            f.minSeverity = minSeverity
            f.limit = Int.max
            return f
        }
    }

    public struct TimelinePage: Sendable {
        public var events: [TimelineEvent]
        /// Notes that could not be read (file and line), so a client knows the answer may be partial.
        public var warnings: [NoteError]
        /// More events matched than `limit`.
        public var truncated: Bool
    }

    /// Events in time order. With a start: the first `limit` from the start on. Without: the latest
    /// `limit`. From the index when it is open (filters on a year of events without reading it), else
    /// from the day files.
    public nonisolated func timeline(_ query: TimelineQuery) async throws -> TimelinePage {
        if let start = query.start, let end = query.end, end < start {
            return TimelinePage(events: [], warnings: [], truncated: false)
        }
        guard let index = index.current() else { return try await scanTimeline(query) }
        let q = SearchQuery(kinds: [.event], eventTypes: query.types, sources: query.sources, components: query.components,
                            severities: query.minSeverity.map { SearchQuery.severities(atLeast: $0) } ?? [],
                            since: query.start, until: query.end.map { Timestamp(milliseconds: $0.milliseconds + 1) },
                            order: query.start == nil ? .newestFirst : .oldestFirst, limit: query.limit + 1)
        var events = index.timeline(q)
        let truncated = events.count > query.limit
        events = Array(events.prefix(query.limit))
        if query.start == nil { events.reverse() }
        return TimelinePage(events: events, warnings: index.freshness.warnings, truncated: truncated)
    }

    /// The same from the day files: read newest day first without a start, so the recent past does not
    /// cost a year of files.
    func scanTimeline(_ query: TimelineQuery) throws -> TimelinePage {
        let filter = query.filter
        let files = store.dayFiles(from: query.start, to: query.end)
        var events: [TimelineEvent] = []
        var warnings: [NoteError] = []
        if query.start != nil {
            for path in files {
                let parsed = try store.events(inDayFile: path)
                warnings += parsed.errors
                events += parsed.events.filter(filter.matches)
                if events.count > query.limit { break }
            }
            events.sort { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
            let truncated = events.count > query.limit
            return TimelinePage(events: Array(events.prefix(query.limit)), warnings: warnings, truncated: truncated)
        }
        for path in files.reversed() {
            let parsed = try store.events(inDayFile: path)
            warnings += parsed.errors
            events += parsed.events.filter(filter.matches)
            if events.count > query.limit { break }
        }
        events.sort { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        let truncated = events.count > query.limit
        return TimelinePage(events: Array(events.suffix(query.limit)), warnings: warnings, truncated: truncated)
    }

    public struct EventRelations: Sendable {
        public var event: TimelineEvent
        public var causedBy: TimelineEvent?
        public var caused: [TimelineEvent]
    }

    /// An event with the event that caused it and the events it caused. `caused` is derived from other
    /// events' `caused_by`: from the index when it is open, else by reading the cause's day and the week
    /// after it (effects follow their cause).
    public func eventRelations(id: String) throws -> EventRelations? {
        guard let event = try store.event(id: id) else { return nil }
        let cause = try event.causedBy.flatMap { try store.event(id: $0) }
        if let index = index.current() {
            return EventRelations(event: event, causedBy: cause, caused: index.caused(by: id))
        }
        var f = MemoryStore.TimelineFilter()
        f.since = event.timestamp.startOfDay
        f.until = event.timestamp.adding(seconds: 7 * 86400)
        f.limit = Int.max
        let caused = try store.timeline(f).events.filter { $0.causedBy == event.id }
        return EventRelations(event: event, causedBy: cause, caused: caused)
    }

    /// The latest events affecting a component (since `start`), oldest first.
    public nonisolated func componentHistory(_ name: String, start: Timestamp?, limit: Int) async throws -> TimelinePage {
        if let index = index.current() {
            // One more than asked, to tell whether there are more.
            let newest = index.events(component: name, since: start, limit: limit + 1)
            return TimelinePage(events: Array(newest.prefix(limit).reversed()), warnings: index.freshness.warnings, truncated: newest.count > limit)
        }
        return try await scanComponentHistory(name, start: start, limit: limit)
    }

    func scanComponentHistory(_ name: String, start: Timestamp?, limit: Int) throws -> TimelinePage {
        var q = TimelineQuery()
        q.components = [name]
        q.start = start
        q.limit = limit
        if start == nil { return try scanTimeline(q) }
        // With a start, the most recent events since then, as for the component view in the CLI.
        var all = TimelineQuery()
        all.components = [name]
        all.start = start
        all.limit = Int.max
        let page = try scanTimeline(all)
        return TimelinePage(events: Array(page.events.suffix(limit)), warnings: page.warnings, truncated: page.events.count > limit)
    }
}
