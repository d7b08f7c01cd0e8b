import Foundation
import GitKit
import Logging
import MemoryModel
import MemoryStore

/// `cmem sync`: commit pending writes, fetch, merge, push; retry when the remote moved meanwhile.
///
/// The transport is the user's `git` (see `GitCLI`). Merges are real `git merge` merge commits (never a
/// rebase: the history is shared), and git calls the `cmem` merge drivers for notes. The store's write
/// lock is held while pending writes are committed and while the merge runs, so no `cmem` write races
/// the merge; fetch and push run outside it. A failure before the merge leaves the clone exactly as it
/// was; a conflict only a human can resolve is left as a normal git merge in progress.
///
/// Not thread-safe: one sync at a time per instance (the lock serialises processes).
public final class Synchronizer {
    public struct Options: Sendable {
        /// The remote to sync with; default: the branch's upstream, else `origin`, else the only remote.
        public var remote: String?
        /// How many times to try the fetch-merge-push round when the push is rejected because others pushed.
        public var attempts = 5
        /// Seconds a fetch or push may take before it is stopped.
        public var networkTimeout: Double = 600
        /// Merge a remote branch whose history no longer contains what this clone synced before.
        public var allowRewrittenRemote = false
        /// The `cmem` binary the merge drivers run; written to `.git/config` at each sync. nil leaves the config alone.
        public var mergeDriverExecutable: String? = MergeDriverSetup.currentExecutable()
        /// Whether git may prompt on the terminal (for credentials); off for services.
        public var interactive = false
        /// Run each git in its own process group (`--watch`): Ctrl-C then stops the loop between rounds
        /// instead of cutting a merge in half, and a timed-out fetch is stopped with everything it started
        /// (ssh included). Git can then not prompt on the terminal: use an SSH agent or a credential helper.
        public var detachFromTerminal = false
        /// Runs after each round's merge, before the push, outside the write lock: the caller brings the
        /// notes derived from the whole memory up to date (the vault notes), so that what is pushed holds
        /// them and a clone that fast-forwards to it has nothing to regenerate. It commits what it writes
        /// and reports its own problems; it must not fail the sync.
        public var afterMerge: (@Sendable () -> Void)?
        public init() {}
    }

    public enum MergeKind: String, Sendable {
        case upToDate = "up_to_date"
        case fastForward = "fast_forward"
        case merged
    }

    public struct Report: Sendable {
        public var remote = ""
        public var branch = ""
        /// Paths of pending (uncommitted) changes that were committed first.
        public var committed: [String] = []
        /// A merge left in progress earlier, resolved by a human, that this sync concluded.
        public var concludedMerge = false
        public var merge = MergeKind.upToDate
        /// Commits that came in from the remote.
        public var incoming = 0
        /// Commits sent to the remote.
        public var outgoing = 0
        public var pushed = false
        public var head = ""
        /// Rounds of fetch-merge-push (more than 1 when the remote moved meanwhile).
        public var attempts = 0
        /// Paths changed by the incoming commits (what an index must refresh).
        public var changedPaths: [String] = []
        /// What the merge drivers reported: values kept aside under `merge_conflicts`, deletions honoured.
        public var mergeNotes: [String] = []

        public var changedAnything: Bool { !committed.isEmpty || concludedMerge || merge != .upToDate || pushed }
    }

    let store: MemoryStore
    let logger: Logger
    let lock: WriteLock

    public init(store: MemoryStore, logger: Logger = Logger(label: "cmem.sync")) throws {
        self.store = store
        self.logger = logger
        lock = try WriteLock(gitDir: store.git.gitDir)
    }

    var gitDir: String { store.git.gitDir }

    func cli(_ options: Options) -> GitCLI {
        let author = store.author
        var env = [
            "LC_ALL": "C", "LANGUAGE": "C",
            "GIT_MERGE_AUTOEDIT": "no",
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": author.name, "GIT_COMMITTER_EMAIL": author.email,
        ]
        if !options.interactive { env["GIT_TERMINAL_PROMPT"] = "0" }
        var git = GitCLI(directory: store.root, environment: env)
        // Git may need the terminal only when it may prompt; otherwise it gets a group of its own, so that a
        // timeout stops what it started too (a `git-remote-http` holding our pipes made a 5 s timeout last 75 s).
        git.newProcessGroup = options.detachFromTerminal || !options.interactive
        return git
    }

