import ArgumentParser
import ClaudeHooks
import Collector
import Foundation
import Logging
import MemoryModel
import MemoryStore
import Redaction

/// `cmem hooks install|uninstall|status`: git hooks in a CODE repository that record commits, merges and
/// rewrites in the memory's timeline. Here `--repo` is the code repository, as in the issue; the memory
/// repository is `--memory`, else $CMEM_REPO, else ~/.cortex/memory.
struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "Install git hooks in a code repository that feed the timeline.",
        discussion: """
        The hooks (post-commit, post-merge, post-rewrite) record git_commit, git_merge and git_rewrite events \
        with the SHA, author, message (redacted), branch, remote URL and changed files. Affected components \
        come from the `paths` globs in the memory's .cmem/components.yaml, else the repository's name.

        Note: for these commands --repo is the CODE repository (default: the one containing the current \
        directory). The memory repository is --memory, else $CMEM_REPO, else ~/.cortex/memory.

        A hook never breaks a git command: recording runs in the background, and when the memory is missing, \
        locked or broken it logs one line to .git/cmem/hooks.log in the memory (else ~/.cortex/hooks.log).
        """,
        subcommands: [Install.self, Uninstall.self, Status.self, Record.self]
    )
}

/// Options of the hooks commands: the code repository the hooks go into (`--project`, as for `cmem claude
/// install`), and the memory they write to (`--repo`, as for every command; `--memory` is its older name).
struct CodeRepositoryOptions: ParsableArguments {
    @Option(name: .long, help: "The CODE repository (default: the git repository of the current directory).")
    var project: String?

    @Option(name: [.customLong("repo"), .customLong("memory")],
            help: "The memory repository the hooks write to (default: $CMEM_REPO, else ~/.cortex/memory).")
    var memory: String?

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    func location() throws -> GitHooks.Location {
        try GitHooks.locate(absolutePath(project ?? FileManager.default.currentDirectoryPath))
    }

    /// `--repo` once named the code repository here: a code repository given as the memory is refused,
    /// rather than pinned into hooks installed elsewhere.
    func checkMemory() throws {
        guard let memory else { return }
        let path = absolutePath(memory)
        let fm = FileManager.default
        if fm.fileExists(atPath: path + "/.git"), !fm.fileExists(atPath: path + "/.cmem") {
            throw CommandFailure(message: "\(path) is a code repository, not a memory: --repo names the memory repository, as for every "
                + "command; the code repository is --project \(memory)")
        }
    }

    /// The memory pinned into the hooks at install: --memory, else $CMEM_REPO when set, else none (each
    /// run then resolves $CMEM_REPO or the default itself).
    var pinnedMemory: String? {
        if let memory { return absolutePath(memory) }
        if let env = environment("CMEM_REPO"), !env.isEmpty { return absolutePath(env) }
        return nil
    }
}

func hookChangesJSON(_ location: GitHooks.Location, _ changes: [GitHooks.Change]) -> [(String, JSONValue)] {
    [
        ("repository", .string(location.root)),
        ("hooks_directory", .string(location.hooksDirectory)),
        ("hooks", .array(changes.map { c in
            .object([("hook", .string(c.hook.rawValue)), ("path", .string(c.path)), ("action", .string(c.action.rawValue)),
                     ("chained", c.chained.map { .string($0) } ?? .null)])
        })),
    ]
}

