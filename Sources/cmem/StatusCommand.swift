import ArgumentParser
import ClaudeHooks
import Foundation
import MemoryIndex
import MemoryModel
import MemoryStore
import MemorySync

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Ahead/behind, pending writes, conflicts that need a human (none, normally).",
        discussion: "Ahead and behind are as of the last fetch; --fetch asks the remote first."
    )

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Fetch from the remote first, so that behind is current.") var fetch = false

    func run() throws {
        try run(json: global.json) {
            let store = try global.openStore()
            if fetch {
                do {
                    var options = Synchronizer.Options()
                    options.interactive = isatty(0) == 1
                    try Synchronizer(store: store, logger: Log.logger).fetch(options)
                } catch let error as SyncError {
                    Output.warn("\(error)")
                }
            }
            let s = try SyncStatus.read(store: store)
            let health = StatusCommand.health(store: store)
            if global.json {
                guard case var .object(pairs) = s.json else { return Output.json(s.json) }
                pairs.append(("hook_errors_24h", .array(health.hookErrors.map { .string($0) })))
                pairs.append(("unreadable_notes", .array(health.unreadable.map(\.json))))
                Output.json(.object(pairs))
                return
            }
            var head = "On \(s.branch.map(Output.bold) ?? "a detached HEAD")"
            if let upstream = s.upstream {
                head += ", tracking \(upstream)" + (s.remoteURL.map { " (\($0))" } ?? "")
            } else {
                head += s.remoteURL == nil ? "; no remote yet (`cmem remote add origin URL`)" : "; not synced yet"
            }
            Output.line(head)
            if let ahead = s.ahead, let behind = s.behind {
                let when = s.lastSync.map { "; last sync \($0)" } ?? ""
                Output.line("  ahead \(ahead), behind \(behind) (as of the last fetch\(when))")
            }
            if s.pending.isEmpty {
                Output.line("  pending: nothing")
            } else {
                Output.line("  pending: \(s.pending.count) uncommitted file\(s.pending.count == 1 ? "" : "s") (`cmem sync` commits them)")
                for p in s.pending.prefix(20) { Output.line("    \(p)") }
                if s.pending.count > 20 { Output.line("    … and \(s.pending.count - 20) more") }
            }
            if s.conflicts.isEmpty {
                Output.line("  conflicts that need a human: none")
            } else {
                Output.line(Output.red("  conflicts that need a human: \(s.conflicts.count)"))
                for p in s.conflicts { Output.line("    \(p)") }
                Output.line("  Edit them (look for <<<<<<<), `git add` them, then `cmem sync`; or `git merge --abort`.")
            }
            if !s.markers.isEmpty {
                Output.line(Output.red("  files that still hold conflict markers (<<<<<<<): \(s.markers.count); cmem commits none of them"))
                for p in s.markers { Output.line("    \(p)") }
            }
            if s.mergeInProgress && s.conflicts.isEmpty {
                Output.line("  a merge is in progress with every conflict resolved; `cmem sync` finishes it")
            }
            if !s.links.isEmpty {
                Output.line(Output.red("  symbolic links cmem refuses to read or write through: \(s.links.count)"))
                for p in s.links { Output.line("    \(p)") }
                Output.line("  Replace each with a copy of what it points to, or remove it.")
            }
            for lock in s.locks {
                Output.line(lock.live
                    ? "  \(lock.path) exists: another git is writing; cmem writes wait for it"
                    : Output.red("  \(lock.path) was left by a git or cmem that died; the next cmem write removes it"))
            }
            if !s.mergeDriversConfigured {
                Output.warn("the cmem merge drivers are not configured in this clone; `cmem init` or `cmem sync` configures them")
            }
            StatusCommand.printHealth(health)
        }
    }

    /// What went wrong without anyone seeing it: hook failures (a hook never breaks Claude Code, so it
    /// only logs) and notes the index skipped as unreadable.
    struct Health {
        var hookErrors: [String] = []
        var unreadable: [NoteError] = []
    }

    static func health(store: MemoryStore) -> Health {
        var h = Health()
        h.hookErrors = HookLog.recent(repoPath: store.root, since: Timestamp.now().adding(seconds: -86_400))
        if let index = try? MemoryIndex.open(repoPath: store.root, logger: Log.logger) { h.unreadable = index.freshness.warnings }
        return h
    }

    static func printHealth(_ h: Health) {
        if h.hookErrors.isEmpty {
            Output.line("  hook errors in the last 24h: none")
        } else {
            Output.line(Output.red("  hook errors in the last 24h: \(h.hookErrors.count)") + " (.git/cmem/hooks.log)")
            for line in h.hookErrors.suffix(10) { Output.line("    \(line)") }
        }
        if h.unreadable.isEmpty {
            Output.line("  unreadable notes: none")
        } else {
            Output.line(Output.red("  unreadable notes (skipped, or read only in part): \(h.unreadable.count)"))
            for e in h.unreadable.prefix(20) { Output.line("    \(e.path):\(e.line): \(e.message)") }
        }
    }
}
