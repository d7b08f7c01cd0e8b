import CLibGit2
import Foundation

/// Owns one `git_repository` handle. Not thread-safe: one thread at a time, as libgit2 requires;
/// the store serialises access behind its own lock.
public final class GitRepository {
    let handle: OpaquePointer
    public let workdir: String
    public let gitDir: String
    /// Tests only: runs just before `commit(files:)` moves HEAD, to let another writer move it first.
    var beforeMovingHead: (() -> Void)?

    /// Opens the repository whose working tree is exactly `path` (no discovery upwards: writing into
    /// a parent repository by accident would be a bad surprise).
    public init(path: String) throws {
        ensureLibgit2()
        var repo: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        do {
            try check(git_repository_open_ext(&repo, path, flags, nil), function: "git_repository_open_ext")
        } catch {
            if let repo { git_repository_free(repo) }
            throw error
        }
        guard let repo else { throw GitError(code: .generic, message: "no repository at \(path)", function: "git_repository_open_ext") }
        handle = repo
        workdir = git_repository_workdir(repo).map { String(cString: $0) } ?? path
        gitDir = String(cString: git_repository_path(repo))
        preferFastLooseObjects()
    }

    /// libgit2 compresses loose objects at zlib's default level; git itself uses level 1
    /// (core.loosecompression). Day files are large and rewritten on every append, so write new objects
    /// through a level-1 loose backend placed in front of the default one. Reads are unaffected.
    private func preferFastLooseObjects() {
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, handle) == 0, let odb else { return }
        defer { git_odb_free(odb) }
        var backend: UnsafeMutablePointer<git_odb_backend>?
        guard git_odb_backend_loose(&backend, gitDir + "objects", 1, 0, 0, 0) == 0, let backend else { return }
        if git_odb_add_backend(odb, backend, 100) != 0 {
            backend.pointee.free?(backend)
        }
    }

    deinit {
        git_repository_free(handle)
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
        var repo: OpaquePointer?
        let rc = "main".withCString { head -> Int32 in
            options.initial_head = head
            return git_repository_init_ext(&repo, path, &options)
        }
        if let repo { git_repository_free(repo) }
        try check(rc, function: "git_repository_init_ext")
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
        var ref: OpaquePointer?
        defer { if let ref { git_reference_free(ref) } }
        guard git_reference_lookup(&ref, handle, "HEAD") == 0, let ref else { return nil }
        guard let target = git_reference_symbolic_target(ref) else { return nil }
        let name = String(cString: target)
        return name.hasPrefix("refs/heads/") ? String(name.dropFirst("refs/heads/".count)) : name
    }

    // MARK: Committing

    /// Stages exactly `paths` (relative to the working tree; a missing file is staged as a deletion) and
    /// commits them on HEAD. Returns nil, making no commit, when the resulting tree equals HEAD's:
    /// an unchanged write must not add noise to `git log`.
    @discardableResult
    public func commit(paths: [String], message: String, author: Signature, allowEmpty: Bool = false) throws -> ObjectID? {
        let index = try openIndex()
        defer { git_index_free(index) }
        for path in paths {
            let full = (workdir as NSString).appendingPathComponent(path)
            if FileManager.default.fileExists(atPath: full) {
                try check(git_index_add_bypath(index, path), function: "git_index_add_bypath")
            } else {
                _ = try checkFound(git_index_remove_bypath(index, path), function: "git_index_remove_bypath")
            }
        }
        try withRetryOnLock { try check(git_index_write(index), function: "git_index_write") }
        var treeOid = git_oid()
        try check(git_index_write_tree(&treeOid, index), function: "git_index_write_tree")
        return try commitTree(treeOid, message: message, author: author, allowEmpty: allowEmpty)
    }

    private func commitTree(_ treeOid: git_oid, message: String, author: Signature, allowEmpty: Bool) throws -> ObjectID? {
        var treeOid = treeOid
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, handle, &treeOid), function: "git_tree_lookup")
        defer { git_tree_free(tree) }

        var parent: OpaquePointer?
        defer { if let parent { git_commit_free(parent) } }
        if let headID = try head() {
            var raw = headID.raw
            try check(git_commit_lookup(&parent, handle, &raw), function: "git_commit_lookup")
            if !allowEmpty, let parent, let parentTree = git_commit_tree_id(parent),
               git_oid_equal(parentTree, &treeOid) != 0 {
                return nil
            }
        }
        var signature: UnsafeMutablePointer<git_signature>?
        try check(git_signature_now(&signature, author.name, author.email), function: "git_signature_now")
        defer { git_signature_free(signature) }

        var commitOid = git_oid()
        var parents: [OpaquePointer?] = parent.map { [$0] } ?? []
        let rc = parents.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(&commitOid, handle, "HEAD", signature, signature, "UTF-8", message, tree,
                              buffer.count, buffer.baseAddress)
        }
        try check(rc, function: "git_commit_create")
        return ObjectID(commitOid)
    }

    /// Sets the index format version. Version 4 stores each path as a difference from the previous one:
    /// a third smaller for a memory's long, similar note paths, and every write rewrites the index.
    public func setIndexVersion(_ version: UInt32) throws {
        let index = try openIndex()
        defer { git_index_free(index) }
        try check(git_index_set_version(index, version), function: "git_index_set_version")
        try withRetryOnLock { try check(git_index_write(index), function: "git_index_write") }
    }

    private func openIndex() throws -> OpaquePointer {
        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), function: "git_repository_index")
        guard let index else { throw GitError(code: .generic, message: "no index", function: "git_repository_index") }
        // Another process may have committed since this handle last looked: always start from disk.
        let rc = git_index_read(index, 0)
        if rc < 0 {
            git_index_free(index)
            try check(rc, function: "git_index_read")
        }
        return index
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
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, handle), function: "git_revwalk_new")
        defer { git_revwalk_free(walk) }
        try check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), function: "git_revwalk_sorting")
        try check(git_revwalk_push_head(walk), function: "git_revwalk_push_head")
        var result: [CommitInfo] = []
        var oid = git_oid()
        while result.count < limit {
            let rc = git_revwalk_next(&oid, walk)
            if rc == GitError.Code.iterationOver.rawValue { break }
            try check(rc, function: "git_revwalk_next")
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, handle, &oid), function: "git_commit_lookup")
            defer { git_commit_free(commit) }
            if let path, !(try commitTouches(commit!, path: path)) { continue }
            let info = commitInfo(commit!, oid: oid)
            if let matching, !matching(info) { continue }
            result.append(info)
        }
        return result
    }

    public func commitInfo(_ id: ObjectID) throws -> CommitInfo {
        var raw = id.raw
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &raw), function: "git_commit_lookup")
        defer { git_commit_free(commit) }
        return commitInfo(commit!, oid: raw)
    }

    private func commitInfo(_ commit: OpaquePointer, oid: git_oid) -> CommitInfo {
        let author = git_commit_author(commit)!.pointee
        return CommitInfo(
            id: ObjectID(oid),
            authorName: author.name.map { String(cString: $0) } ?? "",
            authorEmail: author.email.map { String(cString: $0) } ?? "",
            time: author.when.time,
            message: git_commit_message(commit).map { String(cString: $0) } ?? ""
        )
    }

    private func commitTouches(_ commit: OpaquePointer, path: String) throws -> Bool {
        let mine = try entryID(commit: commit, path: path)
        if git_commit_parentcount(commit) == 0 { return mine != nil }
        var parent: OpaquePointer?
        try check(git_commit_parent(&parent, commit, 0), function: "git_commit_parent")
        defer { git_commit_free(parent) }
        let theirs = try entryID(commit: parent!, path: path)
        return mine != theirs
    }

    private func entryID(commit: OpaquePointer, path: String) throws -> ObjectID? {
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), function: "git_commit_tree")
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        guard try checkFound(git_tree_entry_bypath(&entry, tree, path), function: "git_tree_entry_bypath") else { return nil }
        defer { git_tree_entry_free(entry) }
        return ObjectID(git_tree_entry_id(entry)!.pointee)
    }

    /// The bytes of `path` as committed in `commit`, or nil if the path did not exist there.
    public func blob(at commit: ObjectID, path: String) throws -> [UInt8]? {
        var raw = commit.raw
        var c: OpaquePointer?
        try check(git_commit_lookup(&c, handle, &raw), function: "git_commit_lookup")
        defer { git_commit_free(c) }
        guard var blobID = try entryID(commit: c!, path: path)?.raw else { return nil }
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, handle, &blobID), function: "git_blob_lookup")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }

    // MARK: Diffs

    /// Paths that differ between two commits' trees (`from` nil means the empty tree).
    public func changedPaths(from: ObjectID?, to: ObjectID) throws -> [ChangedPath] {
        let newTree = try tree(of: to)
        defer { git_tree_free(newTree) }
        let oldTree = try from.map { try tree(of: $0) }
        defer { if let oldTree { git_tree_free(oldTree) } }
        var diff: OpaquePointer?
        try check(git_diff_tree_to_tree(&diff, handle, oldTree, newTree, nil), function: "git_diff_tree_to_tree")
        defer { git_diff_free(diff) }
        return deltas(diff!)
    }

    /// Paths whose working-tree content differs from HEAD, including untracked files:
    /// a note a human just saved and has not committed.
    public func dirtyPaths() throws -> [ChangedPath] {
        var options = git_status_options()
        try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), function: "git_status_options_init")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        var list: OpaquePointer?
        try check(git_status_list_new(&list, handle, &options), function: "git_status_list_new")
        defer { git_status_list_free(list) }
        var result: [ChangedPath] = []
        for i in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, i)?.pointee else { continue }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            guard let delta else { continue }
            let file = delta.pointee.new_file.path ?? delta.pointee.old_file.path
            guard let file else { continue }
            let status = entry.status.rawValue
            let kind: ChangedPath.Kind
            if status & (GIT_STATUS_WT_DELETED.rawValue | GIT_STATUS_INDEX_DELETED.rawValue) != 0 {
                kind = .deleted
            } else if status & (GIT_STATUS_WT_NEW.rawValue | GIT_STATUS_INDEX_NEW.rawValue) != 0 {
                kind = .added
            } else {
                kind = .modified
            }
            result.append(ChangedPath(path: String(cString: file), kind: kind))
        }
        return result
    }

    private func tree(of commit: ObjectID) throws -> OpaquePointer {
        var raw = commit.raw
        var c: OpaquePointer?
        try check(git_commit_lookup(&c, handle, &raw), function: "git_commit_lookup")
        defer { git_commit_free(c) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, c), function: "git_commit_tree")
        return tree!
    }

    private func deltas(_ diff: OpaquePointer) -> [ChangedPath] {
        var result: [ChangedPath] = []
        for i in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, i)?.pointee else { continue }
            switch delta.status {
            case GIT_DELTA_ADDED:
                result.append(ChangedPath(path: String(cString: delta.new_file.path), kind: .added))
            case GIT_DELTA_DELETED:
                result.append(ChangedPath(path: String(cString: delta.old_file.path), kind: .deleted))
            case GIT_DELTA_RENAMED:
                result.append(ChangedPath(path: String(cString: delta.old_file.path), kind: .deleted))
                result.append(ChangedPath(path: String(cString: delta.new_file.path), kind: .added))
            default:
                result.append(ChangedPath(path: String(cString: delta.new_file.path), kind: .modified))
            }
        }
        return result
    }

    // MARK: Config

    public func setConfig(_ key: String, _ value: String) throws {
        var config: OpaquePointer?
        try check(git_repository_config(&config, handle), function: "git_repository_config")
        defer { git_config_free(config) }
        try check(git_config_set_string(config, key, value), function: "git_config_set_string")
    }

    public func configString(_ key: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, handle) == 0 else { return nil }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, key) == 0, let value else { return nil }
        return String(cString: value)
    }

    /// The user's git identity (user.name / user.email from any config level), if set.
    public func defaultSignature() -> Signature? {
        var signature: UnsafeMutablePointer<git_signature>?
        guard git_signature_default(&signature, handle) == 0, let signature else { return nil }
        defer { git_signature_free(signature) }
        return Signature(name: String(cString: signature.pointee.name), email: String(cString: signature.pointee.email))
    }
}
