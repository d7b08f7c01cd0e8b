import MemoryModel

/// A full-text search with exact filters. Empty `text` lists the documents that pass the filters.
public struct SearchQuery: Sendable, Equatable {
    public enum Order: String, Sendable {
        /// Best BM25 score first (ties: newest first). A hit matches at least one term.
        case relevance
        /// By time. A hit matches every term.
        case newestFirst, oldestFirst

        /// The names every front end takes: relevance, newest, oldest.
        public init?(name: String) {
            switch name {
            case "relevance": self = .relevance
            case "newest": self = .newestFirst
            case "oldest": self = .oldestFirst
            default: return nil
            }
        }
    }

    public var text: String
    /// Kinds of document to return; empty means all.
    public var kinds: Set<DocumentKind>
    /// Event types (`deployment`, `pod_restart`); empty means any. Only events have a type.
    public var eventTypes: Set<String>
    /// Event sources (`argocd`, `k8s`); empty means any.
    public var sources: Set<String>
    /// Components, exact names; a document matches if it names any of them.
    public var components: Set<String>
    /// Severities; empty means any. `SearchQuery.severities(atLeast:)` builds the usual "this or worse".
    public var severities: Set<Severity>
    public var since: Timestamp?
    /// Exclusive.
    public var until: Timestamp?
    /// Session ID: the session itself and the decisions taken in it.
    public var session: String?
    /// Project of sessions and decisions.
    public var project: String?
    public var order: Order
    public var limit: Int

    public init(_ text: String = "", kinds: Set<DocumentKind> = [], eventTypes: Set<String> = [], sources: Set<String> = [],
                components: Set<String> = [], severities: Set<Severity> = [], since: Timestamp? = nil, until: Timestamp? = nil,
                session: String? = nil, project: String? = nil, order: Order = .relevance, limit: Int = 10) {
        self.text = text
        self.kinds = kinds
        self.eventTypes = eventTypes
        self.sources = sources
        self.components = components
        self.severities = severities
        self.since = since
        self.until = until
        self.session = session
        self.project = project
        self.order = order
        self.limit = limit
    }

    /// Up to and including `t`: what people mean by "until" (a bare date, parsed with `endOfDay`, then
    /// takes in the whole day). `until` itself is exclusive.
    public mutating func include(through t: Timestamp?) {
        until = t.map { Timestamp(milliseconds: $0.milliseconds + 1) }
    }

    public static func severities(atLeast minimum: Severity) -> Set<Severity> {
        Set(Severity.allCases.filter { $0 >= minimum })
    }
}

/// One search result, with where it lives (`path:line`) and the record re-read from that place.
public struct SearchHit: Sendable {
    public var kind: DocumentKind
    public var id: String
    /// Repository-relative path of the note.
    public var path: String
    /// 1-based line of the event's heading, or 1 for a session or decision note.
    public var line: Int
    public var timestamp: Timestamp
    /// BM25 score (0 when ordered by time without text).
    public var score: Double
    /// The event description, the decision, or the session task.
    public var title: String
    public var event: TimelineEvent?
    public var decision: Decision?
    public var session: Session?

    public var location: String { "\(path):\(line)" }
}

public struct SearchResults: Sendable {
    public var hits: [SearchHit]
    /// How many documents matched, before the limit; nil when not counted: a relevance search skips the
    /// documents that cannot make its top (MaxScore pruning), and does not count what it does not read.
    public var totalMatches: Int?
    public var freshness: Freshness
}

/// Which state of the repository an answer reflects. Every answer carries one.
public struct Freshness: Sendable, Equatable {
    public enum Update: Sendable, Equatable {
        /// The snapshot was already up to date.
        case current
        /// Brought up to date by re-reading the files that changed.
        case incremental(files: Int)
        /// Built from scratch, and why (no snapshot, a damaged one, a new format).
        case rebuilt(reason: String)
    }

    /// The HEAD commit the index reflects; nil when the repository has no commit yet.
    public var commit: String?
    /// Uncommitted files (edited, new, staged) whose current content is included.
    public var dirtyFiles: [String]
    public var includesDirtyFiles: Bool { !dirtyFiles.isEmpty }
    /// When the index was last brought up to date.
    public var updatedAt: Timestamp
    /// When the index was last checked against the working tree (the open, or the last refresh).
    public var checkedAt: Timestamp
    /// When every session and decision note was last checked for edits made in place (see
    /// `MemoryIndex.Options.noteSweepInterval`); timeline day files and directories are checked every time.
    public var notesVerifiedAt: Timestamp
    public var update: Update
    /// Notes that could not be read and were skipped, with file and line.
    public var warnings: [NoteError]

    public var wasRebuilt: Bool {
        if case .rebuilt = update { return true }
        return false
    }

    /// "abc1234 + 2 uncommitted files"
    public var summary: String {
        let c = commit.map { String($0.prefix(7)) } ?? "no commit"
        return dirtyFiles.isEmpty ? c : "\(c) + \(dirtyFiles.count) uncommitted file\(dirtyFiles.count == 1 ? "" : "s")"
    }
}

/// `cmem index status`.
public struct IndexStatus: Sendable {
    public var freshness: Freshness
    /// HEAD now, read from the repository (may differ from `freshness.commit` if it moved since the open).
    public var head: String?
    /// True when the repository changed since the index was brought up to date (HEAD moved, a day file
    /// or a directory changed). Session and decision notes edited in place are checked by `refresh()`.
    public var isStale: Bool
    public var events: Int
    public var decisions: Int
    public var sessions: Int
    public var files: Int
    public var terms: Int
    public var baseDocuments: Int
    public var deltaDocuments: Int
    public var snapshotBytes: Int
    public var snapshotDirectory: String
}

/// What the last open or refresh did, for tests and benchmarks.
public struct UpdateStatistics: Sendable, Equatable {
    public var filesParsed = 0
    public var documentsParsed = 0
    public var filesChecked = 0
    public var compacted = false
    public var snapshotWritten = false
    public init() {}
}
