import ArgumentParser
import Foundation

/// `cmem serve` and `cmem mcp` run the network interfaces, which live in the sibling `cmem-server` binary:
/// linking Hummingbird and NIO into `cmem` would add their start-up cost to every hook call.
enum ServerExec {
    static func exec(_ subcommand: String, _ arguments: [String]) throws -> Never {
        let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let sibling = ((selfPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("cmem-server")
        guard FileManager.default.isExecutableFile(atPath: sibling) else {
            throw CommandFailure(message: "cmem-server was not found next to cmem (\(sibling)); build or install it with ./scripts/setup")
        }
        let argv = [sibling, subcommand] + arguments
        var cargs = argv.map { strdup($0) } + [nil]
        execv(sibling, &cargs)
        throw CommandFailure(message: "cannot run \(sibling): \(String(cString: strerror(errno)))")
    }
}

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Memory Service (REST API and webhooks); see `cmem serve --help`.",
        helpNames: []
    )
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []
    func run() throws { try ServerExec.exec("serve", arguments) }
}

struct McpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Run the MCP server on stdio (for Claude Code and other MCP clients).",
        helpNames: []
    )
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []
    func run() throws { try ServerExec.exec("mcp", arguments) }
}
