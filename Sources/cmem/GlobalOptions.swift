import ArgumentParser
import ClaudeHooks
import Foundation
import Logging
import MemoryModel
import MemoryCore
import MemoryStore

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The memory repository (default: $CMEM_REPO, else ~/.cortex/memory).")
    var repo: String?

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    var repoPath: String { Self.repoPath(repo) }

    func openStore() throws -> MemoryStore {
        try Self.openStore(repo: repo)
    }

    /// The application core over the repository: every command that reads or changes sessions, or asks
    /// the index, goes through it, as REST and MCP do.
    func openMemory() throws -> Memory {
        Memory(store: try openStore(), logger: Log.logger)
    }

    static func repoPath(_ repo: String?) -> String {
        if let repo { return repo }
        if let env = environment("CMEM_REPO"), !env.isEmpty { return env }
        let home = homeDirectory()
        return home + (home.hasSuffix("/") ? "" : "/") + ".cortex/memory"
    }

    static func openStore(repo: String?) throws -> MemoryStore {
        try MemoryStore(path: repoPath(repo), logger: Log.logger)
    }
}

/// Logging goes to stderr, warnings and above unless CMEM_LOG_LEVEL says otherwise.
enum Log {
    static let logger: Logger = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let level = environment("CMEM_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .warning
            handler.logLevel = level
            return handler
        }
        return Logger(label: "cmem")
    }()
}

/// One environment variable. (Foundation's `ProcessInfo.environment` copies the whole environment into a
/// dictionary first, a measurable part of a hook's start-up.)
func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}
