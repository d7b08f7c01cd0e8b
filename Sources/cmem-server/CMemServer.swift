import ArgumentParser

/// The network interfaces of Cortex Memory, run through `cmem serve` and `cmem mcp`.
@main
struct CMemServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cmem-server",
        abstract: "Cortex Memory network interfaces (normally run as `cmem serve` / `cmem mcp`).",
        subcommands: [ServeCommand.self, McpCommand.self]
    )
}
