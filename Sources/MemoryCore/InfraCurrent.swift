import Collector
import MemoryModel

/// The whole collected state: nodes, namespaces, workloads, pods, services, MCP servers, layer stacks,
/// agents, Argo CD applications, alerts and sources. GET /memory/infrastructure/current, `cmem infra
/// current`, MCP `infra_current`. Before anything was collected every list is empty and `collected` is false.
public struct InfraCurrent: Sendable {
    /// nil when nothing has been collected yet.
    public var state: InfraRepository.StoredState?

    public var json: JSONValue {
        guard case let .object(pairs) = (state?.snapshot ?? InfraSnapshot()).current else { return .object(InfraProvenance.json(state)) }
        return .object(InfraProvenance.json(state) + pairs)
    }

    /// "as of TIME (commit SHORT)", or how to collect.
    public var provenanceText: String { state.map(InfraProvenance.text) ?? InfraProvenance.notCollected }
}
