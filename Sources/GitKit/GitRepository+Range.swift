import CLibGit2

extension GitRepository {
    /// One commit of a range, with the paths it changed against its first parent (all of its tree for a
    /// root commit).
    public struct RangeCommit: Sendable, Equatable {
        public let info: CommitInfo
        public let paths: [ChangedPath]
    }

    /// The commits reachable from `to` and not from `from` (`git log from..to`), newest first, at most
    /// `limit`; the second value says whether there were more. `from` nil, or not a commit of this
    /// repository (history rewritten, a shallow clone), walks from `to` alone, within the limit.
    public func commits(from: ObjectID?, to: ObjectID, limit: Int) throws -> (commits: [RangeCommit], truncated: Bool) {
        let walk = try RevisionWalkHandle(in: handle)
        try walk.sort(GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        try walk.push(to.raw)
        if let from, (try? CommitHandle(lookup: from.raw, in: handle)) != nil { try walk.hide(from.raw) }
        var result: [RangeCommit] = []
        while let oid = try walk.next() {
            guard result.count < limit else { return (result, true) }
            let commit = try CommitHandle(lookup: oid, in: handle)
            let newTree = try commit.tree()
            let paths: [ChangedPath]
            if commit.parentCount == 0 {
                paths = try DiffHandle(toEmptyFrom: newTree, in: handle).changedPaths
            } else {
                paths = try DiffHandle(from: CommitHandle(parent: 0, of: commit).tree(), to: newTree, in: handle).changedPaths
            }
            result.append(RangeCommit(info: commit.info(id: oid), paths: paths))
        }
        return (result, false)
    }
}
