import CGitFast
import Foundation

/// Makes files durable in one batch, the way git's `core.fsyncMethod=batch` does: writeback of every
/// file is started first, then each is fsynced. On a journalling file system the first fsync commits
/// the metadata of all of them in one journal transaction and the others only wait for their data, so
/// a commit's handful of objects costs about one fsync instead of one per object (libgit2's own
/// `GIT_OPT_ENABLE_FSYNC_GITDIR` syncs each object, and its folder, as it is written).
public enum DurableFiles {
    /// fsyncs every file of `paths` that exists, then `folders` (the folders new names were made in).
    /// The first failure is returned; a missing file is not one (an object may live in a pack).
    @discardableResult
    public static func sync(_ paths: [String], folders: [String] = []) -> SystemError? {
        var failure: SystemError?
        var fds: [(fd: Int32, path: String)] = []
        fds.reserveCapacity(paths.count)
        for path in paths {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                if errno != ENOENT, failure == nil { failure = .posix("open", path) }
                continue
            }
            _ = cgf_start_writeback(fd)
            fds.append((fd, path))
        }
        for (fd, path) in fds {
            if fsync(fd) != 0, failure == nil { failure = .posix("fsync", path) }
            close(fd)
        }
        var seen = Set<String>()
        for folder in folders where seen.insert(folder.hasSuffix("/") ? String(folder.dropLast()) : folder).inserted {
            if let error = syncFolder(folder), failure == nil { failure = error }
        }
        return failure
    }

    /// fsyncs a folder, so that names made or replaced in it survive a power loss.
    @discardableResult
    public static func syncFolder(_ path: String) -> SystemError? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return errno == ENOENT ? nil : .posix("open", path) }
        defer { close(fd) }
        return fsync(fd) == 0 ? nil : .posix("fsync", path)
    }
}
