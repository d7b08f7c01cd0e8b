import Collector
import MemoryModel

/// Which collected state an infrastructure answer describes: `collected`, the commit that wrote the
/// state and when (and, before anything was collected, a message saying how to collect).
enum InfraProvenance {
    static let notCollected = "no infrastructure state collected yet; run `cmem collect` (it commits \(InfraRepository.statePath))"

    static func json(_ state: InfraRepository.StoredState?, missing: String = notCollected) -> [(String, JSONValue)] {
        guard let state else {
            return [("collected", .bool(false)), ("commit", .null), ("collected_at", .null), ("message", .string(missing))]
        }
        return [("collected", .bool(true)), ("commit", state.commit.map { .string($0.id.hex) } ?? .null),
                ("collected_at", state.committedAt.map { .string($0.iso8601) } ?? .null)]
    }

    /// "as of TIME (commit SHORT)", for people.
    static func text(_ state: InfraRepository.StoredState) -> String {
        guard let commit = state.commit, let at = state.committedAt else { return "as written (not committed yet)" }
        return "as of \(at.iso8601) (commit \(commit.id.short))"
    }
}