    // MARK: Sync

    public func sync(_ options: Options = Options()) throws -> Report {
        let git = cli(options)
        if let exe = options.mergeDriverExecutable {
            do { try MergeDriverSetup.configure(repository: store.git, executable: exe) } catch {
                logger.warning("could not configure the merge drivers", metadata: ["error": "\(error)"])
            }
        }
        guard var branch = store.git.currentBranch(), !branch.hasPrefix("refs/"), branch != "HEAD" else { throw SyncError.detachedHead }
        if !FileManager.default.fileExists(atPath: gitDir + "/MERGE_HEAD"), try neverSynced(branch: branch, options: options, git: git) {
            // The first sync of this branch: share the branch the remote already has, never start a second one.
            let (remote, _) = try resolveUpstream(branch: branch, requested: options.remote, git: git)
            let url = (try? git.check(["remote", "get-url", remote])) ?? remote
            branch = try lock.withLock {
                try SharedBranch.adopt(local: branch, remote: remote, git: git, timeout: options.networkTimeout) {
                    classifyTransportFailure($0, remote: remote, url: url)
                }
            }
        }
        var report = Report()
        report.branch = branch

        if FileManager.default.fileExists(atPath: gitDir + "/MERGE_HEAD") {
            let unresolved = try SyncStatus.unmergedPaths(git)
            if !unresolved.isEmpty { throw SyncError.unresolvedMerge(paths: unresolved) }
            // Marked resolved is not resolved: a note staged with its markers (or a secret) is not committed.
            let staged = try git.check(["diff", "--cached", "--name-only", "-z"]).split(separator: "\0").map(String.init)
            let refusals = store.refusals(amongPending: staged)
            if !refusals.isEmpty { throw SyncError.pendingRefused(refusals) }
            // A human resolved the conflicts: finish the merge they were left with.
            _ = try lock.withLock { try git.check(["commit", "--no-edit"]) }
            report.concludedMerge = true
        }

        let (remote, remoteBranch) = try resolveUpstream(branch: branch, requested: options.remote, git: git)
        report.remote = remote
        let url = (try? git.check(["remote", "get-url", remote])) ?? remote
        let trackingRef = "refs/remotes/\(remote)/\(remoteBranch)"
        let stateKey = "\(remote)/\(remoteBranch)"
        var state = SyncState(stateDir: store.stateDir)

        for attempt in 1...max(1, options.attempts) {
            report.attempts = attempt
            var t0 = Timestamp.now()
            let remoteHead = try fetch(git, remote: remote, url: url, branch: remoteBranch, trackingRef: trackingRef,
                                       timeout: options.networkTimeout)
            logger.info("fetched", metadata: ["sync.remote": "\(remote)", "sync.ms": "\(Timestamp.now().milliseconds - t0.milliseconds)"])
            t0 = Timestamp.now()
            if let known = state.known(stateKey, url: url), !options.allowRewrittenRemote {
                if let remoteHead {
                    if remoteHead != known, try git.isAncestor(known, of: remoteHead) == false {
                        throw SyncError.historyRewritten(remote: remote, branch: remoteBranch, known: known, now: remoteHead)
                    }
                } else {
                    throw SyncError.historyRewritten(remote: remote, branch: remoteBranch, known: known, now: nil)
                }
            }
            try lock.withLock {
                // Holding the write lock, no cmem writer holds a git lock: one a dead writer left is
                // removed before it can fail the commit or the merge; a live one is waited for.
                store.git.recoversStaleLocks = true
                defer { store.git.recoversStaleLocks = false }
                do { try store.git.awaitCommitLocks() } catch let error as GitError { throw StoreError.git(error) }
                let committed = try commitPending()
                report.committed += committed
                if let remoteHead {
                    let firstContact = state.known(stateKey, url: url) == nil
                    try merge(git, remoteHead: remoteHead, name: stateKey,
                              allowUnrelated: firstContact || options.allowRewrittenRemote, report: &report)
                }
            }
            logger.info("committed and merged", metadata: ["sync.ms": "\(Timestamp.now().milliseconds - t0.milliseconds)"])
            options.afterMerge?()
            t0 = Timestamp.now()
            guard let head = try git.resolve("HEAD") else { break }
            report.head = head
            if head == remoteHead {
                state.record(stateKey, commit: head, url: url)
                break
            }
            let outgoing = remoteHead.map { Int((try? git.check(["rev-list", "--count", "\($0)..\(head)"])) ?? "") ?? 0 }
                ?? Int((try? git.check(["rev-list", "--count", head])) ?? "") ?? 0
            if try push(git, remote: remote, url: url, commit: head, branch: remoteBranch, timeout: options.networkTimeout) {
                report.pushed = true
                report.outgoing = outgoing
                logger.info("pushed", metadata: ["sync.ms": "\(Timestamp.now().milliseconds - t0.milliseconds)"])
                _ = try? git.check(["update-ref", trackingRef, head])
                state.record(stateKey, commit: head, url: url)
                break
            }
            // Rejected because the remote moved: fetch, merge and push again, after a pause that grows.
            guard attempt < options.attempts else { throw SyncError.remoteKeptMoving(attempts: attempt) }
            let pause = min(5.0, 0.15 * Double(1 << min(attempt, 5))) + Double.random(in: 0..<0.15)
            logger.info("push rejected: the remote moved; retrying", metadata: ["sync.attempt": "\(attempt)", "sync.pause": "\(pause)"])
            Thread.sleep(forTimeInterval: pause)
        }
        try setUpstreamIfMissing(branch: branch, remote: remote, remoteBranch: remoteBranch)
        try state.save()
        return report
    }

