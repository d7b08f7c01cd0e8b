import ArgumentParser
import ClaudeHooks
import Foundation
import MemoryModel

/// `cmem hook EVENT`: the Claude Code hook handlers. Each reads the event's JSON on stdin. They never
/// fail in a way Claude Code sees: on any error they exit 0 with nothing on stdout and log one line to
/// `.git/cmem/hooks.log` in the memory repository.
struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Claude Code hook handlers (read the event's JSON on stdin; installed by `cmem claude install`).",
        discussion: """
        Failures never reach Claude Code: the handler exits 0, prints nothing, and logs one line to \
        .git/cmem/hooks.log in the memory repository. pre-commit-guard is the exception: it is a git hook \
        and exits 1 to refuse a commit.
        """,
        subcommands: [
            SessionStart.self, UserPrompt.self, PostToolUse.self, PreCompact.self, SessionEnd.self, Stop.self,
            PreCommitGuardCommand.self,
        ]
    )
}

/// Runs one Claude Code hook: stdin in, the handler's text out, exit status 0 whatever happens.
func runClaudeHook(_ event: HookEvent, global: GlobalOptions, budget: Int? = nil) {
    runClaudeHook(event, repo: global.repo, budget: budget)
}

func runClaudeHook(_ event: HookEvent, repo: String?, budget: Int?) {
    let input = FileHandle.standardInput.readDataToEndOfFile()
    let output = HookRunner.run(event.rawValue, repoPath: GlobalOptions.repoPath(repo), input: [UInt8](input), tokenBudget: budget)
    if !output.isEmpty { FileHandle.standardOutput.write(Data(output.utf8)) }
}

extension HookCommand {
    struct SessionStart: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "session-start",
            abstract: "SessionStart: start or continue the memory session; print the handoff for the context."
        )
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Token budget of the handoff (default: handoff.token_budget in .cmem/config.yaml, 1500).")
        var budget: Int?
        func run() { runClaudeHook(.sessionStart, global: global, budget: budget) }
    }

    struct UserPrompt: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "user-prompt", abstract: "UserPromptSubmit: set the session's task from the first prompt.")
        @OptionGroup var global: GlobalOptions
        func run() { runClaudeHook(.userPrompt, global: global) }
    }

    struct PostToolUse: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "post-tool-use",
            abstract: "PostToolUse / PostToolUseFailure: record commands run, files read and changed, todos.")
        @OptionGroup var global: GlobalOptions
        func run() { runClaudeHook(.postToolUse, global: global) }
    }

    struct PreCompact: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-compact",
            abstract: "PreCompact: write the summary and the handoff; keep a snapshot to re-inject after compaction.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Token budget of the handoff.") var budget: Int?
        func run() { runClaudeHook(.preCompact, global: global, budget: budget) }
    }

    struct SessionEnd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "session-end", abstract: "SessionEnd: write the summary and the handoff, and end the session.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Token budget of the handoff.") var budget: Int?
        func run() { runClaudeHook(.sessionEnd, global: global, budget: budget) }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop", abstract: "Stop: refresh the session summary from the last assistant message.")
        @OptionGroup var global: GlobalOptions
        func run() { runClaudeHook(.stop, global: global) }
    }

    struct PreCommitGuardCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-commit-guard",
            abstract: "Git pre-commit hook of the memory repository: refuse staged notes that contain secrets.",
            discussion: "Prints file:line:column: kind for each secret found and exits 1; exits 0 when the staged notes are clean."
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let findings: [PreCommitGuard.Finding]
            do {
                findings = try PreCommitGuard.scanStaged(repository: global.repoPath)
            } catch {
                FileHandle.standardError.write(Data("cmem: pre-commit guard could not check the staged notes: \(error)\n`git commit --no-verify` skips this check.\n".utf8))
                throw ExitCode(1)
            }
            if findings.isEmpty { return }
            if global.json {
                Output.json(.object([("findings", .array(findings.map { f in
                    .object([("path", .string(f.path)), ("line", .number(Double(f.line))), ("column", .number(Double(f.column))), ("kind", .string(f.kind))])
                }))]))
            }
            FileHandle.standardError.write(Data(PreCommitGuard.refusal(findings).utf8))
            throw ExitCode(1)
        }
    }
}
