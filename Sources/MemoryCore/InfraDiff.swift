import Collector
import MemoryModel

/// What changed in the collected state between `since` and `until` (default: the current state):
/// components added, removed, and changed field by field. The state at a time is the last one committed
/// at or before it; when nothing had been collected by `since`, everything counts as added. GET
/// /memory/infrastructure/diff, `cmem infra diff`, MCP `infra_diff`.
public struct InfraDiff: Sendable {
    public var since: Timestamp
    public var until: Timestamp?
    public var older: InfraRepository.StoredState?
    /// nil when nothing had been collected by `until` (or at all).
    public var newer: InfraRepository.StoredState?
    public var diff: StructuredDiff

    /// What to say when there is no newer state to compare.
    var missing: String { until.map { "no infrastructure state had been collected by \($0.iso8601)" } ?? InfraProvenance.notCollected }

    public var json: JSONValue {
        var pairs = InfraProvenance.json(newer, missing: missing) + [
            ("since", .string(since.iso8601)), ("until", until.map { .string($0.iso8601) } ?? .null),
            ("from_commit", older?.commit.map { .string($0.id.hex) } ?? .null),
            ("from_collected_at", older?.committedAt.map { .string($0.iso8601) } ?? .null),
        ]
        if case let .object(changes) = diff.json { pairs += changes }
        return .object(pairs)
    }

    /// "from the state as of … to the state as of …", for people; or why there is nothing to compare.
    public var rangeText: String {
        guard let newer else { return missing }
        let from = older.map { "the state " + InfraProvenance.text($0) } ?? "no state (nothing collected by \(since.iso8601))"
        return "from \(from) to the state " + InfraProvenance.text(newer)
    }
}

extension Memory {
    public func infraDiff(since: Timestamp, until: Timestamp? = nil) throws -> InfraDiff {
        if let until, until < since { throw CoreError.invalid("until is before since") }
        let newer = try until.map { try InfraRepository.state(atOrBefore: $0, store: store) } ?? InfraRepository.current(store: store)
        let older = newer == nil ? nil : try InfraRepository.state(atOrBefore: since, store: store)
        let diff = newer.map { StructuredDiff.between(older?.snapshot ?? InfraSnapshot(), $0.snapshot) }
            ?? StructuredDiff.between(InfraSnapshot(), InfraSnapshot())
        return InfraDiff(since: since, until: until, older: older, newer: newer, diff: diff)
    }

    public func infraCurrent() throws -> InfraCurrent {
        InfraCurrent(state: try InfraRepository.current(store: store))
    }
}
