import Foundation
import GitKit
import Logging
import MemoryModel

/// The memory repository: reads notes and writes them safely. Every write happens under the write lock,
/// lands atomically on disk, and is committed through libgit2 before the call returns.
///
/// Not thread-safe: one thread at a time (the server wraps it in an actor).
public final class MemoryStore {
    public let root: String
    public let git: GitRepository
    public let config: MemoryConfig
    public let templates: Templates
    let lock: WriteLock
    let logger: Logger
    /// Every text written passes it (see `StoreRedactor`).
    let redaction = StoreRedactor()
    /// Notes found away from the path cmem gives them, by top folder (see `movedNote`).
    var movedNotes: [String: MovedNotes] = [:]
    /// Components whose note is known to exist (see `stageComponentNotes`).
    var componentNotesKnown = Set<String>()
    /// Where machine-local state lives: `.git/cmem/` (never committed, never synced).
    public let stateDir: String

    public init(path: String, logger: Logger = Logger(label: "cmem.store")) throws {
        let root = ProjectScope.standardise(path)
        guard FileManager.default.fileExists(atPath: root + "/.git"),
              FileManager.default.fileExists(atPath: root + "/.cmem") else {
            throw StoreError.notARepository(root)
        }
        do {
            git = try GitRepository(path: root)
        } catch let error as GitError {
            throw StoreError.git(error)
        }
        self.root = root
        self.logger = logger
        config = try MemoryConfig.load(root: root)
        templates = try Templates(root: root)
        stateDir = (git.gitDir as NSString).appendingPathComponent("cmem")
        lock = try WriteLock(gitDir: git.gitDir)
    }

    /// The identity commits are made as: the configured author, else the user's git identity, else cmem.
    public var author: Signature {
        if let name = config.authorName, let email = config.authorEmail { return Signature(name: name, email: email) }
        if let s = git.defaultSignature() { return s }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let hostname = String(decoding: host.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Signature(name: "cmem", email: "cmem@\(hostname.isEmpty ? "localhost" : hostname)")
    }

    // MARK: Paths

    /// The absolute path for a repository-relative path built by this module. Refuses anything that
    /// could leave the repository: absolute paths, `..`, empty components, NUL, or a symbolic link on the
    /// way (a folder or the file itself), which would make cmem read, and commit, a file from anywhere.
    /// One `lstat` per component of the few paths a write touches, never a walk of the tree.
    public func absolute(_ relative: String) throws -> String {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !relative.hasPrefix("/"), !parts.isEmpty,
              parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\0") }) else {
            throw StoreError.invalid("refusing path \(JSONValue.quoted(relative)): it would leave the memory repository")
        }
        try MemoryStore.refuseLinks(root: root, relative: relative)
        return root + "/" + relative
    }

    /// Throws when a component of `relative` below `root` is a symbolic link. Components that do not
    /// exist yet are fine: cmem creates them as real folders and files.
    static func refuseLinks(root: String, relative: String) throws {
        var path = root
        var st = stat()
        for part in relative.split(separator: "/") {
            path += "/" + part
            guard lstat(path, &st) == 0 else { return }
            if st.st_mode & S_IFMT == S_IFLNK {
                throw StoreError.invalid("refusing \(relative): \(path.dropFirst(root.count + 1)) is a symbolic link; cmem reads and "
                    + "writes only real files and folders inside the memory repository (replace the link with a copy of what it "
                    + "points to, or remove it; `cmem status` lists the links)")
            }
        }
    }

