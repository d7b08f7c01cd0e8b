import MemoryIndex
import MemoryModel
import MemoryStore

/// What a timeline question asks: a range and filters. GET /memory/timeline, `cmem timeline`, MCP `timeline`.
public struct TimelineRequest: Sendable, Equatable {
    public var since: Timestamp?
    /// Inclusive. A bare date given by a person means the end of that day (`Timestamp.parse(…, endOfDay: true)`).
    public var until: Timestamp?
    public var types: Set<String> = []
    public var components: Set<String> = []
    public var sources: Set<String> = []
    public var minSeverity: Severity?
    /// Words every event must contain (the search index's terms); empty: no text filter.
    public var text = ""
    public var limit = AnswerLimit.timeline.defaultValue

    public init(since: Timestamp? = nil, until: Timestamp? = nil, limit: Int = AnswerLimit.timeline.defaultValue) {
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// The same question of the day files (`MemoryStore.historicalTimeline` reads them back from history);
    /// they have no text filter.
    public var dayFileFilter: MemoryStore.TimelineFilter {
        var f = MemoryStore.TimelineFilter()
        f.since = since
        f.until = until
        f.types = types
        f.components = components
        f.sources = sources
        f.minSeverity = minSeverity
        f.limit = limit
        return f
    }
}

/// Events in time order, oldest first: with `since`, the first `limit` from then on; without, the latest
/// `limit`. Months retention rolled up answer from their summaries (incidents, errors and critical events
/// whole, deployments and config changes as one line each), and `summarised` says which, with the commits
/// that still hold every event.
public struct TimelineAnswer: Sendable {
    public struct SummarisedMonth: Sendable, Equatable {
        public var month: String
        public var path: String
        public var events: Int
        /// The commits that hold the month's day files.
        public var detail: [String]
    }

    public var events: [TimelineEvent]
    /// More events matched than the limit let through.
    public var truncated: Bool
    public var summarised: [SummarisedMonth]
    /// Months of the range that left the working tree whole (retention's archive): no event of theirs is
    /// here, and each names the commit that holds them (`--from-history` reads them back).
    public var archived: [TimelineArchive.Month] = []
    public var freshness: Freshness

    /// Timeline notes the index could not read (file and line): the answer may be missing their events.
    public var warnings: [NoteError] { freshness.warnings.filter { $0.path.hasPrefix("timeline/") } }

    public var json: JSONValue {
        .object([
            ("events", .array(events.map(\.json))),
            ("count", .number(Double(events.count))),
            ("truncated", .bool(truncated)),
            ("summarised", .array(summarised.map { m in
                .object([("month", .string(m.month)), ("summary", .string(m.path)), ("events", .number(Double(m.events))),
                         ("detail", .array(m.detail.map(JSONValue.string)))])
            })),
            ("archived", .array(archived.map { .object([("month", .string($0.month)), ("detail", .string($0.detail))]) })),
            ("warnings", .array(warnings.prefix(20).map(\.json))),
            ("index", AnswerJSON.freshness(freshness)),
        ])
    }
}

extension Queries {
    public func timeline(_ request: TimelineRequest) -> TimelineAnswer {
        if let since = request.since, let until = request.until, until < since {
            return TimelineAnswer(events: [], truncated: false, summarised: [], freshness: index.freshness)
        }
        let limit = max(1, request.limit)
        var q = SearchQuery(request.text, kinds: [.event], eventTypes: request.types, sources: request.sources,
                            components: request.components,
                            severities: request.minSeverity.map { SearchQuery.severities(atLeast: $0) } ?? [],
                            since: request.since, order: request.since == nil ? .newestFirst : .oldestFirst, limit: limit + 1)
        q.include(through: request.until)
        var events = index.timeline(q)
        let truncated = events.count > limit
        events = Array(events.prefix(limit))
        if request.since == nil { events.reverse() }
        // The months the answer covers: from `since` (or, when the latest events were cut off, the first one
        // shown) to `until` (or, when the answer ends at the first `limit`, the last one shown).
        let from = request.since ?? (truncated ? events.first?.timestamp : nil)
        let to = request.until ?? (request.since != nil && truncated ? events.last?.timestamp : nil)
        let summarised = MemoryStore.summaryBriefs(root: index.repositoryPath, from: from, to: to).map { brief in
            TimelineAnswer.SummarisedMonth(month: brief.month, path: brief.path, events: brief.events, detail: brief.details)
        }
        var answer = TimelineAnswer(events: events, truncated: truncated, summarised: summarised, freshness: index.freshness)
        answer.archived = MemoryStore.archivedMonths(root: index.repositoryPath, from: from, to: to)
        return answer
    }
}
