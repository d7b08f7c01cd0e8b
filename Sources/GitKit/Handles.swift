import CLibGit2

// Owners of libgit2 handles, one type per kind, each freeing its handle in `deinit`: no `git_*_free` is
// placed by hand anywhere else. They are noncopyable structs rather than classes so that owning a handle
// costs no allocation: the commit path opens several per write.
//
// Rules that keep them safe:
// - A handle is made only through `owned(_:_:function:free:)`, which frees whatever a failed call left in
//   its out-parameter and turns the failure into a `GitError`.
// - `pointer` is used only inside a method of its owner, or of a function that takes the owner as a
//   (borrowing) parameter: the owner is then alive for the whole call. A raw pointer never outlives
//   that call; what is read from a handle (ids, names, bytes) is copied out into Swift values.
// - Handles belong to one `GitRepository` and, like it, to one thread at a time.

/// Takes what a libgit2 constructor returned in its out-parameter. On failure, whatever the call may have
/// allocated is freed (after libgit2's message is read) and a `GitError` is thrown; a success that
/// returned no object is a failure too.
@inline(__always)
func owned<P>(_ out: P?, _ rc: Int32, function: String, free: (P) -> Void) throws -> P {
    if rc < 0 {
        let error = lastError(rc, function: function)
        if let out { free(out) }
        throw error
    }
    guard let out else { throw GitError(code: .generic, message: "returned no object", function: function) }
    return out
}

/// Whether two object ids are equal.
@inline(__always)
func sameID(_ a: git_oid, _ b: git_oid) -> Bool {
    var a = a, b = b
    return git_oid_equal(&a, &b) != 0
}

// MARK: Repository

/// A `git_repository`.
struct RepositoryHandle: ~Copyable {
    let pointer: OpaquePointer

    /// Opens the repository whose working tree is exactly `path`.
    init(opening path: String, flags: UInt32) throws {
        var out: OpaquePointer?
        let rc = git_repository_open_ext(&out, path, flags, nil)
        pointer = try owned(out, rc, function: "git_repository_open_ext", free: git_repository_free)
    }

    /// Creates a repository at `path`.
    init(creating path: String, options: inout git_repository_init_options) throws {
        var out: OpaquePointer?
        let rc = git_repository_init_ext(&out, path, &options)
        pointer = try owned(out, rc, function: "git_repository_init_ext", free: git_repository_free)
    }

    deinit { git_repository_free(pointer) }
}

/// A `git_odb`: the repository's object database.
struct ObjectDatabaseHandle: ~Copyable {
    let pointer: OpaquePointer

    init(of repo: OpaquePointer) throws {
        var out: OpaquePointer?
        let rc = git_repository_odb(&out, repo)
        pointer = try owned(out, rc, function: "git_repository_odb", free: git_odb_free)
    }

    deinit { git_odb_free(pointer) }

    /// Puts a loose-object backend writing at zlib `level` in front of the others. The database owns the
    /// backend once added; one that could not be added is freed here.
    func addLooseBackend(objectsDir: String, level: Int32, priority: Int32) throws {
        var backend: UnsafeMutablePointer<git_odb_backend>?
        let made = git_odb_backend_loose(&backend, objectsDir, level, 0, 0, 0)
        let loose = try owned(backend, made, function: "git_odb_backend_loose") { $0.pointee.free?($0) }
        let rc = git_odb_add_backend(pointer, loose, priority)
        if rc < 0 {
            let error = lastError(rc, function: "git_odb_add_backend")
            loose.pointee.free?(loose)
            throw error
        }
    }
}

// MARK: Objects

/// A `git_commit`.
struct CommitHandle: ~Copyable {
    let pointer: OpaquePointer

    init(lookup id: git_oid, in repo: OpaquePointer) throws {
        var id = id
        var out: OpaquePointer?
        let rc = git_commit_lookup(&out, repo, &id)
        pointer = try owned(out, rc, function: "git_commit_lookup", free: git_commit_free)
    }

