import ArgumentParser

// Placeholder: replaced by the MemoryMCP owner's implementation.
struct McpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mcp", abstract: "Run the MCP server on stdio.")
    func run() async throws { throw CleanExit.message("mcp is not available in this build yet") }
}