    /// Whether `branch` has never been synced: no upstream, or one this clone never synced with and has
    /// never fetched (`git clone` of a remote whose HEAD names a branch it lacks configures that branch).
    func neverSynced(branch: String, options: Options, git: GitCLI) throws -> Bool {
        guard let remote = store.git.configString("branch.\(branch).remote") else { return true }
        let (_, remoteBranch) = try resolveUpstream(branch: branch, requested: options.remote, git: git)
        let url = (try? git.check(["remote", "get-url", remote])) ?? remote
        guard SyncState(stateDir: store.stateDir).known("\(remote)/\(remoteBranch)", url: url) == nil else { return false }
        return try git.resolve("refs/remotes/\(remote)/\(remoteBranch)") == nil
    }

    /// Fetches the upstream only (for `cmem status --fetch`); returns the remote branch's commit, if any.
    @discardableResult
    public func fetch(_ options: Options = Options()) throws -> String? {
        let git = cli(options)
        guard let branch = store.git.currentBranch(), !branch.hasPrefix("refs/"), branch != "HEAD" else { throw SyncError.detachedHead }
        let (remote, remoteBranch) = try resolveUpstream(branch: branch, requested: options.remote, git: git)
        let url = (try? git.check(["remote", "get-url", remote])) ?? remote
        return try fetch(git, remote: remote, url: url, branch: remoteBranch, trackingRef: "refs/remotes/\(remote)/\(remoteBranch)",
                         timeout: options.networkTimeout)
    }

    // MARK: Steps