    /// The `n`th parent of `child`.
    init(parent n: UInt32, of child: borrowing CommitHandle) throws {
        var out: OpaquePointer?
        let rc = git_commit_parent(&out, child.pointer, n)
        pointer = try owned(out, rc, function: "git_commit_parent", free: git_commit_free)
    }

    deinit { git_commit_free(pointer) }

    func tree() throws -> TreeHandle { try TreeHandle(of: self) }
    var treeID: git_oid { git_commit_tree_id(pointer).pointee }
    var id: git_oid { git_commit_id(pointer).pointee }
    var parentCount: UInt32 { git_commit_parentcount(pointer) }

    /// What `cmem log` shows of this commit, copied out.
    func info(id: git_oid) -> CommitInfo {
        let author = git_commit_author(pointer)!.pointee
        return CommitInfo(
            id: ObjectID(id),
            authorName: author.name.map { String(cString: $0) } ?? "",
            authorEmail: author.email.map { String(cString: $0) } ?? "",
            time: author.when.time,
            message: git_commit_message(pointer).map { String(cString: $0) } ?? ""
        )
    }
}

/// One entry of a tree, copied out of libgit2.
struct TreeEntry {
    let id: git_oid
    let mode: git_filemode_t
    /// A subtree (libgit2 derives an entry's type from its mode the same way).
    var isTree: Bool { mode == GIT_FILEMODE_TREE }
}

/// A `git_tree`.
struct TreeHandle: ~Copyable {
    let pointer: OpaquePointer

    init(lookup id: git_oid, in repo: OpaquePointer) throws {
        var id = id
        var out: OpaquePointer?
        let rc = git_tree_lookup(&out, repo, &id)
        pointer = try owned(out, rc, function: "git_tree_lookup", free: git_tree_free)
    }

    /// The tree of `commit`.
    init(of commit: borrowing CommitHandle) throws {
        var out: OpaquePointer?
        let rc = git_commit_tree(&out, commit.pointer)
        pointer = try owned(out, rc, function: "git_commit_tree", free: git_tree_free)
    }

    deinit { git_tree_free(pointer) }

    var id: git_oid { git_tree_id(pointer).pointee }

    /// The entry at `path`, looking through subtrees; nil when there is none.
    func entry(atPath path: String) throws -> TreeEntry? {
        guard let entry = try TreeEntryHandle(path: path, in: self) else { return nil }
        return entry.value
    }

    /// The entry named `name` directly in this tree.
    func entry(named name: String) -> TreeEntry? {
        git_tree_entry_byname(pointer, name).map(Self.value)
    }

    /// Adds the names of the entries directly in this tree to `names`.
    func insertNames(into names: inout Set<String>) {
        for i in 0..<git_tree_entrycount(pointer) {
            if let e = git_tree_entry_byindex(pointer, i) { names.insert(String(cString: git_tree_entry_name(e))) }
        }
    }

    /// Every entry directly in this tree, in the tree's order.
    func entries() -> [(name: String, entry: TreeEntry)] {
        let tree = pointer
        return (0..<git_tree_entrycount(tree)).compactMap { i in
            git_tree_entry_byindex(tree, i).map { (String(cString: git_tree_entry_name($0)), Self.value($0)) }
        }
    }

    /// The empty tree (written to the object database).
    static func empty(in repo: OpaquePointer) throws -> TreeHandle {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, repo, nil), function: "git_treebuilder_new")
        defer { git_treebuilder_free(builder) }
        var id = git_oid()
        try check(git_treebuilder_write(&id, builder), function: "git_treebuilder_write")
        return try TreeHandle(lookup: id, in: repo)
    }

    /// The id of the tree made from this one with `updates` applied (written to the object database).
    func updated(with updates: inout [git_tree_update], in repo: OpaquePointer) throws -> git_oid {
        var id = git_oid()
        let baseline = pointer
        let rc = updates.withUnsafeMutableBufferPointer { buffer in
            git_tree_create_updated(&id, repo, baseline, buffer.count, buffer.baseAddress)
        }
        try check(rc, function: "git_tree_create_updated")
        return id
    }

    fileprivate static func value(_ entry: OpaquePointer) -> TreeEntry {
        TreeEntry(id: git_tree_entry_id(entry).pointee, mode: git_tree_entry_filemode(entry))
    }
}

