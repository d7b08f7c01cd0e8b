import CLibGit2
import Foundation

extension GitRepository {
    /// Of exactly `paths` (relative to the working tree), those whose working-tree or staged content differs
    /// from HEAD, including untracked files. Costs a few lookups per path, unlike `dirtyPaths()`, which
    /// visits every file in the repository.
    public func dirtyPaths(among paths: [String]) throws -> [ChangedPath] {
        var result: [ChangedPath] = []
        for path in paths {
            var flags: UInt32 = 0
            // Not found: in neither HEAD, the index nor the working tree.
            guard try checkFound(git_status_file(&flags, handle, path), function: "git_status_file") else { continue }
            if flags == GIT_STATUS_CURRENT.rawValue || flags & GIT_STATUS_IGNORED.rawValue != 0 { continue }
            result.append(ChangedPath(path: path, kind: ChangedPath.Kind(status: flags)))
        }
        return result
    }

    /// Of exactly `paths`, those whose file in the working tree differs from HEAD's: hashes each file as a
    /// blob and compares it with HEAD's tree entry, reading only the trees along each path. Faster than
    /// `dirtyPaths(among:)` (which reads the whole index and HEAD tree for every path) for the index's
    /// bookkeeping after a pull. Unlike `git status`, content that is staged but identical in the working
    /// tree and HEAD counts as clean, and no filters (line endings) are applied.
    public func pathsDifferingFromHead(_ paths: [String]) throws -> [ChangedPath] {
        func onDisk(_ path: String) -> Bool {
            FileManager.default.fileExists(atPath: (workdir as NSString).appendingPathComponent(path))
        }
        guard let headID = try head() else { return paths.filter(onDisk).map { ChangedPath(path: $0, kind: .added) } }
        let tree = try tree(of: headID)
        var result: [ChangedPath] = []
        for path in paths {
            let exists = onDisk(path)
            guard let entry = try tree.entry(atPath: path) else {
                if exists { result.append(ChangedPath(path: path, kind: .added)) }
                continue
            }
            guard exists else {
                result.append(ChangedPath(path: path, kind: .deleted))
                continue
            }
            var oid = git_oid()
            let full = (workdir as NSString).appendingPathComponent(path)
            try check(git_odb_hashfile(&oid, full, GIT_OBJECT_BLOB), function: "git_odb_hashfile")
            if !sameID(entry.id, oid) {
                result.append(ChangedPath(path: path, kind: .modified))
            }
        }
        return result
    }
}

extension GitRepository {
    /// Files that differ between two commits, looking only under `roots` (top-level directories) and
    /// skipping every subtree whose object ID is the same in both: the cost follows what changed, not
    /// the size of the repository (`changedPaths(from:to:)` reads every tree of both commits).
    public func changedPaths(from: ObjectID?, to: ObjectID, under roots: [String]) throws -> [ChangedPath] {
        var result: [ChangedPath] = []
        /// Every file below the tree `id`, as added or deleted.
        func all(_ id: git_oid, _ prefix: String, _ kind: ChangedPath.Kind) throws {
            for (name, entry) in try TreeHandle(lookup: id, in: handle).entries() {
                if entry.isTree {
                    try all(entry.id, prefix + name + "/", kind)
                } else {
                    result.append(ChangedPath(path: prefix + name, kind: kind))
                }
            }
        }
        /// The trees `a` and `b` (nil: none), their entries' paths starting with `prefix`.
        func compare(_ a: git_oid?, _ b: git_oid?, _ prefix: String) throws {
            switch (a, b) {
            case (nil, nil): return
            case let (nil, b?): try all(b, prefix, .added)
            case let (a?, nil): try all(a, prefix, .deleted)
            case let (a?, b?):
                if sameID(a, b) { return }
                try compareTrees(TreeHandle(lookup: a, in: handle), TreeHandle(lookup: b, in: handle), prefix)
            }
        }
        func compareTrees(_ a: borrowing TreeHandle, _ b: borrowing TreeHandle, _ prefix: String) throws {
            var names = Set<String>()
            a.insertNames(into: &names)
            b.insertNames(into: &names)
            for name in names.sorted() {
                let ea = a.entry(named: name), eb = b.entry(named: name)
                let aTree = ea?.isTree ?? false, bTree = eb?.isTree ?? false
                if aTree || bTree {
                    try compare(aTree ? ea?.id : nil, bTree ? eb?.id : nil, prefix + name + "/")
                    if !aTree, ea != nil { result.append(ChangedPath(path: prefix + name, kind: .deleted)) }
                    if !bTree, eb != nil { result.append(ChangedPath(path: prefix + name, kind: .added)) }
                } else if let ea, let eb {
                    if !sameID(ea.id, eb.id) {
                        result.append(ChangedPath(path: prefix + name, kind: .modified))
                    }
                } else {
                    result.append(ChangedPath(path: prefix + name, kind: ea == nil ? .added : .deleted))
                }
            }
        }
        let oldRoot = try from.map { try CommitHandle(lookup: $0.raw, in: handle).treeID }
        let newRoot = try CommitHandle(lookup: to.raw, in: handle).treeID
        /// The ids of the root tree's subtrees named `roots` (nil where there is none).
        func subtrees(of root: git_oid?) throws -> [git_oid?] {
            guard let root else { return roots.map { _ in nil } }
            let tree = try TreeHandle(lookup: root, in: handle)
            var ids: [git_oid?] = []
            for name in roots { ids.append(tree.entry(named: name).flatMap { $0.isTree ? $0.id : nil }) }
            return ids
        }
        let old = try subtrees(of: oldRoot), new = try subtrees(of: newRoot)
        for (i, root) in roots.enumerated() {
            try compare(old[i], new[i], root + "/")
        }
        return result
    }
}

extension GitRepository {
    /// The files HEAD holds below the top-level directories `roots` (none when HEAD is unborn): the cost
    /// follows what is below them, not the size of the repository.
    public func trackedPaths(under roots: [String]) throws -> [String] {
        guard let headID = try head() else { return [] }
        let root = try tree(of: headID)
        var result: [String] = []
        func walk(_ id: git_oid, _ prefix: String) throws {
            for (name, entry) in try TreeHandle(lookup: id, in: handle).entries() {
                if entry.isTree { try walk(entry.id, prefix + name + "/") } else { result.append(prefix + name) }
            }
        }
        for name in roots {
            guard let entry = root.entry(named: name), entry.isTree else { continue }
            try walk(entry.id, name + "/")
        }
        return result
    }
}
