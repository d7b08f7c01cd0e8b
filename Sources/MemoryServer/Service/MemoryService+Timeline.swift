import Foundation
import MemoryCore
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
        /// Words every event must contain (the search index's terms); empty: no text filter.
        public var text = ""
        public var limit = 100
        public init() {}
    }

    public struct TimelinePage: Sendable {
        public var events: [TimelineEvent]
        /// Notes that could not be read (file and line), so a client knows the answer may be partial.
        public var warnings: [NoteError]
        /// More events matched than `limit`.
        public var truncated: Bool
    }

    /// Events in time order. With a start: the first `limit` from the start on. Without: the latest
    /// `limit`. From the index (filters on a year of events without reading it).
    public nonisolated func timeline(_ query: TimelineQuery) async throws -> TimelinePage {
        if let start = query.start, let end = query.end, end < start {
            return TimelinePage(events: [], warnings: [], truncated: false)
        }
        let queries = try await self.queries()
        let q = SearchQuery(query.text, kinds: [.event], eventTypes: query.types, sources: query.sources, components: query.components,
                            severities: query.minSeverity.map { SearchQuery.severities(atLeast: $0) } ?? [],
                            since: query.start, until: query.end.map { Timestamp(milliseconds: $0.milliseconds + 1) },
                            order: query.start == nil ? .newestFirst : .oldestFirst, limit: query.limit + 1)
        var events = queries.timeline(q)
        let truncated = events.count > query.limit
        events = Array(events.prefix(query.limit))
        if query.start == nil { events.reverse() }
        return TimelinePage(events: events, warnings: queries.index.freshness.warnings, truncated: truncated)
    }

    /// The events of `[start, end)` counted per lane and bucket (the query's limit is the lane limit).
    public nonisolated func buckets(_ query: TimelineQuery, start: Timestamp, end: Timestamp, count: Int,
                                    grouping: LaneGrouping = .component) async throws -> TimelineBucketsAnswer {
        let q = SearchQuery(query.text, kinds: [.event], eventTypes: query.types, sources: query.sources, components: query.components,
                            severities: query.minSeverity.map { SearchQuery.severities(atLeast: $0) } ?? [],
                            since: start, until: end)
        return try await queries().buckets(q, count: count, maxLanes: query.limit, grouping: grouping)
    }

    /// An event with the event that caused it and the events it caused (the core's answer).
    public nonisolated func event(id: String) async throws -> EventDetail? {
        try await queries().event(id: id)
    }

    /// The latest events affecting a component (since `start`), oldest first, with its decisions.
    public nonisolated func componentHistory(_ name: String, start: Timestamp?, limit: Int) async throws -> ComponentHistory {
        try await queries().componentHistory(name, since: start, limit: limit)
    }
}
