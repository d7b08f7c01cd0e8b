import Foundation
import MemoryCore
import MemoryIndex
import MemoryModel
import MemoryStore

/// Opening the index for a command: brought up to date from git and the working tree, with its warnings
/// (broken notes, by file and line) on stderr.
enum IndexAccess {
    static func open(_ global: GlobalOptions) throws -> (MemoryStore, MemoryIndex) {
        let (memory, queries) = try queries(global)
        return (memory.store, queries.index)
    }

    /// The core and its index queries, the index's warnings shown as for `open`.
    static func queries(_ global: GlobalOptions) throws -> (Memory, Queries) {
        let memory = try global.openMemory()
        let queries = try memory.queries()
        if !global.json { warn(queries.index) }
        return (memory, queries)
    }

    private static func warn(_ index: MemoryIndex) {
        for w in index.freshness.warnings.prefix(5) { Output.warn("not read whole: \(w.description)") }
        if index.freshness.warnings.count > 5 { Output.warn("… and \(index.freshness.warnings.count - 5) more unreadable notes") }
    }
}

/// The JSON every interface gives for index answers.
extension Freshness {
    var json: JSONValue {
        var update: JSONValue
        switch self.update {
        case .current: update = .string("current")
        case let .incremental(files): update = .object([("incremental_files", .number(Double(files)))])
        case let .rebuilt(reason): update = .object([("rebuilt", .string(reason))])
        }
        return .object([
            ("commit", commit.map { .string($0) } ?? .null),
            ("dirty_files", .array(dirtyFiles.map { .string($0) })),
            ("updated_at", .string(updatedAt.iso8601)),
            ("update", update),
            ("warnings", .array(warnings.map(\.json))),
        ])
    }
}

extension SearchHit {
    var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("kind", .string(kind.description)), ("id", .string(id)), ("score", .number((score * 1000).rounded() / 1000)),
            ("title", .string(title)), ("timestamp", .string(timestamp.iso8601)), ("location", .string(location)),
        ]
        if let event { pairs.append(("event", event.json)) }
        if let decision { pairs.append(("decision", decision.json)) }
        if let session { pairs.append(("session", session.json)) }
        return .object(pairs)
    }
}

extension ScoredEvent {
    var json: JSONValue {
        .object([
            ("event", event.json), ("score", .number((score * 1000).rounded() / 1000)), ("location", .string(location)),
            ("reasons", .string(summary)),
            ("signals", .array(signals.map { .object([("name", .string($0.name)), ("value", .number(($0.value * 1000).rounded() / 1000)), ("reason", .string($0.reason))]) })),
        ])
    }
}

extension CorrelationResult {
    var json: JSONValue {
        .object([
            ("symptom", .string(symptom)), ("components", .array(components.map { .string($0) })),
            ("onset", .string(onset.iso8601)), ("onset_event", onsetEvent?.json ?? .null),
            ("confidence", .string(confidence.rawValue)), ("explanation", .string(explanation)),
            ("probable_cause", probableCause?.json ?? .null),
            ("chain", .array(chain.map(\.json))),
            ("related_events", .array(related.map(\.json))),
            ("candidates_considered", .number(Double(candidatesConsidered))),
            ("freshness", freshness.json),
        ])
    }
}
