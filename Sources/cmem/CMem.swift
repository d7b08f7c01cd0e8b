import ArgumentParser

struct CMem: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cmem",
        abstract: "Cortex Memory: a git-backed, plain-text memory for AI coding agents and their humans.",
        discussion: """
        The memory repository is --repo DIR, else $CMEM_REPO, else ~/.cortex/memory.
        Every command takes --json for machine-readable output.
        """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self,
            SessionCommand.self,
            EventCommand.self,
            TimelineCommand.self,
            ImportCommand.self,
            LogCommand.self,
            SearchCommand.self,
            DecisionsCommand.self,
            ComponentCommand.self,
            CorrelateCommand.self,
            IndexCommand.self,
            CollectCommand.self,
            InfraCommand.self,
            HooksCommand.self,
            HookCommand.self,
            ClaudeCommand.self,
            McpCommand.self,
            ServeCommand.self,
            SyncCommand.self,
            StatusCommand.self,
            RemoteCommand.self,
            MergeDriverCommand.self,
        ]
    )
}
