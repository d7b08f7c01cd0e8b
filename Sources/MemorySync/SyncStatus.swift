import Foundation
import GitKit
import MemoryModel
import MemoryStore

/// `cmem status`: where this clone stands against its remote, what is not committed yet, and the
/// conflicts that need a human (none, normally). Reads local state only; ahead/behind are as of the last
/// fetch unless `fetch` is asked for.
public struct SyncStatus: Sendable {
    public var branch: String?
    /// `origin/main`, when the branch has an upstream (or a remote branch of the same name exists).
    public var upstream: String?
    public var remoteURL: String?
    public var ahead: Int?
    public var behind: Int?
    /// Changed paths not committed yet (a sync commits them).
    public var pending: [String] = []
    /// Paths with unresolved merge conflicts.
    public var conflicts: [String] = []
    public var mergeInProgress = false
    public var mergeDriversConfigured = false
    /// When this clone last synced with the upstream, and the commit both sides then had.
    public var lastSync: String?
    public var lastSyncCommit: String?
    /// Symbolic links in the working tree: cmem refuses to read or write through them.
    public var links: [String] = []
    /// Uncommitted files that still hold conflict markers (a conflict marked resolved too early): cmem
    /// commits none of them.
    public var markers: [String] = []
    /// git lock files present now (`.git/index.lock`, a branch's `.lock`), and whether a live process may
    /// hold them; one a dead writer left is removed by the next cmem write.
    public var locks: [(path: String, live: Bool)] = []

    public static func read(store: MemoryStore) throws -> SyncStatus {
        let git = GitCLI(directory: store.root, environment: ["LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"])
        var status = SyncStatus()
        status.mergeDriversConfigured = MergeDriverSetup.isConfigured(repository: store.git)
        status.mergeInProgress = FileManager.default.fileExists(atPath: store.git.gitDir + "/MERGE_HEAD")
        status.links = store.symbolicLinks()
        status.locks = store.git.presentLocks().map { ($0.path, $0.holder == .live) }
        let out = try git.run(["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all"])
        guard out.succeeded else {
            throw SyncError.git(command: "git status", status: out.status, message: out.message)
        }
        let tokens = out.stdout.split(separator: "\0", omittingEmptySubsequences: true)
        var i = 0
        while i < tokens.count {
            let t = tokens[i]
            i += 1
            if t.hasPrefix("# branch.head ") {
                let b = String(t.dropFirst("# branch.head ".count))
                status.branch = b == "(detached)" ? nil : b
            } else if t.hasPrefix("# branch.upstream ") {
                status.upstream = String(t.dropFirst("# branch.upstream ".count))
            } else if t.hasPrefix("# branch.ab ") {
                let parts = t.dropFirst("# branch.ab ".count).split(separator: " ")
                if parts.count == 2 {
                    status.ahead = Int(parts[0].dropFirst())
                    status.behind = Int(parts[1].dropFirst())
                }
            } else if t.hasPrefix("1 ") {
                if let p = field(t, after: 8) { status.pending.append(p) }
            } else if t.hasPrefix("2 ") {
                if let p = field(t, after: 9) { status.pending.append(p) }
                i += 1 // the original path of a rename
            } else if t.hasPrefix("u ") {
                if let p = field(t, after: 10) { status.conflicts.append(p) }
            } else if t.hasPrefix("? ") {
                status.pending.append(String(t.dropFirst(2)))
            }
        }
        status.pending = status.pending.filter { !PendingChanges.isScratch($0) && !EditorState.isLocal($0) }
        status.markers = status.pending.filter { path in
            (try? AtomicFile.read(store.root + "/" + path)).flatMap { $0.flatMap(ConflictMarkers.line(in:)) } != nil
        }
        if let upstream = status.upstream, let remote = upstream.split(separator: "/").first {
            status.remoteURL = try? git.check(["remote", "get-url", String(remote)])
        } else if let branch = status.branch {
            // No upstream yet (never synced): compare with the remote branch of the same name, if fetched.
            let remotes = (try? Remotes.names(git)) ?? []
            if let remote = remotes.contains("origin") ? "origin" : remotes.first {
                status.remoteURL = try? git.check(["remote", "get-url", remote])
                if try git.resolve("refs/remotes/\(remote)/\(branch)") != nil {
                    status.upstream = "\(remote)/\(branch)"
                    let counts = (try? git.check(["rev-list", "--left-right", "--count", "HEAD...refs/remotes/\(remote)/\(branch)"]))?
                        .split(whereSeparator: { $0 == "\t" || $0 == " " }).compactMap { Int($0) } ?? []
                    if counts.count == 2 { status.ahead = counts[0]; status.behind = counts[1] }
                }
            }
        }
        if let upstream = status.upstream {
            let state = SyncState(stateDir: store.stateDir)
            if let entry = state.remotes[upstream] {
                status.lastSync = entry.time
                status.lastSyncCommit = entry.commit
            }
        }
        return status
    }

