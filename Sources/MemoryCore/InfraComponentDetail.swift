import Collector
import MemoryModel
import MemoryStore

/// One component of the collected state, by name, `NAMESPACE/NAME` or key: its fields, the others that
/// share its name (a Deployment's Service), and its last change on the timeline. GET
/// /memory/infrastructure/component/{name}, `cmem infra component`, MCP `infra_component`.
public struct InfraComponentDetail: Sendable {
    public var query: String
    public var state: InfraRepository.StoredState
    /// The one shown: an exact key first, then workloads, Argo CD applications, services, the rest.
    public var primary: ComponentState
    public var related: [ComponentState]
    /// The newest timeline event naming the component within `within` seconds.
    public var lastChange: TimelineEvent?
    public var within: Int64

    public var json: JSONValue {
        guard case let .object(fields) = primary.json else { return primary.json }
        return .object(InfraProvenance.json(state) + [("query", .string(query))] + fields + [
            ("usage", usage?.json ?? .null),
            ("related", .array(related.map(\.summary))),
            ("last_change", lastChange?.json ?? .null),
            ("within_seconds", .number(Double(within))),
        ])
    }

    public var provenanceText: String { InfraProvenance.text(state) }

    /// CPU and memory from the metrics API (nil without metrics-server): a workload's summed over its pods
    /// against its containers' limits, a node's against its allocatable.
    public var usage: ResourceUsage? { state.snapshot.usage[primary.key] }

    /// Orders the components sharing a name: the one to show first.
    static func ranked(_ matches: [ComponentState], query: String) -> [ComponentState] {
        func rank(_ c: ComponentState) -> Int {
            if c.key == query { return 0 }
            if c.isWorkload { return 1 }
            switch c.kind {
            case "Application": return 2
            case "Service": return 3
            case "ConfigMap": return 4
            default: return 5
            }
        }
        return matches.sorted { (rank($0), $0.key) < (rank($1), $1.key) }
    }
}

extension Memory {
    /// `name` in the collected state, with its last change within `within` seconds (default 30 days).
    /// Nothing collected, or no such component: `CoreError.absent`, saying which.
    public func infraComponent(_ name: String, within: Int64 = 30 * 86_400, now: Timestamp = .now()) throws -> InfraComponentDetail {
        guard let state = try InfraRepository.current(store: store) else { throw CoreError.absent(InfraProvenance.notCollected) }
        let ranked = InfraComponentDetail.ranked(state.snapshot.components(named: name), query: name)
        guard let primary = ranked.first else {
            throw CoreError.absent("no component named \(JSONValue.quoted(name)) in the collected state, \(InfraProvenance.text(state)); "
                                   + "the current state lists them")
        }
        var filter = MemoryStore.TimelineFilter()
        filter.since = now.adding(seconds: -within)
        filter.components = [primary.name]
        filter.limit = Int.max
        let lastChange = try HandoffBuilder.timeline(store: store, filter).last
        return InfraComponentDetail(query: name, state: state, primary: primary, related: Array(ranked.dropFirst()),
                                    lastChange: lastChange, within: within)
    }
}
