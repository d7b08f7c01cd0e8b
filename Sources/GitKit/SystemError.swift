import Foundation

/// A failure of GitKit's own file handling on the fast commit path (`IndexFile`, `SegmentedBlobWriter`):
/// a system call that failed, with its errno and the file, or zlib refusing to compress. These are not
/// libgit2's errors and are never dressed up as `GitError`s.
public enum SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `call` (open, write, link, rename, …) failed on `path` with `errno`.
    case posix(errno: Int32, call: String, path: String)
    /// zlib could not compress the object to be written at `path`.
    case zlib(call: String, path: String)

    /// The failure of `call` on `path`, with the errno it left. Call it at once, before anything else can
    /// set errno.
    @inline(never)
    static func posix(_ call: String, _ path: String) -> SystemError {
        .posix(errno: errno, call: call, path: path)
    }

    public var description: String {
        switch self {
        case let .posix(code, call, path): return "\(call) \(path): \(String(cString: strerror(code))) (errno \(code))"
        case let .zlib(call, path): return "zlib \(call) failed for \(path)"
        }
    }
}