/// A `git_tree_entry` of one's own (from `git_tree_entry_bypath`; entries read by index or name belong to
/// their tree).
struct TreeEntryHandle: ~Copyable {
    let pointer: OpaquePointer

    /// The entry at `path` in `tree`, looking through subtrees; nil when there is none.
    init?(path: String, in tree: borrowing TreeHandle) throws {
        var out: OpaquePointer?
        let rc = git_tree_entry_bypath(&out, tree.pointer, path)
        if rc == GitError.Code.notFound.rawValue {
            if let out { git_tree_entry_free(out) }
            return nil
        }
        pointer = try owned(out, rc, function: "git_tree_entry_bypath", free: git_tree_entry_free)
    }

    deinit { git_tree_entry_free(pointer) }

    var value: TreeEntry { TreeHandle.value(pointer) }
}

/// A `git_blob`.
struct BlobHandle: ~Copyable {
    let pointer: OpaquePointer

    init(lookup id: git_oid, in repo: OpaquePointer) throws {
        var id = id
        var out: OpaquePointer?
        let rc = git_blob_lookup(&out, repo, &id)
        pointer = try owned(out, rc, function: "git_blob_lookup", free: git_blob_free)
    }

    deinit { git_blob_free(pointer) }

    /// The blob's content, copied out.
    var bytes: [UInt8] {
        let size = Int(git_blob_rawsize(pointer))
        guard size > 0, let content = git_blob_rawcontent(pointer) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }
}

/// A `git_signature` with the current time.
struct SignatureHandle: ~Copyable {
    let pointer: UnsafeMutablePointer<git_signature>

    init(now author: Signature) throws {
        var out: UnsafeMutablePointer<git_signature>?
        let rc = git_signature_now(&out, author.name, author.email)
        pointer = try owned(out, rc, function: "git_signature_now", free: git_signature_free)
    }

    /// The user's identity from the repository's configuration (user.name, user.email).
    init(defaultFor repo: OpaquePointer) throws {
        var out: UnsafeMutablePointer<git_signature>?
        let rc = git_signature_default(&out, repo)
        pointer = try owned(out, rc, function: "git_signature_default", free: git_signature_free)
    }

    deinit { git_signature_free(pointer) }

    var value: Signature {
        Signature(name: String(cString: pointer.pointee.name), email: String(cString: pointer.pointee.email))
    }
}

/// Writes a commit object of `tree` whose parent is `parent` (the pointer of a `CommitHandle` its caller
/// borrows, or nil for a root commit). No reference moves: `moveBranch` does that once the objects are durable.
func writeCommit(in repo: OpaquePointer, author: borrowing SignatureHandle, message: String,
                 tree: borrowing TreeHandle, parent: OpaquePointer?) throws -> git_oid {
    var id = git_oid()
    var parent = parent
    let count = parent == nil ? 0 : 1
    let rc = withUnsafeMutablePointer(to: &parent) { parents in
        git_commit_create(&id, repo, nil, author.pointer, author.pointer, "UTF-8", message, tree.pointer, count, parents)
    }
    try check(rc, function: "git_commit_create")
    return id
}

/// Moves the reference `name` to `id` when it still points at `expected`, or creates it when `expected` is
/// nil and it does not exist yet, writing `logMessage` to its reflog (and HEAD's, when HEAD points at it).
/// libgit2 answers `.modified` when the reference moved meanwhile and `.exists` when it was created.
func moveReference(in repo: OpaquePointer, name: String, to id: git_oid, from expected: git_oid?, logMessage: String) throws {
    var id = id
    var out: OpaquePointer?
    let rc: Int32
    if var expected {
        rc = git_reference_create_matching(&out, repo, name, &id, 1, &expected, logMessage)
    } else {
        rc = git_reference_create(&out, repo, name, &id, 0, logMessage)
    }
    if let out { git_reference_free(out) }
    try check(rc, function: expected == nil ? "git_reference_create" : "git_reference_create_matching")
}

