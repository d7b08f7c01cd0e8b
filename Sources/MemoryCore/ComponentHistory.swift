import MemoryIndex
import MemoryModel

/// The latest events affecting a component, oldest first, and the decisions that name it:
/// GET /memory/timeline/component/{name}, `cmem component`, MCP `component_history`.
public struct ComponentHistory: Sendable {
    public var component: String
    public var events: [TimelineEvent]
    public var decisions: [Decision]
    /// More events exist than the limit let through.
    public var truncated: Bool
    public var freshness: Freshness

    public var json: JSONValue {
        .object([
            ("component", .string(component)),
            ("events", .array(events.map(\.json))),
            ("count", .number(Double(events.count))),
            ("truncated", .bool(truncated)),
            ("decisions", .array(decisions.map(\.json))),
            ("warnings", .array(freshness.warnings.prefix(20).map(\.json))),
            ("index", AnswerJSON.freshness(freshness)),
        ])
    }
}

/// One event with the event that caused it and the events it caused: GET /memory/timeline/event/{id},
/// `cmem event show`, MCP `event`.
public struct EventDetail: Sendable {
    public var event: TimelineEvent
    public var causedBy: TimelineEvent?
    public var caused: [TimelineEvent]
    public var location: String?

    public var json: JSONValue {
        .object([
            ("event", event.json), ("caused_by", causedBy?.json ?? .null), ("caused", .array(caused.map(\.json))),
            ("location", location.map { .string($0) } ?? .null),
        ])
    }
}