    /// Commits what is on disk but not committed: a write whose commit failed, or a human's edits.
    /// Editor scratch files and editor state (`EditorState`) are left alone; editor state an earlier
    /// version committed leaves git (the file stays on disk), and `.gitignore` gets cmem's block.
    func commitPending() throws -> [String] {
        let dirty: [String]
        var untracking: [String] = []
        do {
            _ = try store.migrateVaultFiles()
            let all = try store.git.dirtyPaths().map(\.path)
            PendingChanges.removeAbandoned(all, root: store.root)
            dirty = all.filter { !PendingChanges.isScratch($0) && !EditorState.isLocal($0) }.sorted()
            untracking = try store.git.trackedPaths(under: [".obsidian", ".trash"]).filter(EditorState.isLocal)
        } catch let error as GitError {
            throw StoreError.git(error)
        }
        guard !dirty.isEmpty || !untracking.isEmpty else { return [] }
        // A human's edit the pre-commit guard refused (a secret), or a conflict left unresolved, must not
        // reach the remote through cmem's commit either.
        let refusals = store.refusals(amongPending: dirty)
        if !refusals.isEmpty { throw SyncError.pendingRefused(refusals) }
        var message = "sync: pending changes (\(dirty.count) file\(dirty.count == 1 ? "" : "s"))\n\n"
        message += dirty.prefix(50).map { "- \($0)" }.joined(separator: "\n")
        if dirty.count > 50 { message += "\n- … and \(dirty.count - 50) more" }
        if !untracking.isEmpty {
            message += (dirty.isEmpty ? "" : "\n") + "editor state no longer shared (kept on this machine):\n"
            message += untracking.prefix(50).map { "- \($0)" }.joined(separator: "\n")
        }
        do {
            try store.git.commit(paths: dirty, untracking: untracking, message: message + "\n", author: store.author)
        } catch let error as GitError {
            throw StoreError.git(error)
        }
        logger.info("committed pending changes", metadata: ["sync.files": "\(dirty.count)"])
        return dirty
    }

    /// Fetches the remote branch into its remote-tracking ref; returns its commit, or nil when the remote
    /// has no such branch yet (a new, empty remote).
    func fetch(_ git: GitCLI, remote: String, url: String, branch: String, trackingRef: String, timeout: Double) throws -> String? {
        let args = ["fetch", "--no-tags", remote, "+refs/heads/\(branch):\(trackingRef)"]
        let out = try git.run(args, timeout: timeout)
        if out.timedOut { throw SyncError.timedOut(command: "git fetch \(remote)", seconds: timeout) }
        guard out.succeeded else {
            if out.stderr.contains("couldn't find remote ref") { return nil }
            throw classifyTransportFailure(out, remote: remote, url: url)
        }
        return try git.resolve(trackingRef)
    }

    func classifyTransportFailure(_ out: GitOutput, remote: String, url: String) -> SyncError {
        let text = out.stderr.lowercased()
        let detail = out.message.split(separator: "\n")
            .map { $0.hasPrefix("fatal: ") ? $0.dropFirst(7) : $0.hasPrefix("error: ") ? $0.dropFirst(7) : $0[...] }
            .filter { !$0.hasPrefix("Please make sure you have the correct access rights") && !$0.hasPrefix("and the repository exists") }
            .joined(separator: "; ")
        let auth = ["permission denied", "authentication failed", "could not read username", "could not read password",
                    "terminal prompts disabled", "host key verification failed", "the requested url returned error: 401",
                    "the requested url returned error: 403"]
        if auth.contains(where: text.contains) {
            return .authenticationFailed(remote: remote, url: url, detail: detail)
        }
        return .remoteUnreachable(remote: remote, url: url, detail: detail.isEmpty ? "git exited with status \(out.status)" : detail)
    }