    public func readText(_ relative: String) throws -> String? {
        guard let bytes = try AtomicFile.read(try absolute(relative)) else { return nil }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StoreError.note(NoteError(path: relative, line: lineOfFirstInvalidUTF8(bytes), message: "not valid UTF-8 text"))
        }
        return text
    }

    // MARK: Transactions

    /// A set of file writes that become one commit.
    public final class Transaction {
        var files: [(path: String, bytes: [UInt8])] = []
        /// Files the commit removes (retention): each must hold what HEAD has, so git history keeps it.
        var removals: [String] = []
        var lines: [String] = []
        let store: MemoryStore

        init(store: MemoryStore) { self.store = store }

        /// `bytes` with every CRLF turned into LF (a lone CR is kept: it is text, not a line end).
        static func lineFeedsOnly(_ bytes: [UInt8]) -> [UInt8] {
            // memchr: this runs on every write of a day file, which grows to megabytes.
            let cr = bytes.withUnsafeBytes { raw -> Int? in
                guard let base = raw.baseAddress, let hit = memchr(base, 13, raw.count) else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            guard let first = cr, bytes[first...].contains(10) else { return bytes }
            var out = Array(bytes[..<first])
            out.reserveCapacity(bytes.count)
            var i = first
            while i < bytes.count {
                if bytes[i] == 13, i + 1 < bytes.count, bytes[i + 1] == 10 { i += 1; continue }
                out.append(bytes[i])
                i += 1
            }
            return out
        }

        /// Stages a file's new content (written when the transaction commits).
        public func write(_ relative: String, _ text: String) throws {
            try write(relative, Array(text.utf8))
        }

        public func write(_ relative: String, _ bytes: [UInt8]) throws {
            _ = try store.absolute(relative)
            // The repository's .gitattributes stores notes with LF (`*.md text eol=lf`); cmem commits blobs
            // from the bytes it writes, with no filter, so a note a person saved with CRLF is written with LF.
            let bytes = relative.hasSuffix(".md") ? Self.lineFeedsOnly(bytes) : bytes
            removals.removeAll { $0 == relative }
            if let i = files.firstIndex(where: { $0.path == relative }) {
                files[i].bytes = bytes
            } else {
                files.append((relative, bytes))
            }
        }

        /// Stages the removal of a file (removed from disk and from the tree when the transaction commits).
        public func remove(_ relative: String) throws {
            _ = try store.absolute(relative)
            files.removeAll { $0.path == relative }
            if !removals.contains(relative) { removals.append(relative) }
        }

        /// The content staged for `relative`, else what is on disk.
        public func read(_ relative: String) throws -> String? {
            if removals.contains(relative) { return nil }
            if let staged = files.first(where: { $0.path == relative }) { return String(decoding: staged.bytes, as: UTF8.self) }
            return try store.readText(relative)
        }

        public func readBytes(_ relative: String) throws -> [UInt8]? {
            if removals.contains(relative) { return nil }
            if let staged = files.first(where: { $0.path == relative }) { return staged.bytes }
            return try AtomicFile.read(try store.absolute(relative))
        }

        /// One line of the commit message, e.g. `event ev-… deployment github-mcp-server`.
        public func describe(_ line: String) { lines.append(store.redaction.text(line)) }

        public var isEmpty: Bool { files.isEmpty && removals.isEmpty }
        public var paths: [String] { files.map(\.path) + removals }
    }

    public struct CommitResult: Sendable {
        public let commit: ObjectID?
        public let paths: [String]
        public let message: String
    }

    /// Runs `body` under the write lock, writes what it staged atomically, and commits it.
    /// The commit message is the single line, or a summary line plus the list for a group commit.
    @discardableResult
    public func transaction<T>(durable: Bool = true, _ body: (Transaction) throws -> T) throws -> (T, CommitResult) {
        try lock.withLock {
            undoUnfinishedWrite()
            var intentRecorded = false
            defer { if intentRecorded { lock.clearIntent() } }
            let tx = Transaction(store: self)
            let value = try body(tx)
            guard !tx.isEmpty else { return (value, CommitResult(commit: nil, paths: [], message: "")) }
            // Interactive writes touch a few files of a large repository: `commit(files:)` rewrites only their
            // tree and index entries, and their blobs can be stored ahead. Imports stage thousands of files per
            // commit, which it gives to libgit2's index.
            let fast = tx.files.count + tx.removals.count <= GitRepository.fastCommitLimit
            for file in tx.files { try refuseConflictMarkers(file.bytes, path: file.path) }
            // Interactive writes say which file each replaces, so that the commit can tell a file whose old
            // content HEAD has from one carrying someone's uncommitted edit, which is vetted (`vet`).
            let writes = try tx.files.map {
                GitRepository.FileWrite(path: $0.path, content: $0.bytes,
                                        replaced: fast && durable ? FileIdentity(path: try absolute($0.path)) : nil)
            } + tx.removals.map { GitRepository.FileWrite(path: $0, content: nil) }
            var prepared = GitRepository.PreparedBlobs()
            // Kept until the commit is made: a failed commit puts every file back as it was.
            var pending: [AtomicFile.Pending] = []
            if fast && durable {
                // Should this process die before the commit, the next writer undoes what it began.
                lock.record(WriteLock.Intent(pid: getpid(), paths: try tx.files.map {
                    ($0.path, access(try absolute($0.path), F_OK) == 0)
                }))
                intentRecorded = true
                // The files' fsync is mostly waiting for the disk: their git blobs are hashed, compressed
                // and stored meanwhile. The commit itself waits until the files are durable and in place.
                do {
                    for file in tx.files {
                        pending.append(try AtomicFile.begin(file.bytes, to: try absolute(file.path), keepingOld: true))
                    }
                } catch {
                    AtomicFile.abandon(pending)
                    throw error
                }
                let synced = AtomicFile.syncInBackground(pending)
                // A failure here is met again, and reported, by the commit below.
                prepared = (try? git.writeBlobs(writes)) ?? prepared
                if let failure = synced() {
                    AtomicFile.abandon(pending)
                    throw StoreError.io(failure)
                }
                try AtomicFile.finish(pending)
            } else {
                for file in tx.files {
                    try AtomicFile.write(file.bytes, to: try absolute(file.path), durable: durable)
                }
                if !durable { syncFileSystem() }
            }
            // Removed files keep a second name until the commit is made, so that a failed commit puts them back.
            let setAside: [(path: String, aside: String)]
            do {
                setAside = try RemovedFiles.setAside(tx.removals.map { try absolute($0) })
            } catch {
                AtomicFile.restore(pending)
                throw error
            }
            let message = MemoryStore.commitMessage(tx.lines)
            // Holding the write lock, no cmem writer can hold a git lock: one found was left by a dead process.
            git.recoversStaleLocks = true
            defer { git.recoversStaleLocks = false }
            do {
                let id = try git.commit(files: writes, message: message, author: author, prepared: prepared, vetting: vet)
                AtomicFile.discardOld(pending)
                RemovedFiles.discard(setAside)
                return (value, CommitResult(commit: id, paths: tx.paths, message: message))
            } catch {
                AtomicFile.restore(pending)
                RemovedFiles.restore(setAside)
                throw commitFailure(error, paths: tx.paths)
            }
        }
    }

    /// Checks a file whose new content carries changes someone made and never committed (a hand edit the
    /// pre-commit guard refused, say): cmem commits what the guard would refuse no more than a human can.
    /// What cmem itself added was redacted on the way in and has no findings.
    func vet(_ file: GitRepository.FileWrite) throws {
        guard file.replaced != nil, let bytes = file.content, bytes.count <= Self.maxScannedBytes, !bytes.contains(0),
              let text = String(validating: bytes, as: UTF8.self) else { return }
        let findings = redaction.redactor.findings(text)
        guard let first = findings.first else { return }
        throw StoreError.invalid("\(file.path):\(first.line):\(first.column): \(first.kind) in an uncommitted edit of this file; "
            + "cmem commits no secret, and nothing was written. Remove the value (or replace it with [REDACTED]) and try again")
    }

    /// Refuses to write a note that holds git's conflict markers: naming the file and line.
    func refuseConflictMarkers(_ bytes: [UInt8], path: String) throws {
        if let line = ConflictMarkers.line(in: bytes) {
            throw StoreError.conflicted("\(path):\(line): the note holds merge conflict markers (<<<<<<<); nothing was written. "
                + "Resolve the conflict (edit the note, `git add` it, then `cmem sync`) and try again")
        }
    }

    /// What a failed commit is reported as; the files were put back as they were.
    func commitFailure(_ error: any Error, paths: [String]) -> StoreError {
        switch error {
        case let e as StoreError: return e
        case let e as GitError where e.code == .unmerged:
            return .conflicted("\(e.message): nothing was written. Resolve the conflict (edit the note, look for <<<<<<<, "
                + "`git add` it, then `cmem sync`; or `git merge --abort`), then try again")
        case let e as GitError where e.code == .locked:
            return .busy("\(e.message); nothing was written, try again in a moment")
        case let e as GitError:
            if FileManager.default.fileExists(atPath: git.gitDir + "MERGE_HEAD") {
                return .conflicted("a merge is in progress and has conflicts a human must resolve (see `cmem status`); nothing was written")
            }
            return .git(e)
        case let e as SystemError: return .io(e.description)
        default: return .io("\(error)")
        }
    }

    static func commitMessage(_ lines: [String]) -> String {
        switch lines.count {
        case 0: return "cmem: update\n"
        case 1: return lines[0] + "\n"
        default:
            let shown = lines.prefix(50).map { "- " + $0 }.joined(separator: "\n")
            let more = lines.count > 50 ? "\n- … and \(lines.count - 50) more" : ""
            return "cmem: \(lines.count) writes\n\n\(shown)\(more)\n"
        }
    }

    /// One flush for a whole batch instead of an fsync per file (imports write thousands of files).
    /// syncfs(2) is not exported to Swift; sync(2) is the same on a single-filesystem machine.
    private func syncFileSystem() {
        sync()
    }
}

func lineOfFirstInvalidUTF8(_ bytes: [UInt8]) -> Int {
    var line = 1
    var start = 0
    for (i, b) in bytes.enumerated() where b == 10 {
        if String(validating: bytes[start..<i], as: UTF8.self) == nil { return line }
        line += 1
        start = i + 1
    }
    return line
}
