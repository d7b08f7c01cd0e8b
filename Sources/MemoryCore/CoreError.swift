import MemoryModel

/// What the core answers when it cannot answer the question as asked. Front ends map each case once:
/// the CLI to an exit code, REST to a status (400, 404, 503 with Retry-After), MCP to a tool error.
public enum CoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request itself is wrong; the message says how to fix it.
    case invalid(String)
    case notFound(kind: String, id: String)
    /// The search index is still being built; ask again after `retryAfter` seconds.
    case notReady(retryAfter: Int)

    public var description: String {
        switch self {
        case let .invalid(message): return message
        case let .notFound(kind, id): return "no \(kind) with id \(id)"
        case let .notReady(seconds):
            return "the search index is still being built; try again in \(seconds) s"
        }
    }
}
