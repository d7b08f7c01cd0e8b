import Foundation
import GitKit
import MemoryModel
import MemoryStore

/// "Since you left": what changed between the previous session's end and this session's start. Bounded
/// by the two sessions, so the answer is the same whenever and through whichever front end it is asked:
/// - commits in the project's code repository after the previous session's end HEAD, up to this
///   session's start HEAD, by anyone, each with its files and the components they touch;
/// - timeline events on the project's components in that time (deploys, incidents, health);
/// - decisions recorded in that time by other sessions of the project.
public struct SincePrevious: Sendable {
    public struct Commit: Sendable, Equatable {
        public var id: String
        public var author: String
        public var time: Timestamp
        public var subject: String
        public var files: [String]
        public var components: [String]

        /// One line: short id, author, subject, files (at most three) and components.
        public var line: String {
            var text = "\(id.prefix(7)) \(author): \(HandoffBuilder.clip(subject, 100))"
            if !files.isEmpty {
                text += " [" + files.prefix(3).joined(separator: ", ") + (files.count > 3 ? " +\(files.count - 3)" : "") + "]"
            }
            if !components.isEmpty { text += " (" + components.joined(separator: ", ") + ")" }
            return text
        }
    }

    public var previousSession: String
    public var from: Timestamp
    public var to: Timestamp
    public var commits: [Commit] = []
    public var commitsTruncated = false
    public var events: [TimelineEvent] = []
    public var decisions: [Decision] = []

    public static let maxCommits = 20
    public static let maxEvents = 20
    public static let maxDecisions = 10
    /// Events and decisions are looked for at most this far back (day files are read one by one).
    public static let maxDays: Int64 = 14

    public var isEmpty: Bool { commits.isEmpty && events.isEmpty && decisions.isEmpty }

    /// What changed between `previous` and `session` (which continues it). `days`: day files a handoff
    /// builder already read.
    public static func compute(store: MemoryStore, session: Session, previous: Session, components: Set<String>,
                               days: DayEvents? = nil) -> SincePrevious {
        let from = previous.endedAt ?? previous.lastActivity
        let to = session.startedAt
        var result = SincePrevious(previousSession: previous.id, from: from, to: to)
        let catalog = ComponentCatalog.load(root: store.root)
        if let end = session.codeHeadAtStart.flatMap(ObjectID.init(hex:)), let repo = try? GitRepository(path: session.workingDirectory) {
            let base = (previous.codeHeadAtEnd ?? previous.codeHeadAtStart).flatMap(ObjectID.init(hex:))
            if let (commits, truncated) = try? repo.commits(from: base, to: end, limit: maxCommits) {
                // Without a recorded HEAD, the commit times bound the range.
                let kept = base == nil ? commits.filter { $0.info.time > from.seconds } : commits
                result.commitsTruncated = truncated && kept.count == commits.count
                result.commits = kept.map { c in
                    let files = c.paths.map(\.path)
                    let touched = Set(files.flatMap { catalog.components(covering: $0) }).sorted()
                    return Commit(id: c.info.id.hex, author: c.info.authorName, time: Timestamp(seconds: c.info.time),
                                  subject: c.info.summary, files: files, components: touched)
                }
            }
        }
        guard from < to else { return result }
        let since = max(from, to.adding(seconds: -maxDays * 86400))
        if !components.isEmpty {
            var filter = MemoryStore.TimelineFilter()
            filter.since = since
            filter.until = to
            filter.components = components
            filter.limit = Int.max
            let events = (try? HandoffBuilder.timeline(store: store, filter, days: days)) ?? []
            let newest = events.filter { $0.timestamp > from }.reversed()
            let important = newest.filter(HandoffBuilder.isImportant)
            let rest = newest.filter { !HandoffBuilder.isImportant($0) }
            result.events = (important + rest).prefix(maxEvents).sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        }
        result.decisions = decisions(store: store, project: session.project, after: from, until: to, excluding: [previous.id, session.id])
        return result
    }

    /// Decisions of `project` recorded in (after, until], by a session other than `excluding`, oldest
    /// first. Only the month folders of that span are listed, and only notes whose id's day is in it read.
    static func decisions(store: MemoryStore, project: String, after: Timestamp, until: Timestamp, excluding: Set<String>) -> [Decision] {
        let fm = FileManager.default
        let firstDay = after.day
        let lastDay = until.day
        var found: [Decision] = []
        var month = String(firstDay.prefix(7))
        let lastMonth = String(lastDay.prefix(7))
        var months: [String] = []
        while month <= lastMonth, months.count < 3 {
            months.append(month)
            var y = Int(month.prefix(4)) ?? 0, m = (Int(month.suffix(2)) ?? 12) + 1
            if m > 12 { y += 1; m = 1 }
            month = String(format: "%04d-%02d", y, m)
        }
        for month in months {
            let dir = "decisions/\(month.prefix(4))/\(month.suffix(2))"
            for name in ((try? fm.contentsOfDirectory(atPath: store.root + "/" + dir)) ?? []) where name.hasSuffix(".md") {
                let id = String(name.dropLast(3))
                if let day = Identifier.day(of: id), day < firstDay || day > lastDay { continue }
                guard let d = try? store.lookupDecision(id: id), d.timestamp > after, d.timestamp <= until else { continue }
                guard d.project == project || d.project.isEmpty, !excluding.contains(d.sessionID ?? "") else { continue }
                found.append(d)
            }
        }
        found.sort { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        return Array(found.suffix(maxDecisions))
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("previous_session", .string(previousSession)), ("from", .string(from.iso8601)), ("to", .string(to.iso8601)),
            ("commits", .array(commits.map { c in
                .object([("commit", .string(c.id)), ("author", .string(c.author)), ("time", .string(c.time.iso8601)),
                         ("subject", .string(c.subject)), ("files", .array(c.files.map { .string($0) })),
                         ("components", .array(c.components.map { .string($0) }))])
            })),
        ]
        if commitsTruncated { pairs.append(("commits_truncated", .bool(true))) }
        pairs.append(("events", .array(events.map(\.json))))
        pairs.append(("decisions", .array(decisions.map(\.json))))
        return .object(pairs)
    }
}
