import Collector
import Foundation
import GitKit
import MemoryCore
import MemoryModel
import MemoryStore

/// The collected infrastructure state, as `cmem collect` commits it (`InfraRepository`:
/// `infrastructure/state.json`, whose git history is the history of the state).
extension MemoryService {
    public static let infrastructureStatePath = InfraRepository.statePath

    public struct InfrastructureState: Sendable {
        public var snapshot: InfraSnapshot
        /// The commit that wrote the state, and when.
        public var commit: String?
        public var committedAt: Timestamp?

        init(_ stored: InfraRepository.StoredState) {
            snapshot = stored.snapshot
            commit = stored.commit?.id.hex
            committedAt = stored.committedAt
        }
    }

    /// The health summary as of the last collection (the core's answer).
    public func infraHealth() throws -> InfraHealth {
        try memory.infraHealth()
    }

    /// The current state, or nil when nothing has been collected yet.
    public func infrastructure() throws -> InfrastructureState? {
        try InfraRepository.current(store: store).map(InfrastructureState.init)
    }

    /// The state as it was committed at `time`; nil when nothing had been collected by then.
    public func infrastructure(at time: Timestamp) throws -> InfrastructureState? {
        try InfraRepository.state(atOrBefore: time, store: store).map(InfrastructureState.init)
    }
}