    /// Merges the fetched commit into HEAD: nothing when already contained, a fast-forward when HEAD has
    /// nothing new, else a merge commit.
    func merge(_ git: GitCLI, remoteHead: String, name: String, allowUnrelated: Bool, report: inout Report) throws {
        let head = try git.resolve("HEAD")
        if let head {
            if head == remoteHead { return }
            if try git.isAncestor(remoteHead, of: head) == true { return }
        }
        var args = ["merge", "--no-edit", "-m", "sync: merge \(name)"]
        var fastForward = head == nil
        if let head {
            fastForward = try git.isAncestor(head, of: remoteHead) == true
            if !fastForward, !(try git.run(["merge-base", head, remoteHead]).succeeded) {
                guard allowUnrelated else {
                    let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
                    throw SyncError.unrelatedHistories(remote: parts.first ?? name, branch: parts.last ?? "")
                }
                args.append("--allow-unrelated-histories")
            }
            report.incoming = Int((try? git.check(["rev-list", "--count", "\(head)..\(remoteHead)"])) ?? "") ?? 0
            report.changedPaths = (try? git.check(["diff", "--name-only", "-z", head, remoteHead]))
                .map { $0.split(separator: "\0").map(String.init) } ?? []
        }
        args.append(remoteHead)
        let out = try git.run(args)
        report.mergeNotes += out.stderr.split(separator: "\n").filter { $0.hasPrefix("cmem merge-driver: ") }
            .map { String($0.dropFirst("cmem merge-driver: ".count)) }
        if out.succeeded {
            report.merge = fastForward ? .fastForward : .merged
            logger.info("merged", metadata: ["sync.from": "\(name)", "sync.kind": "\(report.merge.rawValue)"])
            return
        }
        if FileManager.default.fileExists(atPath: gitDir + "/MERGE_HEAD") {
            let conflicts = try SyncStatus.unmergedPaths(git)
            if !conflicts.isEmpty {
                let rest = try keepLateDays(conflicts, git, report: &report)
                if rest.isEmpty, try git.run(["commit", "--no-edit", "-q"]).succeeded {
                    report.merge = .merged
                    return
                }
                throw SyncError.conflicts(paths: rest.isEmpty ? conflicts : rest, merging: name)
            }
        }
        let message = out.message.isEmpty ? out.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : out.message
        if message.contains("would be overwritten") || message.contains("untracked working tree files") {
            throw SyncError.localChangesInTheWay(detail: message)
        }
        throw SyncError.git(command: "git merge \(name)", status: out.status, message: message)
    }

    /// A day file one side removed (retention rolled it into its month's summary) while the other added events
    /// to it (a clone offline since): the file is kept, with every event, and the next retention run rolls it
    /// into the summary again, counting only the events the summary did not have. Returns the conflicts left.
    func keepLateDays(_ conflicts: [String], _ git: GitCLI, report: inout Report) throws -> [String] {
        var rest: [String] = []
        for path in conflicts {
            let parts = path.split(separator: "/")
            let isDay = parts.count == 4 && parts[0] == "timeline" && parts[3].count == 13 && parts[3].hasSuffix(".md")
            let stages = isDay ? ((try? git.check(["ls-files", "-u", "-z", "--", path])) ?? "") : ""
            let numbers = Set(stages.split(separator: "\0").compactMap { $0.split(separator: "\t").first?.split(separator: " ").last })
            let modifiedAndDeleted = numbers.contains("1") && numbers.contains("2") != numbers.contains("3")
            guard isDay, modifiedAndDeleted, FileManager.default.fileExists(atPath: store.root + "/" + path),
                  try git.run(["add", "--", path]).succeeded else {
                rest.append(path)
                continue
            }
            report.mergeNotes.append("\(path): removed by retention on one side, added to on the other; kept with every event "
                + "(the next `cmem retention apply` rolls it into its month's summary)")
        }
        return rest
    }

