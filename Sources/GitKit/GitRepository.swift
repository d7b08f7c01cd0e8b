import CLibGit2
import Foundation

/// Owns one `git_repository` handle. Not thread-safe: one thread at a time, as libgit2 requires;
/// the store serialises access behind its own lock.
public final class GitRepository {
    private let repository: RepositoryHandle
    var handle: OpaquePointer { repository.pointer }
    public let workdir: String
    public let gitDir: String
    /// Tests only: runs just before `commit(files:)` moves HEAD, to let another writer move it first.
    var beforeMovingHead: (() -> Void)?
    /// Set by a caller that holds cmem's own write lock while it commits: no cmem writer can then hold a
    /// git lock, so one left by a dead process may be removed (`awaitCommitLocks`).
    public var recoversStaleLocks = false

    /// Opens the repository whose working tree is exactly `path` (no discovery upwards: writing into
    /// a parent repository by accident would be a bad surprise).
    public init(path: String) throws {
        ensureLibgit2()
        repository = try RepositoryHandle(opening: path, flags: GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue)
        workdir = git_repository_workdir(repository.pointer).map { String(cString: $0) } ?? path
        gitDir = String(cString: git_repository_path(repository.pointer))
        preferFastLooseObjects()
    }

    /// libgit2 compresses loose objects at zlib's default level; git itself uses level 1
    /// (core.loosecompression). Day files are large and rewritten on every append, so write new objects
    /// through a level-1 loose backend placed in front of the default one. Reads are unaffected.
    /// Best effort: without it, objects are written at the default level.
    private func preferFastLooseObjects() {
        guard let odb = try? ObjectDatabaseHandle(of: handle) else { return }
        try? odb.addLooseBackend(objectsDir: gitDir + "objects", level: 1, priority: 100)
    }

