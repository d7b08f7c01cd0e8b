import CLibGit2
import Foundation

extension GitRepository {
    /// Commits `tree` on the commit `parent` points at (nil: HEAD's branch is unborn) and moves HEAD's
    /// branch to it, so that a write acknowledged afterwards survives a power loss:
    ///
    /// 1. the commit object and every object of `tree` that `parentTree` does not have are synced, in one
    ///    batch, before the branch points at them: a branch naming a missing object is a broken repository;
    /// 2. the branch moves (compare-and-swap on `expected`: `.modified` when someone moved it meanwhile);
    /// 3. the branch's file, both reflogs and `alsoSync` (the index the fast path has written) are synced,
    ///    in one batch: a commit the branch has forgotten is an acknowledged write lost.
    ///
    /// git's own default (`core.fsync=committed`) syncs objects and references too; the batching is its
    /// `core.fsyncMethod=batch`. The working-tree files are the store's to sync (`AtomicFile`).
    func commitDurably(tree: borrowing TreeHandle, parent: OpaquePointer?, parentTree: git_oid?, expected: git_oid?,
                       author: borrowing SignatureHandle, message: String, alsoSync: [String] = []) throws -> git_oid {
        let id = try writeCommit(in: handle, author: author, message: message, tree: tree, parent: parent)
        var objects = [objectPath(id)]
        try collectNewObjects(tree.id, since: parentTree, into: &objects)
        let folders = objects.map { ($0 as NSString).deletingLastPathComponent } + [gitDir + "objects"]
        if let failure = DurableFiles.sync(objects, folders: folders) { throw failure }

        let branch = headReferenceName()
        let subject = message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        try moveReference(in: handle, name: branch, to: id, from: expected,
                          logMessage: (expected == nil ? "commit (initial): " : "commit: ") + subject)

        let refFile = gitDir + branch, branchLog = gitDir + "logs/" + branch
        let files = [refFile, branchLog, gitDir + "logs/HEAD"] + alsoSync
        let names = [refFile, branchLog, gitDir + "logs/HEAD", gitDir + "logs"] + alsoSync
        if let failure = DurableFiles.sync(files, folders: [gitDir] + names.map { ($0 as NSString).deletingLastPathComponent }) {
            throw failure
        }
        return id
    }

    /// The reference a commit on HEAD moves: the branch HEAD names, or HEAD itself when it is detached.
    func headReferenceName() -> String {
        guard let head = try? ReferenceHandle(lookup: "HEAD", in: handle), let name = head.symbolicTarget else { return "HEAD" }
        return name
    }

    /// Where the loose object `id` is, if it is loose.
    private func objectPath(_ id: git_oid) -> String {
        let hex = ObjectID(id).hex
        return "\(gitDir)objects/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    /// The object files of `tree` and of everything below it that `base` (the same folder in the parent
    /// commit) does not hold: only subtrees whose id changed are visited, so the cost follows the change.
    private func collectNewObjects(_ tree: git_oid, since base: git_oid?, into paths: inout [String]) throws {
        if let base, sameID(base, tree) { return }
        paths.append(objectPath(tree))
        var previous: [String: TreeEntry] = [:]
        if let base {
            for (name, entry) in try TreeHandle(lookup: base, in: handle).entries() { previous[name] = entry }
        }
        for (name, entry) in try TreeHandle(lookup: tree, in: handle).entries() {
            let before = previous[name]
            if let before, sameID(before.id, entry.id) { continue }
            if entry.isTree {
                try collectNewObjects(entry.id, since: before?.isTree == true ? before!.id : nil, into: &paths)
            } else if entry.mode != GIT_FILEMODE_COMMIT {
                paths.append(objectPath(entry.id))
            }
        }
    }
}
