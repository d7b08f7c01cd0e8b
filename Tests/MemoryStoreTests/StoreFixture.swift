import Foundation
import GitKit
import MemoryModel
@testable import MemoryStore
import TestSupport

/// A fresh memory repository in a temporary directory, plus a project directory to run sessions in.
final class StoreFixture {
    let dir = TemporaryDirectory("cmem-store")
    var root: String { dir.file("memory") }
    var project: String { dir.file("project") }
    let store: MemoryStore

    init() throws {
        _ = try MemoryStore.initialize(at: dir.file("memory"))
        try FileManager.default.createDirectory(atPath: dir.file("project/.git"), withIntermediateDirectories: true)
        store = try MemoryStore(path: dir.file("memory"))
    }

    func read(_ relative: String) throws -> String { try dir.read("memory/" + relative) }
    func write(_ relative: String, _ text: String) throws { try dir.write("memory/" + relative, text) }

    func git(_ args: String...) throws -> ProcessResult { try ProcessRunner.git(args, cwd: root) }

    static func event(_ time: String, _ description: String = "Synced github-mcp-server to abc123", id: String? = nil,
                      type: String = "deployment", components: [String] = ["github-mcp-server"]) -> TimelineEvent {
        let t = Timestamp(iso8601: time)!
        return TimelineEvent(id: id ?? Identifier.make(.event, at: t), timestamp: t, type: type, source: "argocd",
                             description: description, details: .object([("sha", .string("abc123"))]), components: components)
    }
}
