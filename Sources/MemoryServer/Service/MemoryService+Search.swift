import Foundation
import MemoryCore
import MemoryIndex
import MemoryModel
import MemoryStore

/// Search, decisions and correlation: the core's `Queries`, answered once the index is open.
extension MemoryService {
    public nonisolated func search(_ query: SearchQuery) async throws -> SearchAnswer {
        try await queries().search(query)
    }

    public nonisolated func searchDecisions(_ text: String, project: String? = nil, components: Set<String> = [], since: Timestamp? = nil,
                                            limit: Int) async throws -> DecisionsAnswer {
        try await queries().decisions(text, project: project, components: components, since: since, limit: limit)
    }

    public nonisolated func sessions(_ text: String, project: String?, limit: Int) async throws -> SearchAnswer {
        try await queries().sessions(text, project: project, limit: limit)
    }

    /// The probable cause of a symptom. `at` is when the symptom started (nil: the index finds the onset
    /// from the latest episode of incidents). Components named by the client join the symptom's text.
    public nonisolated func correlate(symptom: String, window requested: Int64, at: Timestamp?, components: [String],
                                      limit: Int) async throws -> CorrelationAnswer {
        // Longer than ten years means "everything": the memory does not go back further.
        let window = min(max(requested, 1), 10 * 366 * 86400)
        let text = components.isEmpty ? symptom : symptom + " " + components.joined(separator: " ")
        return try await queries().correlate(CorrelationRequest(text, at: at, window: window, limit: limit))
    }
}