// MARK: Index

/// A `git_index`: the repository's index, as libgit2 reads and writes it.
struct IndexHandle: ~Copyable {
    let pointer: OpaquePointer

    /// The repository's index, read again from disk: another process may have written it since this
    /// repository handle last looked.
    static func fresh(of repo: OpaquePointer) throws -> IndexHandle {
        let index = try IndexHandle(of: repo)
        try check(git_index_read(index.pointer, 0), function: "git_index_read")
        return index
    }

    private init(of repo: OpaquePointer) throws {
        var out: OpaquePointer?
        let rc = git_repository_index(&out, repo)
        pointer = try owned(out, rc, function: "git_repository_index", free: git_index_free)
    }

    deinit { git_index_free(pointer) }

    func add(path: String) throws {
        try check(git_index_add_bypath(pointer, path), function: "git_index_add_bypath")
    }

    /// Removes `path`; a path the index does not have is not an error.
    func remove(path: String) throws {
        _ = try checkFound(git_index_remove_bypath(pointer, path), function: "git_index_remove_bypath")
    }

    /// The id and mode of `path`'s entry (stage 0), if the index has one.
    func entry(path: String) -> TreeEntry? {
        guard let e = git_index_get_bypath(pointer, path, 0) else { return nil }
        return TreeEntry(id: e.pointee.id, mode: git_filemode_t(e.pointee.mode))
    }

    /// Whether `path` has conflict stages (an unresolved merge).
    func isConflicted(path: String) -> Bool {
        (1...3).contains { git_index_get_bypath(pointer, path, Int32($0)) != nil }
    }

    func setVersion(_ version: UInt32) throws {
        try check(git_index_set_version(pointer, version), function: "git_index_set_version")
    }

    func write() throws {
        try check(git_index_write(pointer), function: "git_index_write")
    }

    /// Writes the index's content as trees and returns the root tree's id.
    func writeTree() throws -> git_oid {
        var id = git_oid()
        try check(git_index_write_tree(&id, pointer), function: "git_index_write_tree")
        return id
    }
}

// MARK: History, diffs, status

/// A `git_revwalk`.
struct RevisionWalkHandle: ~Copyable {
    let pointer: OpaquePointer

    init(in repo: OpaquePointer) throws {
        var out: OpaquePointer?
        let rc = git_revwalk_new(&out, repo)
        pointer = try owned(out, rc, function: "git_revwalk_new", free: git_revwalk_free)
    }

    deinit { git_revwalk_free(pointer) }

    func sort(_ mode: UInt32) throws {
        try check(git_revwalk_sorting(pointer, mode), function: "git_revwalk_sorting")
    }

    func pushHead() throws {
        try check(git_revwalk_push_head(pointer), function: "git_revwalk_push_head")
    }

    func push(_ id: git_oid) throws {
        var id = id
        try check(git_revwalk_push(pointer, &id), function: "git_revwalk_push")
    }

    func hide(_ id: git_oid) throws {
        var id = id
        try check(git_revwalk_hide(pointer, &id), function: "git_revwalk_hide")
    }

    /// The next commit's id, or nil at the end of the walk.
    func next() throws -> git_oid? {
        var id = git_oid()
        let rc = git_revwalk_next(&id, pointer)
        if rc == GitError.Code.iterationOver.rawValue { return nil }
        try check(rc, function: "git_revwalk_next")
        return id
    }
}

/// A `git_diff` between two trees.
struct DiffHandle: ~Copyable {
    let pointer: OpaquePointer

    init(from old: borrowing TreeHandle, to new: borrowing TreeHandle, in repo: OpaquePointer) throws {
        var out: OpaquePointer?
        let rc = git_diff_tree_to_tree(&out, repo, old.pointer, new.pointer, nil)
        pointer = try owned(out, rc, function: "git_diff_tree_to_tree", free: git_diff_free)
    }

