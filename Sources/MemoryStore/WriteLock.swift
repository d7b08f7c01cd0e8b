import Foundation

/// Serialises writers across processes with `flock` on `.git/cmem/write.lock`. The kernel drops the lock
/// when its holder exits, so a writer that dies never leaves the repository locked.
public final class WriteLock {
    private let fd: Int32
    public let path: String

    public init(gitDir: String) throws {
        let dir = (gitDir as NSString).appendingPathComponent("cmem")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = (dir as NSString).appendingPathComponent("write.lock")
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io("cannot open lock \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// What a writer is about to change, kept in the lock file while it writes: found there by the next
    /// holder, it says the writer died mid-write (a writer clears it before it lets go), which files it
    /// was writing and whether each existed before, so that its half-done write can be undone.
    public struct Intent: Sendable {
        public let pid: pid_t
        /// Paths relative to the repository, each with whether the file existed before the write.
        public let paths: [(path: String, existed: Bool)]

        public static func == (a: Intent, b: Intent) -> Bool {
            a.pid == b.pid && a.paths.map(\.path) == b.paths.map(\.path) && a.paths.map(\.existed) == b.paths.map(\.existed)
        }
    }

    /// Records `intent` in the lock file (called holding the lock, before the first file is written).
    public func record(_ intent: Intent) {
        var text = "\(intent.pid)\n"
        for (path, existed) in intent.paths { text += "\(existed ? "+" : "-")\(path)\n" }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        ftruncate(fd, off_t(bytes.count))
    }

    /// Forgets the recorded intent: the write it described is finished, or undone.
    public func clearIntent() {
        ftruncate(fd, 0)
    }

    /// The intent a writer that died mid-write left, if any (called holding the lock).
    public func unfinishedIntent() -> Intent? {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0, st.st_size < 16 << 20 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n == bytes.count else { return nil }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        guard let first = lines.first, let pid = pid_t(first) else { return nil }
        let paths = lines.dropFirst().compactMap { line -> (String, Bool)? in
            guard let mark = line.first, mark == "+" || mark == "-" else { return nil }
            return (String(line.dropFirst()), mark == "+")
        }
        return Intent(pid: pid, paths: paths)
    }

    /// Runs `body` holding the lock. Waits up to `timeout` seconds.
    public func withLock<T>(timeout: Double = 30, _ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        var delay: UInt32 = 500
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw StoreError.io("cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            guard Date() < deadline else { throw StoreError.lockTimeout(path) }
            usleep(delay)
            delay = min(delay * 2, 20_000)
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
