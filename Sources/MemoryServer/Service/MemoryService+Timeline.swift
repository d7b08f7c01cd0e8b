import Foundation
import MemoryCore
import MemoryIndex
import MemoryModel
import MemoryStore

extension MemoryService {
    /// The core's timeline answer (`Queries.timeline`), from the index.
    public nonisolated func timeline(_ request: TimelineRequest) async throws -> TimelineAnswer {
        try await queries().timeline(request)
    }

    /// The range read back from the day files retention took out of the tree (git history).
    public func historicalTimeline(_ request: TimelineRequest) throws -> HistoricalTimeline {
        try memory.historicalTimeline(request)
    }

    /// The events of `[start, end)` counted per lane and bucket (the query's limit is the lane limit).
    public nonisolated func buckets(_ query: TimelineRequest, start: Timestamp, end: Timestamp, count: Int,
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
