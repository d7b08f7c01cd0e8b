import Collector
import MemoryModel

/// Healthy, degraded and critical counts, the components that are not healthy and the sources that
/// failed, as of the last collection: GET /memory/infrastructure/health, `cmem infra health`, MCP
/// `infra_health`.
public struct InfraHealth: Sendable {
    /// nil when nothing has been collected yet.
    public var state: InfraRepository.StoredState?

    public static let notCollected = "no infrastructure state collected yet; run `cmem collect` (it commits \(InfraRepository.statePath))"

    public var json: JSONValue {
        guard let state else {
            return .object([
                ("collected", .bool(false)), ("commit", .null), ("collected_at", .null), ("message", .string(InfraHealth.notCollected)),
                ("healthy", .number(0)), ("degraded", .number(0)), ("critical", .number(0)), ("unknown", .number(0)),
                ("unhealthy", .array([])), ("failed_sources", .object([])),
            ])
        }
        let provenance: [(String, JSONValue)] = [
            ("collected", .bool(true)), ("commit", state.commit.map { .string($0.id.hex) } ?? .null),
            ("collected_at", state.committedAt.map { .string($0.iso8601) } ?? .null),
        ]
        guard case let .object(pairs) = HealthSummary(state.snapshot).json else { return .object(provenance) }
        return .object(provenance + pairs)
    }
}
