import Collector
import MemoryModel

/// Healthy, degraded and critical counts, the components that are not healthy and the sources that
/// failed, as of the last collection: GET /memory/infrastructure/health, `cmem infra health`, MCP
/// `infra_health`.
public struct InfraHealth: Sendable {
    /// nil when nothing has been collected yet.
    public var state: InfraRepository.StoredState?

    public static let notCollected = InfraProvenance.notCollected

    /// "as of TIME (commit SHORT)", or how to collect.
    public var provenanceText: String { state.map(InfraProvenance.text) ?? InfraProvenance.notCollected }

    public var json: JSONValue {
        guard let state else {
            return .object(InfraProvenance.json(nil) + [
                ("healthy", .number(0)), ("degraded", .number(0)), ("critical", .number(0)), ("unknown", .number(0)),
                ("unhealthy", .array([])), ("failed_sources", .object([])),
            ])
        }
        let provenance = InfraProvenance.json(state)
        guard case let .object(pairs) = HealthSummary(state.snapshot).json else { return .object(provenance) }
        return .object(provenance + pairs)
    }
}
