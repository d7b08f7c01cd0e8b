import CLibGit2
import Foundation

/// What a writer killed mid-write leaves in the git directory, and putting it right. (Its lock files are
/// `GitLocks`' business; its working-tree files the store's.)
extension GitRepository {
    /// Puts the index entries of `paths` back as HEAD has them (`git reset -- paths`): a writer that died
    /// after rewriting the index and before committing left its change staged, where the next commit of
    /// anyone would carry it.
    public func resetIndex(paths: [String]) throws {
        guard !paths.isEmpty, let headID = try head() else { return }
        try awaitCommitLocks()
        let commit = try CommitHandle(lookup: headID.raw, in: handle)
        var names: [UnsafeMutablePointer<CChar>?] = paths.map { strdup($0) }
        defer { names.forEach { free($0) } }
        try names.withUnsafeMutableBufferPointer { buffer in
            var specs = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            try check(git_reset_default(handle, commit.pointer, &specs), function: "git_reset_default")
        }
    }

    /// Removes the temporary object files a killed writer left: cmem's own (`tmp_obj_cmem_PID_…`, named
    /// for the writer's `pid`) and libgit2's (`tmp_object_git2_…`, which carry no pid: only those no
    /// process has open, which nobody is still filling). Called holding the store's write lock, so no cmem
    /// writer is making any; a human's git names its own differently (`tmp_obj_…`). Returns how many.
    @discardableResult
    public func removeTemporaryObjects(leftBy pid: pid_t) -> Int {
        let objects = gitDir + "objects"
        let mine = "tmp_obj_cmem_\(pid)_"
        var removed = 0
        // libgit2 makes its temporary objects in the objects folder itself, cmem in the two-digit folders.
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? []).filter { $0.utf8.count == 2 }
        for dir in [objects] + folders.map({ objects + "/" + $0 }) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                var remove = name.hasPrefix(mine)
                if !remove, name.hasPrefix("tmp_object_git2_") { remove = !GitLocks.isOpenAnywhere(dir + "/" + name) }
                if remove, unlink(dir + "/" + name) == 0 { removed += 1 }
            }
        }
        return removed
    }
}
