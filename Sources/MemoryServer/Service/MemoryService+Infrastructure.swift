import Collector
import MemoryCore
import MemoryModel

/// The collected infrastructure state, as `cmem collect` commits it (`InfraRepository`:
/// `infrastructure/state.json`, whose git history is the history of the state): the core's answers.
extension MemoryService {
    public static let infrastructureStatePath = InfraRepository.statePath

    public func infraHealth() throws -> InfraHealth {
        try memory.infraHealth()
    }

    public func infraCurrent() throws -> InfraCurrent {
        try memory.infraCurrent()
    }

    public func infraComponent(_ name: String, within: Int64) throws -> InfraComponentDetail {
        try memory.infraComponent(name, within: within)
    }

    public func infraDiff(since: Timestamp, until: Timestamp?) throws -> InfraDiff {
        try memory.infraDiff(since: since, until: until)
    }
}
