import GitKit
import MemoryModel

/// The audit history of a note or an event: the commits that wrote it, newest first (for an event in a
/// day file, the commits that mention or added it). `cmem log --json` and GET /memory/history/{id}.
public struct NoteHistory: Sendable {
    /// Repository-relative; nil for the history of the whole repository.
    public var path: String?
    public var commits: [CommitInfo]

    public init(path: String?, commits: [CommitInfo]) {
        self.path = path
        self.commits = commits
    }

    public var json: JSONValue {
        .object([
            ("path", path.map { .string($0) } ?? .null),
            ("commits", .array(commits.map { c in
                .object([("commit", .string(c.id.hex)), ("author", .string(c.authorName)), ("email", .string(c.authorEmail)),
                         ("time", .string(Timestamp(seconds: c.time).iso8601)), ("message", .string(c.message))])
            })),
        ])
    }
}
