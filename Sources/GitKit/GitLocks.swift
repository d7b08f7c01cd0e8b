import Foundation

/// git's lock files (`index.lock`, `HEAD.lock`, `refs/heads/main.lock`): who holds one, waiting for it,
/// and recovering one left behind by a writer that died.
///
/// git and libgit2 take a lock by creating `NAME.lock` exclusively and release it by renaming it over
/// `NAME` (or removing it). A process killed in between leaves the lock, and every later writer fails on
/// it until someone removes it. Removing a lock a live process holds would let two writers interleave, so
/// a lock counts as abandoned only when the caller knows no cmem writer can hold it (`recoversStaleLocks`:
/// the store sets it while it holds its own write lock), no running git works in this repository, no
/// process has the lock file open, and the lock is older than `staleAge`.
public enum GitLocks {
    /// What is known of a lock file's holder.
    public enum Holder: Equatable, Sendable {
        case none
        /// A live process may hold it (a git working in this repository, or a process with it open).
        case live
        /// Left behind: nothing that could hold it is running.
        case abandoned
    }

    /// A lock younger than this is never taken for abandoned: a git this process cannot see (another
    /// user's, in a container) may have just created it.
    public static let staleAge: Double = 1

    /// How long a writer waits for a lock a live process holds before giving up with `GitError.Code.locked`.
    public static let waitBound: Double = 2

    /// Who holds `lockPath` (absolute), for a repository whose working tree is `workdir` and git
    /// directory `gitDir`.
    public static func holder(of lockPath: String, workdir: String, gitDir: String) -> Holder {
        var st = stat()
        guard lstat(lockPath, &st) == 0 else { return .none }
        let age = Date().timeIntervalSince1970 - (Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
        if age < staleAge { return .live }
        return liveGitProcess(workdir: workdir, gitDir: gitDir, lockPath: lockPath) ? .live : .abandoned
    }

    /// Whether another process is a git working in this repository (its directory is in the working
    /// tree or the git directory: git moves to the top of the working tree when it starts) or has
    /// `lockPath` open. A git whose directory may not be read (another user's) counts as working here;
    /// one that has just exited does not.
    static func liveGitProcess(workdir: String, gitDir: String, lockPath: String) -> Bool {
        let me = getpid()
        let roots = [workdir, gitDir].map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        guard let proc = opendir("/proc") else { return true }
        defer { closedir(proc) }
        while let entry = readdir(proc) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { raw in
                raw.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard let pid = Int32(name) else { continue }
            // This process too: another of its threads (the server's) may hold the lock open.
            if pid == me {
                if hasOpen(pid: pid, path: lockPath) { return true }
                continue
            }
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if comm == "git" || comm.hasPrefix("git-") {
                var failure: Int32 = 0
                if let cwd = readLink("/proc/\(pid)/cwd", failure: &failure) {
                    if roots.contains(where: { cwd == $0 || cwd.hasPrefix($0 + "/") }) { return true }
                } else if failure == EACCES || failure == EPERM {
                    // Another user's git: where it works cannot be told.
                    return true
                }
                // Else it has exited meanwhile (a zombie has no directory).
            }
            if hasOpen(pid: pid, path: lockPath) { return true }
        }
        return false
    }

    /// Whether any process (this one included) has `path` open.
    static func isOpenAnywhere(_ path: String) -> Bool {
        guard let proc = opendir("/proc") else { return true }
        defer { closedir(proc) }
        while let entry = readdir(proc) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { raw in
                raw.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if let pid = Int32(name), hasOpen(pid: pid, path: path) { return true }
        }
        return false
    }

    private static func hasOpen(pid: Int32, path: String) -> Bool {
        guard let fds = opendir("/proc/\(pid)/fd") else { return false }
        defer { closedir(fds) }
        while let entry = readdir(fds) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { raw in
                raw.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.first == "." { continue }
            if readLink("/proc/\(pid)/fd/\(name)") == path { return true }
        }
        return false
    }

    private static func readLink(_ path: String) -> String? {
        var failure: Int32 = 0
        return readLink(path, failure: &failure)
    }

    /// The link's target, or nil with the errno of the failure in `failure`.
    private static func readLink(_ path: String, failure: inout Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else {
            failure = errno
            return nil
        }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension GitRepository {
    /// The lock files that stand in the way of a commit on HEAD: the index's, HEAD's own, and the
    /// current branch's.
    public func commitLockPaths() -> [String] {
        var paths = [gitDir + "index.lock", gitDir + "HEAD.lock"]
        if let branch = currentBranch(), !branch.hasPrefix("refs/") { paths.append(gitDir + "refs/heads/\(branch).lock") }
        return paths
    }

    /// Lock files present now (for `cmem status`), with who holds them.
    public func presentLocks() -> [(path: String, holder: GitLocks.Holder)] {
        commitLockPaths().compactMap { path in
            let holder = GitLocks.holder(of: path, workdir: workdir, gitDir: gitDir)
            return holder == .none ? nil : (path, holder)
        }
    }

    /// Waits until none of the commit's lock files is held, up to `GitLocks.waitBound`. A lock left behind
    /// by a dead writer is removed when `recoversStaleLocks` is set (the caller holds cmem's write lock, so
    /// no cmem writer can hold it); else, and for a live holder, it is waited for. Costs one `lstat` per
    /// lock when none is present. Throws `GitError.Code.locked` naming the lock when the bound passes.
    public func awaitCommitLocks() throws {
        let deadline = Date().addingTimeInterval(GitLocks.waitBound)
        for path in commitLockPaths() {
            var st = stat()
            while lstat(path, &st) == 0 {
                if recoversStaleLocks, GitLocks.holder(of: path, workdir: workdir, gitDir: gitDir) == .abandoned {
                    // Removed only if it is still the same file: a new holder may have replaced it meanwhile.
                    var now = stat()
                    if lstat(path, &now) == 0, now.st_ino == st.st_ino, unlink(path) == 0 { continue }
                }
                guard Date() < deadline else {
                    throw GitError(code: .locked, errorClass: .reference,
                                   message: "\(path) exists: another git process is writing to this repository", function: "awaitCommitLocks")
                }
                usleep(20_000)
            }
        }
    }
}

/// What git's index records of a file to tell, without reading it, whether it changed: modification
/// time, inode and size (each as the index stores it, in 32 bits).
public struct FileIdentity: Sendable, Equatable {
    public let mtime: Int64
    public let mtimeNanoseconds: Int64
    public let inode: UInt64
    public let size: UInt64

    public init(mtime: Int64, mtimeNanoseconds: Int64, inode: UInt64, size: UInt64) {
        self.mtime = mtime
        self.mtimeNanoseconds = mtimeNanoseconds
        self.inode = inode
        self.size = size
    }

    /// The identity of the file at `path` now (not following a link), or nil when there is none.
    public init?(path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        self.init(mtime: Int64(st.st_mtim.tv_sec), mtimeNanoseconds: Int64(st.st_mtim.tv_nsec), inode: UInt64(st.st_ino),
                  size: UInt64(st.st_size))
    }

    /// As the index holds it: every field cut to 32 bits.
    var truncated: FileIdentity {
        FileIdentity(mtime: Int64(UInt32(truncatingIfNeeded: mtime)), mtimeNanoseconds: Int64(UInt32(truncatingIfNeeded: mtimeNanoseconds)),
                     inode: UInt64(UInt32(truncatingIfNeeded: inode)), size: UInt64(UInt32(truncatingIfNeeded: size)))
    }
}
