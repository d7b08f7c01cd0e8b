import CLibGit2
import Foundation

extension GitRepository {
    /// One file of a commit: its new content, or nil when it was deleted.
    public struct FileWrite: Sendable {
        public let path: String
        public let content: [UInt8]?
        /// The file this content replaced in the working tree, when there was one: with it, `commit(files:)`
        /// tells whether that file held what HEAD has, or changes nobody committed (see `vetting`).
        public let replaced: FileIdentity?
        public init(path: String, content: [UInt8]?, replaced: FileIdentity? = nil) {
            self.path = path
            self.content = content
            self.replaced = replaced
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
    ///
    /// `vetting` is called with each file whose replaced version (`FileWrite.replaced`) was not known to
    /// equal HEAD's: its content then carries changes someone else made and never committed, which the
    /// caller checks (a throw stops the commit, and the index is put back). Known from the index entry git
    /// recorded: HEAD's blob, with the replaced file's stat data; no file is read or hashed for it.
    @discardableResult
    public func commit(files: [FileWrite], message: String, author: Signature, allowEmpty: Bool = false,
                       prepared: PreparedBlobs = PreparedBlobs(), vetting: (FileWrite) throws -> Void = { _ in }) throws -> ObjectID? {
        guard files.count <= Self.fastCommitLimit else {
            for file in files where file.content != nil { try vetting(file) }
            return try commit(paths: files.map(\.path), message: message, author: author, allowEmpty: allowEmpty)
        }
        try awaitCommitLocks()
        var attempt = 0
        while true {
            do {
                return try commitOnce(files: files, message: message, author: author, allowEmpty: allowEmpty, prepared: prepared,
                                      vetting: vetting)
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
                            prepared: PreparedBlobs, vetting: (FileWrite) throws -> Void) throws -> ObjectID? {
        /// The slower commit, every file vetted: nothing tells there which replaced file was HEAD's.
        func viaIndex() throws -> ObjectID? {
            for file in files where file.content != nil { try vetting(file) }
            return try commit(paths: files.map(\.path), message: message, author: author, allowEmpty: allowEmpty)
        }
        guard let headID = try head() else { return try viaIndex() }
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
                guard mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE else { return try viaIndex() }
            }
            guard let content = file.content else {
                if existing != nil { updates.append((file.path, nil, mode)) }
                entries.append(IndexFile.Entry(path: Array(file.path.utf8), id: [], mode: 0, stat: nil))
                continue
            }
            let blobID = try prepared.id(of: file.path) ?? writer.write(path: file.path, content: content).id
            var st = stat()
            let full = (workdir as NSString).appendingPathComponent(file.path)
            guard lstat(full, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return try viaIndex() }
            var oid = git_oid()
            blobID.withUnsafeBufferPointer { _ = git_oid_fromraw(&oid, $0.baseAddress) }
            updates.append((file.path, oid, mode))
            entries.append(IndexFile.Entry(path: Array(file.path.utf8), id: blobID, mode: mode.rawValue, stat: st))
        }

        // The index first (the other order would show the change as staged in reverse should the index
        // then fail); should the commit then fail, the entries are put back as HEAD has them, so that no
        // later commit (ours or a human's) carries a change whose write failed.
        var replaced: [IndexFile.Replaced] = []
        switch try IndexFile.update(gitDir: gitDir, entries: entries, replaced: &replaced) {
        case .written: break
        case .declined: return try viaIndex()
        }
        do {
            for file in files where file.content != nil {
                let path = Array(file.path.utf8)
                let old = replaced.first { $0.path == path }
                let head = try baseline.entry(atPath: file.path).map { e in withUnsafeBytes(of: e.id.id) { Array($0.prefix(20)) } }
                let clean = file.replaced == nil || (old != nil && old!.id == head && old!.identity == file.replaced!.truncated)
                if !clean { try vetting(file) }
            }
            return try commitTree(baseline: baseline, parent: parent, updates: updates, message: message, author: author,
                                  allowEmpty: allowEmpty)
        } catch {
            var restore: [IndexFile.Entry] = []
            for file in files {
                if let old = try? baseline.entry(atPath: file.path) {
                    let id = withUnsafeBytes(of: old.id.id) { Array($0.prefix(20)) }
                    // No stat data: git compares the file's content with this id the next time it looks.
                    restore.append(IndexFile.Entry(path: Array(file.path.utf8), id: id, mode: old.mode.rawValue, stat: stat()))
                } else {
                    restore.append(IndexFile.Entry(path: Array(file.path.utf8), id: [], mode: 0, stat: nil))
                }
            }
            _ = try? IndexFile.update(gitDir: gitDir, entries: restore)
            throw error
        }
    }

    private func commitTree(baseline: borrowing TreeHandle, parent: borrowing CommitHandle,
                            updates: [(path: String, id: git_oid?, mode: git_filemode_t)],
                            message: String, author: Signature, allowEmpty: Bool) throws -> ObjectID? {
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
        // The index was rewritten before the commit: it is synced with the branch.
        return ObjectID(try commitDurably(tree: tree, parent: parent.pointer, parentTree: baseline.id, expected: parent.id,
                                          author: signature, message: message, alsoSync: [gitDir + "index"]))
    }
}
