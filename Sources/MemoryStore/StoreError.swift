import GitKit
import MemoryModel

/// Everything the store can fail with, each phrased for the person at the terminal.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case notARepository(String)
    case notFound(kind: String, id: String)
    case io(String)
    case tooLarge(path: String, bytes: Int, limit: Int)
    case note(NoteError)
    case invalid(String)
    case git(GitError)
    case lockTimeout(String)
    /// A git lock held by a live writer (a human's git) did not go within the bound; nothing was written.
    case busy(String)
    /// A note with an unresolved merge conflict (or its markers); nothing was written.
    case conflicted(String)

    public var description: String {
        switch self {
        case let .notARepository(path):
            return "\(path) is not a Cortex Memory repository; create one with `cmem init \(path)`"
        case let .notFound(kind, id): return "no \(kind) with id \(id)"
        case let .io(message): return message
        case let .tooLarge(path, bytes, limit): return "\(path) is \(bytes) bytes, over the \(limit)-byte limit; it is not read"
        case let .note(error): return error.description
        case let .invalid(message): return message
        case let .git(error): return "git: \(error.description)"
        case let .lockTimeout(path): return "timed out waiting for the write lock \(path); is another cmem stuck?"
        case let .busy(message): return message
        case let .conflicted(message): return message
        }
    }
}
