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
            let deleted = GIT_STATUS_WT_DELETED.rawValue | GIT_STATUS_INDEX_DELETED.rawValue
            let added = GIT_STATUS_WT_NEW.rawValue | GIT_STATUS_INDEX_NEW.rawValue
            let kind: ChangedPath.Kind = flags & deleted != 0 ? .deleted : flags & added != 0 ? .added : .modified
            result.append(ChangedPath(path: path, kind: kind))
        }
        return result
    }

    /// Of exactly `paths`, those whose file in the working tree differs from HEAD's: hashes each file as a
    /// blob and compares it with HEAD's tree entry, reading only the trees along each path. Faster than
    /// `dirtyPaths(among:)` (which reads the whole index and HEAD tree for every path) for the index's
    /// bookkeeping after a pull. Unlike `git status`, content that is staged but identical in the working
    /// tree and HEAD counts as clean, and no filters (line endings) are applied.
    public func pathsDifferingFromHead(_ paths: [String]) throws -> [ChangedPath] {
        var tree: OpaquePointer?
        if let headID = try head() {
            var raw = headID.raw
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, handle, &raw), function: "git_commit_lookup")
            defer { git_commit_free(commit) }
            try check(git_commit_tree(&tree, commit), function: "git_commit_tree")
        }
        defer { if let tree { git_tree_free(tree) } }
        var result: [ChangedPath] = []
        for path in paths {
            let full = (workdir as NSString).appendingPathComponent(path)
            let exists = FileManager.default.fileExists(atPath: full)
            var entry: OpaquePointer?
            let found = try tree.map { try checkFound(git_tree_entry_bypath(&entry, $0, path), function: "git_tree_entry_bypath") } ?? false
            defer { if let entry { git_tree_entry_free(entry) } }
            if !found {
                if exists { result.append(ChangedPath(path: path, kind: .added)) }
                continue
            }
            guard exists else {
                result.append(ChangedPath(path: path, kind: .deleted))
                continue
            }
            var oid = git_oid()
            try check(git_odb_hashfile(&oid, full, GIT_OBJECT_BLOB), function: "git_odb_hashfile")
            if let committed = git_tree_entry_id(entry), git_oid_equal(committed, &oid) == 0 {
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
        func rootTree(_ id: ObjectID?) throws -> OpaquePointer? {
            guard let id else { return nil }
            var raw = id.raw
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, handle, &raw), function: "git_commit_lookup")
            defer { git_commit_free(commit) }
            var tree: OpaquePointer?
            try check(git_commit_tree(&tree, commit), function: "git_commit_tree")
            return tree
        }
        let old = try rootTree(from), new = try rootTree(to)
        defer {
            if let old { git_tree_free(old) }
            if let new { git_tree_free(new) }
        }
        var result: [ChangedPath] = []
        func subtree(_ tree: OpaquePointer?, _ name: String) throws -> OpaquePointer? {
            guard let tree, let entry = git_tree_entry_byname(tree, name), git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return nil }
            var sub: OpaquePointer?
            try check(git_tree_lookup(&sub, handle, git_tree_entry_id(entry)), function: "git_tree_lookup")
            return sub
        }
        /// Every file below `tree`, as added or deleted.
        func all(_ tree: OpaquePointer, _ prefix: String, _ kind: ChangedPath.Kind) throws {
            for i in 0..<git_tree_entrycount(tree) {
                guard let entry = git_tree_entry_byindex(tree, i) else { continue }
                let name = prefix + String(cString: git_tree_entry_name(entry))
                if git_tree_entry_type(entry) == GIT_OBJECT_TREE {
                    let sub = try subtree(tree, String(cString: git_tree_entry_name(entry)))
                    defer { if let sub { git_tree_free(sub) } }
                    if let sub { try all(sub, name + "/", kind) }
                } else {
                    result.append(ChangedPath(path: name, kind: kind))
                }
            }
        }
        func compare(_ a: OpaquePointer?, _ b: OpaquePointer?, _ prefix: String) throws {
            switch (a, b) {
            case (nil, nil): return
            case let (nil, b?): try all(b, prefix, .added)
            case let (a?, nil): try all(a, prefix, .deleted)
            case let (a?, b?):
                if git_oid_equal(git_tree_id(a), git_tree_id(b)) != 0 { return }
                var names = Set<String>()
                for t in [a, b] {
                    for i in 0..<git_tree_entrycount(t) {
                        if let e = git_tree_entry_byindex(t, i) { names.insert(String(cString: git_tree_entry_name(e))) }
                    }
                }
                for name in names.sorted() {
                    let ea = git_tree_entry_byname(a, name), eb = git_tree_entry_byname(b, name)
                    let aTree = ea.map { git_tree_entry_type($0) == GIT_OBJECT_TREE } ?? false
                    let bTree = eb.map { git_tree_entry_type($0) == GIT_OBJECT_TREE } ?? false
                    if aTree || bTree {
                        if let ea, let eb, aTree, bTree, git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) != 0 { continue }
                        let sa = aTree ? try subtree(a, name) : nil, sb = bTree ? try subtree(b, name) : nil
                        defer {
                            if let sa { git_tree_free(sa) }
                            if let sb { git_tree_free(sb) }
                        }
                        try compare(sa, sb, prefix + name + "/")
                        if !aTree, ea != nil { result.append(ChangedPath(path: prefix + name, kind: .deleted)) }
                        if !bTree, eb != nil { result.append(ChangedPath(path: prefix + name, kind: .added)) }
                    } else if let ea, let eb {
                        if git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) == 0 {
                            result.append(ChangedPath(path: prefix + name, kind: .modified))
                        }
                    } else {
                        result.append(ChangedPath(path: prefix + name, kind: ea == nil ? .added : .deleted))
                    }
                }
            }
        }
        for root in roots {
            let a = try subtree(old, root), b = try subtree(new, root)
            defer {
                if let a { git_tree_free(a) }
                if let b { git_tree_free(b) }
            }
            try compare(a, b, root + "/")
        }
        return result
    }
}