    /// Pushes `commit` to the remote branch. Returns false when the push was rejected because the remote
    /// moved (someone else pushed): the caller fetches and merges again.
    func push(_ git: GitCLI, remote: String, url: String, commit: String, branch: String, timeout: Double) throws -> Bool {
        let out = try git.run(["push", "--porcelain", remote, "\(commit):refs/heads/\(branch)"], timeout: timeout)
        if out.timedOut { throw SyncError.timedOut(command: "git push \(remote)", seconds: timeout) }
        if out.succeeded { return true }
        let refLines = out.stdout.split(separator: "\n").filter { $0.hasPrefix("!") }
        if let line = refLines.first {
            let summary = line.split(separator: "\t").last.map(String.init) ?? String(line)
            if summary.contains("[rejected]"), summary.contains("fetch first") || summary.contains("non-fast-forward") {
                return false
            }
            // Two pushes raced on the server: the other one updated the branch between our look and our
            // update ("cannot lock ref 'refs/heads/main': is at X but expected Y"). The remote moved, too.
            let raced = ["cannot lock ref", "failed to update ref", "failed to lock", "but expected", "incorrect old value"]
            if summary.contains("[remote rejected]"), raced.contains(where: { summary.contains($0) || out.stderr.contains($0) }) {
                return false
            }
            var reason = summary.replacingOccurrences(of: "[remote rejected] ", with: "")
                .replacingOccurrences(of: "[rejected] ", with: "")
            if reason.hasPrefix("("), reason.hasSuffix(")") { reason = String(reason.dropFirst().dropLast()) }
            let remoteSaid = out.stderr.split(separator: "\n").filter { $0.hasPrefix("remote: ") }
                .map { $0.dropFirst(8).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if !remoteSaid.isEmpty { reason += " (the remote said: \(remoteSaid.joined(separator: " / ")))" }
            throw SyncError.pushRefused(remote: remote, url: url, reason: reason)
        }
        throw classifyTransportFailure(out, remote: remote, url: url)
    }

    // MARK: Remotes

    /// The remote and remote branch to sync with.
    func resolveUpstream(branch: String, requested: String?, git: GitCLI) throws -> (String, String) {
        let remotes = try Remotes.names(git)
        let configured = store.git.configString("branch.\(branch).remote")
        let merge = store.git.configString("branch.\(branch).merge").map {
            $0.hasPrefix("refs/heads/") ? String($0.dropFirst("refs/heads/".count)) : $0
        }
        if let requested {
            guard remotes.contains(requested) else { throw SyncError.unknownRemote(requested) }
            return (requested, requested == configured ? merge ?? branch : branch)
        }
        if let configured, remotes.contains(configured) { return (configured, merge ?? branch) }
        if remotes.contains("origin") { return ("origin", branch) }
        if remotes.count == 1 { return (remotes[0], branch) }
        if remotes.isEmpty { throw SyncError.noRemote }
        throw SyncError.unknownRemote("(several remotes: \(remotes.joined(separator: ", ")); choose one with --remote)")
    }

    /// Records the upstream so that plain `git pull`, `git push` and `git status` know it too.
    func setUpstreamIfMissing(branch: String, remote: String, remoteBranch: String) throws {
        guard store.git.configString("branch.\(branch).remote") == nil else { return }
        do {
            try store.git.setConfig("branch.\(branch).remote", remote)
            try store.git.setConfig("branch.\(branch).merge", "refs/heads/\(remoteBranch)")
        } catch let error as GitError {
            throw StoreError.git(error)
        }
    }
}

/// Files a sync never commits on its own: editors' swap and backup files, and `cmem`'s own temporary files.
enum PendingChanges {
    static func isScratch(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        if name == ".DS_Store" || name.hasPrefix(".#") || (name.hasPrefix("#") && name.hasSuffix("#")) { return true }
        if name.hasSuffix("~") || name.hasSuffix(".swp") || name.hasSuffix(".swo") || name.hasSuffix(".swx") { return true }
        if name.hasPrefix("."), name.contains(".cmem-"), name.hasSuffix(".tmp") { return true }
        return false
    }

    /// The pid in the name of a cmem temporary file (`.NAME.cmem-PID-RAND.tmp`, `….old.tmp`), if it is one.
    static func writerPID(_ path: String) -> pid_t? {
        let name = (path as NSString).lastPathComponent
        guard name.hasPrefix("."), name.hasSuffix(".tmp"), let marker = name.range(of: ".cmem-", options: .backwards) else { return nil }
        let rest = name[marker.upperBound...].split(separator: "-", maxSplits: 1)
        guard rest.count == 2 else { return nil }
        return pid_t(rest[0])
    }

    /// Removes the temporary files of cmem writers that no longer run (killed mid-write): a live
    /// writer's are left alone. They never hold anything a write acknowledged.
    static func removeAbandoned(_ paths: [String], root: String) {
        for path in paths {
            guard let pid = writerPID(path), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(root + "/" + path)
        }
    }
}
