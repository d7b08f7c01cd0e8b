import MemoryModel
import MemoryStore

/// A range's events as its day files held them before retention rolled them into summaries, read back
/// from the commits that hold them: `cmem timeline --from-history`, GET /memory/timeline?from_history=true,
/// MCP `timeline` with `from_history`.
public struct HistoricalTimeline: Sendable {
    public var events: [TimelineEvent]
    /// Each day file read, and the commit it was read from.
    public var days: [MemoryStore.HistoricalDay]
    public var warnings: [NoteError]

    public var json: JSONValue {
        .object([
            ("events", .array(events.map(\.json))),
            ("count", .number(Double(events.count))),
            ("warnings", .array(warnings.prefix(20).map(\.json))),
            ("from_history", .array(days.map { .object([("day", .string($0.day)), ("path", .string($0.path)), ("commit", .string($0.commit))]) })),
        ])
    }
}

extension Memory {
    public func historicalTimeline(_ request: TimelineRequest) throws -> HistoricalTimeline {
        guard request.since != nil else {
            throw CoreError.invalid("reading from history needs the start of the range (since): history is read day by day")
        }
        guard request.text.isEmpty else {
            throw CoreError.invalid("a text filter does not apply to history; filter it by type, component, source or severity")
        }
        let found = try store.historicalTimeline(request.dayFileFilter)
        return HistoricalTimeline(events: found.events, days: found.days, warnings: found.warnings)
    }
}
