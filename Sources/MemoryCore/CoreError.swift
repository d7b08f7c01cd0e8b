import MemoryModel

/// What the core answers when it cannot answer the question as asked. Front ends map each case once:
/// the CLI to an exit code, REST to a status (400, 404, 503 with Retry-After), MCP to a tool error.
public enum CoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request itself is wrong; the message says how to fix it.
    case invalid(String)
    case notFound(kind: String, id: String)
    /// The question names something the memory does not hold (a component not in the collected state,
    /// a state never collected); the message says what.
    case absent(String)
    /// The search index is still being built; ask again after `retryAfter` seconds.
    case notReady(retryAfter: Int)
    /// A write named no session and the project has no active one (`ended`: the last one, if it ended
    /// within the window). Each front end says how to start one in its own terms.
    case noActiveSession(project: String, root: String, ended: String?)

    public var description: String {
        switch self {
        case let .invalid(message): return message
        case let .notFound(kind, id): return "no \(kind) with id \(id)"
        case let .absent(message): return message
        case let .notReady(seconds):
            return "the search index is still being built; try again in \(seconds) s"
        case let .noActiveSession(project, root, ended):
            return "no active session for project \(project) (\(root))"
                + (ended.map { "; the last one, \($0), has ended (name it explicitly to change it)" } ?? "")
        }
    }
}