    /// The path after `count` space-separated fields (paths may contain spaces).
    private static func field(_ token: Substring, after count: Int) -> String? {
        let parts = token.split(separator: " ", maxSplits: count, omittingEmptySubsequences: false)
        return parts.count == count + 1 ? String(parts[count]) : nil
    }

    /// Paths with unmerged (conflicted) index entries.
    static func unmergedPaths(_ git: GitCLI) throws -> [String] {
        let out = try git.run(["diff", "--name-only", "--diff-filter=U", "-z"])
        guard out.succeeded else { throw SyncError.git(command: "git diff --diff-filter=U", status: out.status, message: out.message) }
        return Array(Set(out.stdout.split(separator: "\0").map(String.init))).sorted()
    }

    public var json: JSONValue {
        func int(_ v: Int?) -> JSONValue { v.map { .number(Double($0)) } ?? .null }
        func str(_ v: String?) -> JSONValue { v.map { .string($0) } ?? .null }
        return .object([
            ("branch", str(branch)), ("upstream", str(upstream)), ("remote_url", str(remoteURL)),
            ("ahead", int(ahead)), ("behind", int(behind)),
            ("pending", .array(pending.map { .string($0) })),
            ("conflicts", .array(conflicts.map { .string($0) })),
            ("merge_in_progress", .bool(mergeInProgress)),
            ("merge_drivers_configured", .bool(mergeDriversConfigured)),
            ("last_sync", str(lastSync)), ("last_sync_commit", str(lastSyncCommit)),
            ("links", .array(links.map { .string($0) })),
            ("conflict_markers", .array(markers.map { .string($0) })),
            ("locks", .array(locks.map { .object([("path", .string($0.path)), ("held_by_live_process", .bool($0.live))]) })),
        ])
    }
}

/// The git remotes of a memory repository (`cmem remote`), managed through `git remote`, so that a
/// remote added with plain git is the same thing.
public enum Remotes {
    public struct Remote: Sendable, Equatable {
        public let name: String
        public let url: String
    }

    static func names(_ git: GitCLI) throws -> [String] {
        try git.check(["remote"]).split(separator: "\n").map(String.init)
    }

    public static func list(repository: String) throws -> [Remote] {
        let git = GitCLI(directory: repository, environment: ["LC_ALL": "C"])
        return try names(git).map { Remote(name: $0, url: (try? git.check(["remote", "get-url", $0])) ?? "") }
    }

    public static func add(repository: String, name: String, url: String) throws {
        try validate(name)
        guard !url.isEmpty else { throw SyncError.io("the remote URL is empty") }
        let git = GitCLI(directory: repository, environment: ["LC_ALL": "C"])
        if try names(git).contains(name) {
            throw SyncError.io("a remote named \(name) already exists (\((try? git.check(["remote", "get-url", name])) ?? "")); "
                + "use `cmem remote set-url \(name) URL` to change it")
        }
        try git.check(["remote", "add", name, url])
    }

    public static func setURL(repository: String, name: String, url: String) throws {
        try validate(name)
        let git = GitCLI(directory: repository, environment: ["LC_ALL": "C"])
        guard try names(git).contains(name) else { throw SyncError.unknownRemote(name) }
        try git.check(["remote", "set-url", name, url])
    }

    public static func remove(repository: String, name: String) throws {
        try validate(name)
        let git = GitCLI(directory: repository, environment: ["LC_ALL": "C"])
        guard try names(git).contains(name) else { throw SyncError.unknownRemote(name) }
        try git.check(["remote", "remove", name])
    }

    static func validate(_ name: String) throws {
        guard Identifier.isSafeName(name, maxLength: 64) else {
            throw ValidationError("remote name \(JSONValue.quoted(name)) is not valid: use letters, digits, '.', '_' or '-'")
        }
    }
}
