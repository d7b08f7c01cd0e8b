/// Who a commit is authored by. A plain value; converted to a libgit2 signature only at commit time.
public struct Signature: Sendable, Equatable {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }
}

/// One commit as `cmem log` shows it.
public struct CommitInfo: Sendable, Equatable {
    public let id: ObjectID
    public let authorName: String
    public let authorEmail: String
    /// Seconds since the epoch, author time.
    public let time: Int64
    public let message: String

    public var summary: String {
        String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}

/// One path that differs between two trees, or between the index and the working tree.
public struct ChangedPath: Sendable, Equatable, Hashable {
    public enum Kind: Sendable { case added, modified, deleted }
    public let path: String
    public let kind: Kind
}