extension HooksCommand {
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install",
            abstract: "Install the post-commit, post-merge and post-rewrite hooks in a code repository (idempotent).",
            discussion: """
            The hooks go where git looks for them (core.hooksPath is honoured). A hook already there is kept as \
            NAME.cmem-chained and still runs first, with its own exit status. The hooks call this cmem by its \
            absolute path; the memory repository (--repo, else $CMEM_REPO if set) is written into them.
            """
        )
        @OptionGroup var options: CodeRepositoryOptions

        func run() throws {
            try run(json: options.json) {
                try options.checkMemory()
                let location = try options.location()
                let memory = options.pinnedMemory
                let changes = try GitHooks.install(at: location, executable: currentExecutable(), memory: memory)
                if options.json {
                    Output.json(.object(hookChangesJSON(location, changes) + [("memory", memory.map { .string($0) } ?? .null)]))
                    return
                }
                Output.line("git hooks for \(location.root) (in \(location.hooksDirectory)):")
                for c in changes {
                    var line = "  \(c.action.rawValue) \(c.hook.rawValue)"
                    if let chained = c.chained { line += " (runs \((chained as NSString).lastPathComponent) first)" }
                    Output.line(line)
                }
                Output.line("Events go to " + (memory ?? "$CMEM_REPO, else ~/.cortex/memory") + ".")
                if let memory, !FileManager.default.fileExists(atPath: memory + "/.cmem") {
                    Output.warn("no memory repository at \(memory) yet; run `cmem init \(memory)` (until then the hooks only log)")
                }
            }
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uninstall",
            abstract: "Remove cmem's git hooks from a code repository and put back the hooks they chained."
        )
        @OptionGroup var options: CodeRepositoryOptions

        func run() throws {
            try run(json: options.json) {
                let location = try options.location()
                let changes = try GitHooks.uninstall(at: location)
                if options.json {
                    Output.json(.object(hookChangesJSON(location, changes)))
                    return
                }
                Output.line("git hooks for \(location.root):")
                for c in changes {
                    switch c.action {
                    case .keptForeign: Output.line("  kept \(c.hook.rawValue) (not cmem's)")
                    case .restored: Output.line("  removed \(c.hook.rawValue); restored the hook it chained")
                    case .notInstalled: Output.line("  \(c.hook.rawValue) was not installed")
                    default: Output.line("  \(c.action.rawValue) \(c.hook.rawValue)")
                    }
                }
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show which of cmem's git hooks are installed in a code repository.")
        @OptionGroup var options: CodeRepositoryOptions

        func run() throws {
            try run(json: options.json) {
                let location = try options.location()
                let rows = GitHooks.status(at: location)
                if options.json {
                    Output.json(.object([
                        ("repository", .string(location.root)), ("hooks_directory", .string(location.hooksDirectory)),
                        ("hooks", .array(rows.map { r in
                            .object([("hook", .string(r.hook.rawValue)), ("path", .string(r.path)), ("status", .string(r.status.rawValue)),
                                     ("chained", r.chained.map { .string($0) } ?? .null)])
                        })),
                    ]))
                    return
                }
                Output.line("git hooks for \(location.root) (in \(location.hooksDirectory)):")
                for r in rows {
                    let chained = r.chained.map { " (chains \(($0 as NSString).lastPathComponent))" } ?? ""
                    Output.line("  \(r.hook.rawValue): \(r.status == .installed ? "cmem" : r.status == .foreign ? "another hook" : "none")\(chained)")
                }
            }
        }
    }

    /// What the hook scripts run. Never fails: every problem becomes one line in the hook log, exit 0.
    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record a git hook's event in the timeline (run by the installed hooks).",
            shouldDisplay: false
        )
        @Argument(help: "post-commit, post-merge or post-rewrite.") var hook: String
        @Option(name: .long, help: "The memory repository (default: $CMEM_REPO, else ~/.cortex/memory).") var memory: String?
        @Option(name: .long, help: "HEAD as the hook saw it.") var head: String?
        @Option(name: .long, help: "HEAD's ref as the hook saw it (refs/heads/NAME, or HEAD when detached).") var ref: String?
        @Option(name: .long, help: "The code repository's working tree (default: the current directory, where git runs hooks).")
        var root: String?
        @Argument(help: "git's arguments to the hook.") var hookArguments: [String] = []

        func run() {
            // Running in the background, hold nothing of the git command's: a program that ran `git commit`
            // and waits until every copy of its pipes or sockets is closed must not wait for the memory.
            closeInheritedPipesAndSockets()
            // A terminal's Ctrl-C or hang-up right after the commit must not lose the event half way.
            signal(SIGINT, SIG_IGN)
            signal(SIGHUP, SIG_IGN)
            let memoryPath = absolutePath(GlobalOptions.repoPath(memory))
            let rootPath = absolutePath(root ?? FileManager.default.currentDirectoryPath)
            let label = GitEventBuilder.componentName((rootPath as NSString).lastPathComponent)
            do {
                guard let kind = GitHookKind(rawValue: hook) else {
                    throw GitEventError("unknown hook \(JSONValue.quoted(hook)); expected post-commit, post-merge or post-rewrite")
                }
                var input = ""
                if kind.readsStandardInput {
                    input = String(decoding: FileHandle.standardInput.readDataToEndOfFile().prefix(1 << 20), as: UTF8.self)
                }
                let store = try MemoryStore(path: memoryPath, logger: Logger(label: "cmem.git-hook", factory: { _ in SwiftLogNoOpLogHandler() }))
                // The memory's rules first; a code repository may add its own .cmem/components.yaml.
                // A broken catalog costs the commit its components, not its event: the problem is logged.
                let catalog = ComponentCatalog.load(root: store.root).adding(ComponentCatalog.load(root: rootPath))
                if let problem = catalog.problem {
                    HookLog.append(repoPath: memoryPath, event: "git-\(hook)", session: label, message: "\(problem)")
                }
                let redactor = Redactor()
                let builder = GitEventBuilder(components: catalog, redact: { redactor.redact($0) })
                let event = try builder.event(for: GitHookInvocation(kind: kind, root: rootPath, head: head, ref: ref,
                                                                     arguments: hookArguments, input: input))
                try store.recordEvents([event])
            } catch {
                HookLog.append(repoPath: memoryPath, event: "git-\(hook)", session: label, message: "\(error)")
            }
        }
    }
}

/// Closes descriptors above stderr that are pipes or sockets: they can only have been inherited (git
/// passes its parent's on to hooks), and a parent that waits for them to close would wait for us.
func closeInheritedPipesAndSockets() {
    let limit = min(Int32(getdtablesize()), 4096)
    guard limit > 3 else { return }
    for fd in 3..<limit {
        var st = stat()
        guard fstat(fd, &st) == 0 else { continue }
        let type = st.st_mode & S_IFMT
        if type == S_IFIFO || type == S_IFSOCK { close(fd) }
    }
}