    /// Creates a new non-bare repository whose first branch is `main`, or opens the existing one.
    public static func createOrOpen(at path: String) throws -> GitRepository {
        ensureLibgit2()
        if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(".git")) {
            return try GitRepository(path: path)
        }
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
                  function: "git_repository_init_options_init")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue
        try "main".withCString { head in
            options.initial_head = head
            // Created, closed, and opened again below as every repository is.
            _ = try RepositoryHandle(creating: path, options: &options)
        }
        return try GitRepository(path: path)
    }

    // MARK: HEAD

    /// The commit HEAD points at, or nil on an unborn branch.
    public func head() throws -> ObjectID? {
        var oid = git_oid()
        let rc = git_reference_name_to_id(&oid, handle, "HEAD")
        switch GitError.Code(rawValue: rc) {
        case .notFound, .unbornBranch: return nil
        default: try check(rc, function: "git_reference_name_to_id")
        }
        return ObjectID(oid)
    }

    /// The short name of the current branch ("main"), or nil when detached.
    public func currentBranch() -> String? {
        guard let head = try? ReferenceHandle(lookup: "HEAD", in: handle), let name = head.symbolicTarget else { return nil }
        return name.hasPrefix("refs/heads/") ? String(name.dropFirst("refs/heads/".count)) : name
    }

    // MARK: Committing

    /// Stages exactly `paths` (relative to the working tree; a missing file is staged as a deletion) and
    /// commits them on HEAD. Returns nil, making no commit, when the resulting tree equals HEAD's:
    /// an unchanged write must not add noise to `git log`. `untracking` paths leave the index and the tree
    /// while their files stay in the working tree (`git rm --cached`).
    @discardableResult
    public func commit(paths: [String], untracking: [String] = [], message: String, author: Signature, allowEmpty: Bool = false) throws -> ObjectID? {
        try awaitCommitLocks()
        let index = try IndexHandle.fresh(of: handle)
        // Adding a conflicted path would resolve the conflict with whatever the file holds, markers and all.
        if let conflicted = paths.first(where: { index.isConflicted(path: $0) }) {
            throw GitError(code: .unmerged, errorClass: .index,
                           message: "\(conflicted) has an unresolved merge conflict", function: "commit(paths:)")
        }
        for path in paths {
            let full = (workdir as NSString).appendingPathComponent(path)
            if FileManager.default.fileExists(atPath: full) {
                try index.add(path: path)
            } else {
                try index.remove(path: path)
            }
        }
        for path in untracking where !paths.contains(path) { try index.remove(path: path) }
        let paths = paths + untracking.filter { !paths.contains($0) }
        // HEAD's tree with exactly these paths replaced: what a human staged on other paths (perhaps a
        // secret the pre-commit guard refused) is neither committed nor disturbed.
        let headID = try head()
        let baseline: TreeHandle
        if let headID { baseline = try self.tree(of: headID) } else { baseline = try TreeHandle.empty(in: handle) }
        let names = paths.map { strdup($0) }
        defer { names.forEach { free($0) } }
        var updates: [git_tree_update] = []
        for (i, path) in paths.enumerated() {
            if let entry = index.entry(path: path) {
                updates.append(git_tree_update(action: GIT_TREE_UPDATE_UPSERT, id: entry.id, filemode: entry.mode, path: UnsafePointer(names[i])))
            } else if try baseline.entry(atPath: path) != nil {
                updates.append(git_tree_update(action: GIT_TREE_UPDATE_REMOVE, id: git_oid(), filemode: GIT_FILEMODE_BLOB, path: UnsafePointer(names[i])))
            }
        }
        let tree = try TreeHandle(lookup: try baseline.updated(with: &updates, in: handle), in: handle)
        // The commit first, the index after: should the commit fail, the index on disk is as it was.
        let commit: ObjectID?
        if let headID {
            let parent = try CommitHandle(lookup: headID.raw, in: handle)
            if !allowEmpty, sameID(parent.treeID, tree.id) {
                commit = nil
            } else {
                let signature = try SignatureHandle(now: author)
                commit = ObjectID(try commitDurably(tree: tree, parent: parent.pointer, parentTree: parent.treeID, expected: parent.id,
                                                    author: signature, message: message))
            }
        } else {
            let signature = try SignatureHandle(now: author)
            commit = ObjectID(try commitDurably(tree: tree, parent: nil, parentTree: nil, expected: nil, author: signature, message: message))
        }
        try withRetryOnLock { try index.write() }
        if let failure = DurableFiles.sync([gitDir + "index"], folders: [gitDir]) { throw failure }
        return commit
    }

    /// Sets the index format version. Version 4 stores each path as a difference from the previous one:
    /// a third smaller for a memory's long, similar note paths, and every write rewrites the index.
    public func setIndexVersion(_ version: UInt32) throws {
        let index = try IndexHandle.fresh(of: handle)
        try index.setVersion(version)
        try withRetryOnLock { try index.write() }
    }

    /// A human's `git` holding index.lock is transient; wait briefly rather than fail a write.
    private func withRetryOnLock(_ body: () throws -> Void) throws {
        var attempt = 0
        while true {
            do {
                try body()
                return
            } catch GitError.Code.locked where attempt < 50 {
                attempt += 1
                usleep(20_000)
            }
        }
    }

    // MARK: Reading history

    /// Commits reachable from HEAD, newest first. With `path`, only those whose tree entry for `path`
    /// differs from their first parent's (the commits that wrote that file).
    public func log(path: String? = nil, limit: Int = 50, matching: ((CommitInfo) -> Bool)? = nil) throws -> [CommitInfo] {
        guard try head() != nil else { return [] }
        let walk = try RevisionWalkHandle(in: handle)
        try walk.sort(GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        try walk.pushHead()
        var result: [CommitInfo] = []
        while result.count < limit, let oid = try walk.next() {
            let commit = try CommitHandle(lookup: oid, in: handle)
            if let path, !(try commitTouches(commit, path: path)) { continue }
            let info = commit.info(id: oid)
            if let matching, !matching(info) { continue }
            result.append(info)
        }
        return result
    }

    public func commitInfo(_ id: ObjectID) throws -> CommitInfo {
        let raw = id.raw
        return try CommitHandle(lookup: raw, in: handle).info(id: raw)
    }

    private func commitTouches(_ commit: borrowing CommitHandle, path: String) throws -> Bool {
        let mine = try entryID(commit: commit, path: path)
        if commit.parentCount == 0 { return mine != nil }
        let theirs = try entryID(commit: CommitHandle(parent: 0, of: commit), path: path)
        return mine != theirs
    }

    private func entryID(commit: borrowing CommitHandle, path: String) throws -> ObjectID? {
        try commit.tree().entry(atPath: path).map { ObjectID($0.id) }
    }

    /// The bytes of `path` as committed in `commit`, or nil if the path did not exist there.
    public func blob(at commit: ObjectID, path: String) throws -> [UInt8]? {
        guard let blobID = try entryID(commit: CommitHandle(lookup: commit.raw, in: handle), path: path) else { return nil }
        return try BlobHandle(lookup: blobID.raw, in: handle).bytes
    }

    // MARK: Diffs

    /// Paths that differ between two commits' trees (`from` nil means the empty tree).
    public func changedPaths(from: ObjectID?, to: ObjectID) throws -> [ChangedPath] {
        let newTree = try tree(of: to)
        guard let from else { return try DiffHandle(toEmptyFrom: newTree, in: handle).changedPaths }
        return try DiffHandle(from: tree(of: from), to: newTree, in: handle).changedPaths
    }

    /// Paths whose working-tree content differs from HEAD, including untracked files:
    /// a note a human just saved and has not committed.
    public func dirtyPaths() throws -> [ChangedPath] {
        var options = git_status_options()
        try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), function: "git_status_options_init")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        return try StatusListHandle(in: handle, options: &options).changedPaths
    }

    func tree(of commit: ObjectID) throws -> TreeHandle {
        try CommitHandle(lookup: commit.raw, in: handle).tree()
    }

    // MARK: Config

    public func setConfig(_ key: String, _ value: String) throws {
        try ConfigHandle(of: handle).set(key, value)
    }

    public func configString(_ key: String) -> String? {
        (try? ConfigHandle(snapshotOf: handle))?.string(key)
    }

    /// The user's git identity (user.name / user.email from any config level), if set.
    public func defaultSignature() -> Signature? {
        (try? SignatureHandle(defaultFor: handle))?.value
    }
}
