import MemoryModel
import MemoryStore

/// What recording events did: each event as the timeline now holds it, with `status` `recorded`,
/// `joined` (another report of a commit already recorded, which now names this source too) or
/// `duplicate` (already there). POST /memory/timeline/events, `cmem event record --json` (and `--from`),
/// MCP `event_record`.
public struct RecordedEvents: Sendable {
    public var writes: [MemoryStore.EventWrite]
    /// Why nothing was recorded: a source payload that reports nothing worth keeping (a span that succeeded).
    public var ignored: String?

    public static let nothingWorthKeeping = "nothing in this payload is worth recording (a span that succeeded)"

    public init(writes: [MemoryStore.EventWrite], ignored: String? = nil) {
        self.writes = writes
        self.ignored = ignored
    }

    /// New events on the timeline.
    public var recorded: Int { writes.filter { if case .added = $0 { return true } else { return false } }.count }

    public var json: JSONValue {
        let events: [JSONValue] = writes.map { w in
            guard case var .object(pairs) = w.event.json else { return w.event.json }
            switch w {
            case .added: pairs.append(("status", .string("recorded")))
            case .merged: pairs.append(("status", .string("joined")))
            case .duplicate: pairs.append(("status", .string("duplicate")))
            }
            return .object(pairs)
        }
        var pairs: [(String, JSONValue)] = [("recorded", .number(Double(recorded))), ("duplicates", .number(Double(writes.count - recorded))),
                                            ("events", .array(events))]
        if let ignored { pairs.append(("ignored", .string(ignored))) }
        return .object(pairs)
    }
}