    /// From the empty tree.
    init(toEmptyFrom new: borrowing TreeHandle, in repo: OpaquePointer) throws {
        var out: OpaquePointer?
        let rc = git_diff_tree_to_tree(&out, repo, nil, new.pointer, nil)
        pointer = try owned(out, rc, function: "git_diff_tree_to_tree", free: git_diff_free)
    }

    deinit { git_diff_free(pointer) }

    /// The changed paths, copied out; a rename is a deletion and an addition.
    var changedPaths: [ChangedPath] {
        var result: [ChangedPath] = []
        for i in 0..<git_diff_num_deltas(pointer) {
            guard let delta = git_diff_get_delta(pointer, i)?.pointee else { continue }
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
}

/// A `git_status_list`.
struct StatusListHandle: ~Copyable {
    let pointer: OpaquePointer

    init(in repo: OpaquePointer, options: inout git_status_options) throws {
        var out: OpaquePointer?
        let rc = git_status_list_new(&out, repo, &options)
        pointer = try owned(out, rc, function: "git_status_list_new", free: git_status_list_free)
    }

    deinit { git_status_list_free(pointer) }

    /// Each entry's path and kind of change, copied out.
    var changedPaths: [ChangedPath] {
        var result: [ChangedPath] = []
        for i in 0..<git_status_list_entrycount(pointer) {
            guard let entry = git_status_byindex(pointer, i)?.pointee else { continue }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            guard let delta else { continue }
            let file = delta.pointee.new_file.path ?? delta.pointee.old_file.path
            guard let file else { continue }
            result.append(ChangedPath(path: String(cString: file), kind: ChangedPath.Kind(status: entry.status.rawValue)))
        }
        return result
    }
}

extension ChangedPath.Kind {
    /// The kind of change `git_status_t` flags describe.
    init(status: UInt32) {
        if status & (GIT_STATUS_WT_DELETED.rawValue | GIT_STATUS_INDEX_DELETED.rawValue) != 0 {
            self = .deleted
        } else if status & (GIT_STATUS_WT_NEW.rawValue | GIT_STATUS_INDEX_NEW.rawValue) != 0 {
            self = .added
        } else {
            self = .modified
        }
    }
}

// MARK: References and configuration

/// A `git_reference`.
struct ReferenceHandle: ~Copyable {
    let pointer: OpaquePointer

    init(lookup name: String, in repo: OpaquePointer) throws {
        var out: OpaquePointer?
        let rc = git_reference_lookup(&out, repo, name)
        pointer = try owned(out, rc, function: "git_reference_lookup", free: git_reference_free)
    }

    deinit { git_reference_free(pointer) }

    /// The name a symbolic reference points at; nil for a direct one.
    var symbolicTarget: String? { git_reference_symbolic_target(pointer).map { String(cString: $0) } }
}

/// A `git_config`.
struct ConfigHandle: ~Copyable {
    let pointer: OpaquePointer

    /// The repository's configuration, for writing.
    init(of repo: OpaquePointer) throws {
        var out: OpaquePointer?
        let rc = git_repository_config(&out, repo)
        pointer = try owned(out, rc, function: "git_repository_config", free: git_config_free)
    }

    /// A read-only snapshot of every level of the repository's configuration.
    init(snapshotOf repo: OpaquePointer) throws {
        var out: OpaquePointer?
        let rc = git_repository_config_snapshot(&out, repo)
        pointer = try owned(out, rc, function: "git_repository_config_snapshot", free: git_config_free)
    }

    deinit { git_config_free(pointer) }

    func set(_ key: String, _ value: String) throws {
        try check(git_config_set_string(pointer, key, value), function: "git_config_set_string")
    }

    /// The value of `key` (a snapshot's strings live as long as it does: copied out here).
    func string(_ key: String) -> String? {
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, pointer, key) == 0, let value else { return nil }
        return String(cString: value)
    }
}
