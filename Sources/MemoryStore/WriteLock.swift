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
