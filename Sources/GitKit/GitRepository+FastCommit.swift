import CLibGit2
import Foundation

extension GitRepository {
    /// One file of a commit: its new content, or nil when it was deleted.
    public struct FileWrite: Sendable {
        public let path: String
        public let content: [UInt8]?
        public init(path: String, content: [UInt8]?) {
            self.path = path
            self.content = content
        }
    }

    /// At most this many files are committed through the fast path below; more go through libgit2's
    /// index. A caller uses it to decide whether storing the blobs ahead (`writeBlobs`) pays.
    public static let fastCommitLimit = 64

    /// Commits exactly `files`, whose new content the caller has already written to the working tree, on
    /// HEAD. Returns nil, making no commit, when the tree would equal HEAD's. This is the one entry point
    /// for committing files cmem wrote; which implementation runs is decided here:
    ///
    /// - The fast path, for up to `fastCommitLimit` files (every interactive write): the new tree is
    ///   HEAD's tree with these paths replaced (so what a human staged for other paths is neither committed
    ///   nor disturbed), blobs are written from the bytes in hand (`SegmentedBlobWriter`), and the index is
    ///   brought up to date by rewriting only these entries in one pass over its bytes (`IndexFile`, a
    ///   hand-written index writer). The cost follows the size of what was written, not the number of
    ///   files in the repository: libgit2 would read, verify and rewrite the whole index, with its slow
    ///   collision-detecting SHA-1, which on a large memory costs more than the rest of a write.
    /// - libgit2's index (`commit(paths:)`): for more files (imports: thousands per commit, where the whole
    ///   index is rewritten anyway), and whenever the fast path cannot be sure to write what libgit2 would:
    ///   an unborn branch, a path that is not a plain file in HEAD or in the working tree, or an index
    ///   `IndexFile` declines (a split or sparse index, a conflict on a written path, an unknown extension).
    ///
    /// With nothing else staged, both give the same tree and the same index bytes, but for a written entry's
    /// device number (IndexFile records `st_dev`, as git does; libgit2 records `st_rdev`). (libgit2's index
    /// also commits whatever else is staged; the fast path leaves that staged.) FastCommitTests keep
    /// libgit2's index writing as the reference answer the fast path must equal.
    @discardableResult
    public func commit(files: [FileWrite], message: String, author: Signature, allowEmpty: Bool = false,
                       prepared: PreparedBlobs = PreparedBlobs()) throws -> ObjectID? {
        guard files.count <= Self.fastCommitLimit else {
            return try commit(paths: files.map(\.path), message: message, author: author, allowEmpty: allowEmpty)
        }
        var attempt = 0
        while true {
            do {
                return try commitOnce(files: files, message: message, author: author, allowEmpty: allowEmpty, prepared: prepared)
            } catch GitError.Code.modified where attempt < 5 {
                // HEAD moved under us (a human's git commit or pull): build on the new HEAD.
                attempt += 1
            }
        }
    }

    /// Blob ids of files whose objects `writeBlobs` has already stored.
    public struct PreparedBlobs: Sendable {
        fileprivate var ids: [(path: String, id: [UInt8])] = []
        public init() {}
        fileprivate func id(of path: String) -> [UInt8]? { ids.last { $0.path == path }?.id }
    }

    /// Stores the blobs of `files` ahead of `commit(files:prepared:)`. Objects are named by their content,
    /// so they can be written before the working tree is final: the caller overlaps this with its fsync.
    public func writeBlobs(_ files: [FileWrite]) throws -> PreparedBlobs {
        let writer = SegmentedBlobWriter(gitDir: gitDir)
        var prepared = PreparedBlobs()
        for file in files {
            if let content = file.content { prepared.ids.append((file.path, try writer.write(path: file.path, content: content).id)) }
        }
        return prepared
    }

    private func commitOnce(files: [FileWrite], message: String, author: Signature, allowEmpty: Bool,
                            prepared: PreparedBlobs) throws -> ObjectID? {
        guard let headID = try head() else {
            return try commit(paths: files.map(\.path), message: message, author: author, allowEmpty: allowEmpty)
        }
        let parent = try CommitHandle(lookup: headID.raw, in: handle)
        let baseline = try parent.tree()

        let writer = SegmentedBlobWriter(gitDir: gitDir)
        var entries: [IndexFile.Entry] = []
        var updates: [(path: String, id: git_oid?, mode: git_filemode_t)] = []
        for file in files {
            var mode = GIT_FILEMODE_BLOB
            let existing = try baseline.entry(atPath: file.path)
            if let existing {
                mode = existing.mode
                guard mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE else {
                    return try commit(paths: files.map(\.path), message: message, author: author, allowEmpty: allowEmpty)
                }
            }
            guard let content = file.content else {
                if existing != nil { updates.append((file.path, nil, mode)) }
                entries.append(IndexFile.Entry(path: Array(file.path.utf8), id: [], mode: 0, stat: nil))
                continue
            }
            let blobID = try prepared.id(of: file.path) ?? writer.write(path: file.path, content: content).id
            var st = stat()
            let full = (workdir as NSString).appendingPathComponent(file.path)
            guard lstat(full, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
                return try commit(paths: files.map(\.path), message: message, author: author, allowEmpty: allowEmpty)
            }
            var oid = git_oid()
            blobID.withUnsafeBufferPointer { _ = git_oid_fromraw(&oid, $0.baseAddress) }
            updates.append((file.path, oid, mode))
            entries.append(IndexFile.Entry(path: Array(file.path.utf8), id: blobID, mode: mode.rawValue, stat: st))
        }

        // The index first: should the commit then fail, the change shows as staged, which the next commit
        // (ours or a human's) carries; the other order would show it as staged in reverse.
        switch try IndexFile.update(gitDir: gitDir, entries: entries) {
        case .written: break
        case .declined:
            return try commit(paths: files.map(\.path), message: message, author: author, allowEmpty: allowEmpty)
        }

        let paths = updates.map { strdup($0.path) }
        defer { paths.forEach { free($0) } }
        var raw = updates.enumerated().map { i, u in
            git_tree_update(action: u.id == nil ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT,
                            id: u.id ?? git_oid(), filemode: u.mode, path: UnsafePointer(paths[i]))
        }
        let treeOid = try baseline.updated(with: &raw, in: handle)
        if !allowEmpty, sameID(baseline.id, treeOid) { return nil }

        let tree = try TreeHandle(lookup: treeOid, in: handle)
        let signature = try SignatureHandle(now: author)
        beforeMovingHead?()
        return ObjectID(try parent.commitChild(in: handle, updating: "HEAD", author: signature, message: message, tree: tree))
    }
}
