import ArgumentParser
import ClaudeHooks
import Foundation
import MemoryModel
import MemoryStore

/// `cmem claude install|uninstall`: wires Claude Code to the memory.
struct ClaudeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claude",
        abstract: "Install or remove the Claude Code integration (hooks, MCP server, the memory's pre-commit guard).",
        subcommands: [Install.self, Uninstall.self]
    )
}

/// Where to install: a project (its machine-local `.claude/settings.local.json` and the shared `.mcp.json`)
/// or the user's settings.
struct ClaudeScope: ParsableArguments {
    @Option(name: .long, help: "The project to install into (default: the current directory).")
    var project: String?

    @Flag(name: .long, help: "Install into ~/.claude/settings.json (user-level settings) for every project instead.")
    var user = false

    func validate() throws {
        if user && project != nil { throw ArgumentParser.ValidationError("use either --project DIR or --user, not both") }
    }

    var root: String {
        let dir = project ?? FileManager.default.currentDirectoryPath
        return absolutePath(dir)
    }

    /// Where the hooks go: they name this machine's paths, so never a file a team commits.
    var settingsPath: String {
        user ? (homeDirectory() as NSString).appendingPathComponent(".claude/settings.json") : root + "/.claude/settings.local.json"
    }

    /// The project's shared settings, where an older install put the hooks.
    var sharedSettingsPath: String? { user ? nil : root + "/.claude/settings.json" }

    /// `.mcp.json` for a project. User-scope MCP servers live in ~/.claude.json, which Claude Code owns.
    var mcpPath: String? { user ? nil : root + "/.mcp.json" }

    var label: String { user ? "your user settings" : "project \(root)" }
}

func absolutePath(_ path: String) -> String {
    let expanded = (path as NSString).expandingTildeInPath
    let full = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
    return (full as NSString).standardizingPath
}

func changesJSON(_ changes: [ClaudeSettings.Change]) -> JSONValue {
    .array(changes.map { .object([("path", .string($0.path)), ("action", .string($0.action))]) })
}

extension ClaudeCommand {
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install",
            abstract: "Merge cmem's hooks into Claude Code's settings.json and register `cmem mcp` in .mcp.json.",
            discussion: """
            Every existing setting, hook and server is kept; running it again changes nothing. The hooks call \
            this cmem by its absolute path, with --repo (or $CMEM_REPO) written into the commands, so they go \
            into .claude/settings.local.json, which stays on this machine (our hooks are removed from a \
            shared .claude/settings.json). .mcp.json, which teams commit, gets a portable `cmem mcp`: found \
            through PATH, with the memory repository from $CMEM_REPO, else the default (~/.cortex/memory).

            With --user, register the MCP server yourself: claude mcp add --scope user cortex-memory -- cmem mcp

            The memory repository also gets its pre-commit guard (.git/hooks/pre-commit), if it exists.
            """
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var scope: ClaudeScope

        func run() throws {
            try run(json: global.json) {
                let exe = currentExecutable()
                let explicitRepo = global.repo ?? environment("CMEM_REPO").flatMap { $0.isEmpty ? nil : $0 }
                let repo = explicitRepo.map(absolutePath)
                let changes = try ClaudeSettings.install(settingsPath: scope.settingsPath, sharedSettingsPath: scope.sharedSettingsPath,
                                                         mcpPath: scope.mcpPath, executable: exe, repo: repo)
                var guardResult: PreCommitGuard.InstallResult?
                let memory = absolutePath(global.repoPath)
                if FileManager.default.fileExists(atPath: memory + "/.cmem") {
                    guardResult = try PreCommitGuard.install(memoryRepository: memory, executable: exe)
                }
                if global.json {
                    var pairs: [(String, JSONValue)] = [("changes", changesJSON(changes))]
                    switch guardResult {
                    case let .installed(p)?: pairs.append(("pre_commit_guard", .object([("path", .string(p)), ("action", .string("installed"))])))
                    case let .unchanged(p)?: pairs.append(("pre_commit_guard", .object([("path", .string(p)), ("action", .string("unchanged"))])))
                    case let .keptExisting(p, advice)?:
                        pairs.append(("pre_commit_guard", .object([("path", .string(p)), ("action", .string("kept_existing")), ("advice", .string(advice))])))
                    case nil: pairs.append(("pre_commit_guard", .null))
                    }
                    Output.json(.object(pairs))
                    return
                }
                Output.line("Claude Code integration for \(scope.label):")
                for c in changes { Output.line("  \(c.action) \(c.path)") }
                switch guardResult {
                case let .installed(p)?: Output.line("  installed the pre-commit guard \(p)")
                case let .unchanged(p)?: Output.line("  unchanged \(p)")
                case let .keptExisting(p, advice)?: Output.warn("\(p) exists and is not cmem's; it was kept. To add the guard, \(advice)")
                case nil: Output.warn("no memory repository at \(memory) yet; run `cmem init` (the hooks log failures until it exists)")
                }
                if scope.mcpPath != nil, explicitRepo != nil {
                    Output.line("The MCP server in .mcp.json finds the memory through $CMEM_REPO: export CMEM_REPO=\(shellQuote(repo ?? "")) where Claude Code runs.")
                }
                if scope.user {
                    Output.line("Register the MCP server for every project with: claude mcp add --scope user \(ClaudeSettings.serverName) -- \(shellQuote(exe)) mcp" + (repo.map { " --repo \(shellQuote($0))" } ?? ""))
                }
            }
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uninstall",
            abstract: "Remove cmem's hooks and MCP server from Claude Code's files; everything else stays.",
            discussion: "The memory repository's pre-commit guard is removed too with --guard."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var scope: ClaudeScope
        @Flag(name: .customLong("guard"), help: "Also remove the memory repository's pre-commit guard.") var removeGuard = false

        func run() throws {
            try run(json: global.json) {
                let changes = try ClaudeSettings.uninstall(settingsPath: scope.settingsPath, sharedSettingsPath: scope.sharedSettingsPath,
                                                           mcpPath: scope.mcpPath)
                var guardRemoved = false
                if removeGuard { guardRemoved = try PreCommitGuard.uninstall(memoryRepository: absolutePath(global.repoPath)) }
                if global.json {
                    Output.json(.object([("changes", changesJSON(changes)), ("pre_commit_guard_removed", .bool(guardRemoved))]))
                    return
                }
                Output.line("Claude Code integration removed from \(scope.label):")
                for c in changes { Output.line("  \(c.action) \(c.path)") }
                if guardRemoved { Output.line("  removed the pre-commit guard") }
            }
        }
    }
}
