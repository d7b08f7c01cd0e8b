import ArgumentParser
import Foundation
import Logging
import MemoryMCP

/// `cmem mcp`: the MCP server on stdio, for Claude Code and other MCP clients.
struct McpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Run the MCP server on stdio (for Claude Code and other MCP clients).",
        discussion: """
        Speaks JSON-RPC on stdin/stdout; logs go to stderr (warnings and above unless CMEM_LOG_LEVEL says \
        otherwise). Tools that take a project use --cwd, else the directory the server was started in. \
        `cmem claude install` registers it in the project's .mcp.json.
        """
    )

    @Option(name: .long, help: "The memory repository (default: $CMEM_REPO, else ~/.cortex/memory).")
    var repo: String?

    @Option(name: .long, help: "The project directory tools use by default (default: the current directory).")
    var cwd: String?

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let repoPath = repo ?? env["CMEM_REPO"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cortex/memory")
        let level = env["CMEM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        // Never stdout: it carries the protocol.
        let logger = Logger(label: "cmem.mcp") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let backend = MemoryBackend(repositoryPath: repoPath, defaultCWD: cwd ?? FileManager.default.currentDirectoryPath, logger: logger)
        do {
            try await MemoryMCPServer.runStdio(backend: backend, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("cmem mcp: error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
