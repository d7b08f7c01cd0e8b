import MemoryIndex
import MemoryModel
import MemoryStore

/// The questions answered from the search index, the same for every front end. Safe to use from any
/// thread: `MemoryIndex` answers from an immutable snapshot.
public struct Queries: Sendable {
    public let index: MemoryIndex

    public init(index: MemoryIndex) { self.index = index }

    public func search(_ query: SearchQuery) -> SearchAnswer {
        SearchAnswer(query: query, results: index.search(query))
    }

    public func decisions(_ text: String, project: String? = nil, components: Set<String> = [], since: Timestamp? = nil,
                          limit: Int) -> DecisionsAnswer {
        var q = SearchQuery(text, kinds: [.decision], components: components, since: since,
                            order: text.isEmpty ? .newestFirst : .relevance, limit: limit)
        q.project = project
        return DecisionsAnswer(query: text, hits: index.search(q).hits.compactMap { h in h.decision.map { ($0, h.score) } })
    }

    /// Sessions, newest first (best first with text), of one project or all.
    public func sessions(_ text: String, project: String? = nil, limit: Int) -> SearchAnswer {
        var q = SearchQuery(text, kinds: [.session], order: text.isEmpty ? .newestFirst : .relevance, limit: limit)
        q.project = project
        return search(q)
    }

    public func correlate(_ request: CorrelationRequest) -> CorrelationAnswer {
        // One more than asked, so that the cause, shown on its own, still leaves `limit` related events.
        var asked = request
        asked.limit = request.limit + 1
        return CorrelationAnswer(request: request, result: index.correlate(asked))
    }

    public func componentHistory(_ component: String, since: Timestamp? = nil, limit: Int) -> ComponentHistory {
        let newest = index.events(component: component, since: since, limit: limit + 1)
        let decisions = index.search(SearchQuery(kinds: [.decision], components: [component], since: since, order: .newestFirst, limit: 10))
        return ComponentHistory(component: component, events: Array(newest.prefix(limit).reversed()),
                                decisions: decisions.hits.compactMap(\.decision), truncated: newest.count > limit,
                                freshness: index.freshness)
    }

    public func event(id: String) -> EventDetail? {
        guard let e = index.event(id: id) else { return historicalEvent(id: id) }
        return EventDetail(event: e, causedBy: e.causedBy.flatMap { index.event(id: $0) }, caused: index.caused(by: id),
                           location: index.location(id: id).map { "\($0.path):\($0.line)" })
    }

    /// An event retention rolled out of the tree (counted in a summary, not kept whole), read back from the
    /// commit that holds its day file; `location` is then `COMMIT:PATH`. A store of its own: this may run on
    /// any thread, and the lookup is rare.
    func historicalEvent(id: String) -> EventDetail? {
        guard let store = try? MemoryStore(path: index.repositoryPath), let (e, location) = (try? store.historicalEvent(id: id)) ?? nil else {
            return nil
        }
        return EventDetail(event: e, causedBy: e.causedBy.flatMap { index.event(id: $0) }, caused: index.caused(by: id), location: location)
    }

    public func timeline(_ query: SearchQuery) -> [TimelineEvent] {
        index.timeline(query)
    }

    /// The events of `[query.since, query.until)` that pass its filters, counted per first component and
    /// per bucket (`count` of them), the busiest `maxLanes` lanes shown; lanes per component or per stack.
    public func buckets(_ query: SearchQuery, count: Int, maxLanes: Int, grouping: LaneGrouping = .component) -> TimelineBucketsAnswer {
        TimelineBucketsAnswer(buckets: index.buckets(query, count: count, maxLanes: maxLanes, grouping: grouping), freshness: index.freshness)
    }
}
