import ArgumentParser
import ClaudeHooks
import MemoryModel
import MemoryStore
import MemorySync

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a memory repository, or add what is missing to an existing one (nothing else changes)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Where to create it (default: --repo, $CMEM_REPO, or ~/.cortex/memory).")
    var path: String?

    func run() throws {
        try run(json: global.json) {
            // A clone of a remote whose HEAD names no branch it has (or of an empty remote) checked nothing
            // out: adopt the remote's branch before committing anything, so that there is only ever one.
            let adopted = try SharedBranch.prepareClone(at: path ?? global.repoPath)
            let report = try MemoryStore.initialize(at: path ?? global.repoPath, logger: Log.logger)
            // The merge drivers live in each clone's .git/config (git never syncs config).
            try MergeDriverSetup.configure(repositoryAt: report.root)
            // A secret pasted into a note by hand is refused at commit (never replaces a user's own hook).
            let guardResult = try PreCommitGuard.install(memoryRepository: report.root)
            if case let .keptExisting(_, advice) = guardResult, !global.json { Output.warn(advice) }
            if global.json {
                Output.json(.object([
                    ("root", .string(report.root)),
                    ("created", .array(report.created.map { .string($0) })),
                    ("commit", report.commit.map { .string($0.hex) } ?? .null),
                ]))
            } else if report.created.isEmpty {
                if let adopted { Output.line("\(report.root): \(adopted)") }
                Output.line("\(report.root) is already a memory repository; nothing to add.")
            } else {
                Output.line("Memory repository ready at \(report.root)" + (adopted.map { " (\($0))" } ?? ""))
                for path in report.created { Output.line("  created \(path)") }
            }
        }
    }
}
