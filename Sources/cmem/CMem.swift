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
            HandoffCommand.self,
            EventCommand.self,
            TimelineCommand.self,
            ImportCommand.self,
            LogCommand.self,
            SearchCommand.self,
            DecisionsCommand.self,
            ComponentCommand.self,
            CorrelateCommand.self,
            IndexCommand.self,
            RetentionCommand.self,
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
            VaultCommand.self,
        ]
    )
}

extension CMem {
    /// The answer to a command line naming a command that does not exist (`cmem prune status`,
    /// `cmem session bogus`): which word is unknown and what the commands are, where ArgumentParser would
    /// say "unexpected arguments". Nil when the command words are all known (the error is ArgumentParser's
    /// to report), or when an option comes first, or the group has a default subcommand (the word may be
    /// its argument). Only consulted after parsing failed, so it costs a valid command line nothing.
    static func unknownCommand(_ arguments: ArraySlice<String>) -> String? {
        var command: ParsableCommand.Type = CMem.self
        var path: [String] = []
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-"), word != "help" else { return nil }
            if let next = subcommands.first(where: { $0._commandName == word || $0.configuration.aliases.contains(word) }) {
                command = next
                path.append(word)
                continue
            }
            guard command.configuration.defaultSubcommand == nil else { return nil }
            let names = subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName }.joined(separator: ", ")
            let group = path.isEmpty ? "" : path.joined(separator: " ") + " "
            return "unknown \(group)command \"\(word)\"; the \(group)commands are: \(names)"
        }
        return nil
    }
}
