import ArgumentParser
import Dispatch
import Foundation
import MemoryModel
import MemoryStore
import MemorySync

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Commit pending writes, fetch, merge and push; retries if the remote moved meanwhile.",
        discussion: """
        Uses your own git (SSH keys, credential helpers, insteadOf apply) and merges with a merge commit, never \
        a rebase. Notes merge through cmem's merge drivers; a prose conflict only a human can settle is left as \
        a normal git merge in progress and listed by `cmem status`. If the remote is down, nothing local changes \
        and the next sync retries. With --watch, syncs every --interval until SIGINT or SIGTERM.
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "The remote (default: the branch's upstream, else origin, else the only remote).") var remote: String?
    @Flag(name: .long, help: "Keep syncing every --interval until stopped (for a service).") var watch = false
    @Option(name: .long, help: "With --watch, the time between syncs: 30s, 5m, 1h.") var interval = "60s"
    @Option(name: .long, help: "Fetch-merge-push rounds to try when others push meanwhile.") var attempts = 5
    @Option(name: .long, help: "How long a fetch or push may take: 90s, 10m.") var timeout = "10m"
    @Flag(name: .long, help: "Merge a remote branch whose history was rewritten (force-pushed) since the last sync.")
    var allowRewrittenRemote = false

    func validate() throws {
        try positiveDuration(interval, "--interval")
        try positiveDuration(timeout, "--timeout")
        guard attempts >= 1 else { throw ArgumentParser.ValidationError("--attempts must be at least 1") }
    }

    func run() throws {
        try run(json: global.json) {
            let store = try global.openStore()
            let sync = try Synchronizer(store: store, logger: Log.logger)
            var options = Synchronizer.Options()
            options.remote = remote
            options.attempts = attempts
            options.networkTimeout = Double(try DurationText.seconds(timeout, what: "--timeout"))
            options.allowRewrittenRemote = allowRewrittenRemote
            options.interactive = !watch && isatty(0) == 1
            options.detachFromTerminal = watch
            if watch {
                try runWatch(sync, options: options)
            } else {
                let (path, json) = (store.root, global.json)
                options.afterMerge = { VaultCommand.refreshQuietly(repository: path, json: json) }
                do {
                    SyncText.show(try sync.sync(options), json: global.json)
                } catch let error as SyncError {
                    throw SyncText.fail(error, json: global.json)
                }
            }
        }
    }

    private func runWatch(_ sync: Synchronizer, options: Synchronizer.Options) throws {
        let stop = StopSignal()
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.stop() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        let seconds = Double((try? DurationText.seconds(interval, what: "--interval")) ?? 60)
        if !global.json {
            FileHandle.standardError.write(Data("cmem sync: syncing every \(interval); SIGINT or SIGTERM stops after the current round\n".utf8))
        }
        sync.watch(interval: seconds, options: options, stop: stop) { result in
            switch result {
            case let .success(report):
                SyncText.show(report, json: global.json, compact: true)
            case let .failure(error):
                SyncText.report(error, json: global.json)
            }
            fflush(nil)
        }
        if !global.json { FileHandle.standardError.write(Data("cmem sync: stopped\n".utf8)) }
    }
}

enum SyncText {
    static func json(_ r: Synchronizer.Report) -> JSONValue {
        .object([
            ("remote", .string(r.remote)), ("branch", .string(r.branch)),
            ("committed", .array(r.committed.map { .string($0) })),
            ("concluded_merge", .bool(r.concludedMerge)),
            ("merge", .string(r.merge.rawValue)),
            ("incoming", .number(Double(r.incoming))), ("outgoing", .number(Double(r.outgoing))),
            ("pushed", .bool(r.pushed)), ("head", .string(r.head)), ("attempts", .number(Double(r.attempts))),
            ("changed_paths", .array(r.changedPaths.map { .string($0) })),
            ("merge_notes", .array(r.mergeNotes.map { .string($0) })),
        ])
    }

    static func show(_ r: Synchronizer.Report, json: Bool, compact: Bool = false) {
        if json {
            if compact { print(SyncText.json(r).json) } else { Output.json(SyncText.json(r)) }
            return
        }
        let target = "\(r.remote)/\(r.branch)"
        var parts: [String] = []
        if r.concludedMerge { parts.append("finished the merge a human resolved") }
        if !r.committed.isEmpty { parts.append("committed \(r.committed.count) pending file\(r.committed.count == 1 ? "" : "s")") }
        switch r.merge {
        case .upToDate: break
        case .fastForward: parts.append("fast-forwarded \(r.incoming) incoming commit\(r.incoming == 1 ? "" : "s")")
        case .merged: parts.append("merged \(r.incoming) incoming commit\(r.incoming == 1 ? "" : "s")")
        }
        if r.pushed { parts.append("pushed \(r.outgoing) commit\(r.outgoing == 1 ? "" : "s")") }
        if r.attempts > 1 { parts.append("after \(r.attempts) rounds (the remote moved meanwhile)") }
        let head = Output.yellow(String(r.head.prefix(7)))
        if parts.isEmpty {
            // A watching service logs only the rounds that did something.
            if !compact { Output.line("Already in sync with \(target) at \(head).") }
        } else {
            Output.line("Synced with \(target): \(parts.joined(separator: ", ")). HEAD \(head).")
        }
        for note in r.mergeNotes { Output.line("  " + note) }
    }

    static func report(_ error: Error, json: Bool) {
        if json {
            print(errorJSON(error).json)
        } else {
            FileHandle.standardError.write(Data("cmem: error: \(error)\n".utf8))
        }
    }

    static func errorJSON(_ error: Error) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("message", .string("\(error)"))]
        if let e = error as? SyncError {
            pairs.append(("kind", .string(e.kind)))
            if case let .conflicts(paths, _) = e { pairs.append(("conflicts", .array(paths.map { .string($0) }))) }
            if case let .unresolvedMerge(paths) = e { pairs.append(("conflicts", .array(paths.map { .string($0) }))) }
        }
        return .object([("error", .object(pairs))])
    }

    /// Prints the error (with its kind in JSON) and returns the exit status: 1.
    static func fail(_ error: SyncError, json: Bool) -> ExitCode {
        if json { Output.json(errorJSON(error)) } else { FileHandle.standardError.write(Data("cmem: error: \(error)\n".utf8)) }
        return ExitCode(1)
    }
}
