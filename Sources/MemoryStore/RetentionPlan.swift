import Foundation
import MemoryModel

/// What a retention run does on a given day: which session notes lose their action log, which day files
/// are rolled into their month's summary, which files leave the tree, and which wait (and why).
///
/// Ages are whole UTC days: a day file of day D is `today − D` days old. A tier of `N` days keeps what is
/// at most N days old: with `timeline_days: 90`, the day files 90 days old and younger stay in detail and
/// the one 91 days old is rolled up. A session's age is that of the day of its last activity; a summary's,
/// that of the last day of its month. A tier of 0 keeps everything.
public struct RetentionPlan: Sendable {
    public struct Waiting: Sendable, Equatable {
        public let path: String
        public let reason: String
    }

    public let today: String
    public let sessionDays: Int
    public let timelineDays: Int
    public let summaryDays: Int
    /// Session notes whose action log becomes counts.
    public var sessions: [String] = []
    /// Day files rolled into their month's summary, by month (`YYYY-MM`), oldest first.
    public var rollups: [(month: String, days: [String])] = []
    /// Day files and summaries of months past `summary_days`: they leave the tree (git history keeps them).
    public var archived: [String] = []
    /// What is due but waits, with why: a file with changes nobody committed, a note that cannot be read.
    public var waiting: [Waiting] = []

    public var isEmpty: Bool { sessions.isEmpty && rollups.isEmpty && archived.isEmpty }
    public var dayCount: Int { rollups.reduce(0) { $0 + $1.days.count } }

    public var json: JSONValue {
        .object([
            ("today", .string(today)),
            ("policy", .object([("session_days", .number(Double(sessionDays))), ("timeline_days", .number(Double(timelineDays))),
                                ("summary_days", .number(Double(summaryDays)))])),
            ("sessions", .array(sessions.map(JSONValue.string))),
            ("rollups", .array(rollups.map { r in
                .object([("month", .string(r.month)), ("summary", .string(TimelineSummary.path(month: r.month))),
                         ("days", .array(r.days.map(JSONValue.string)))])
            })),
            ("archived", .array(archived.map(JSONValue.string))),
            ("waiting", .array(waiting.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
        ])
    }

    /// Whole days from `day` (`YYYY-MM-DD`) to `today`; nil when `day` is not a date.
    static func age(_ day: Substring, today: Timestamp) -> Int64? {
        guard let t = Timestamp(iso8601: String(day)) else { return nil }
        return (today.startOfDay.seconds - t.seconds) / 86400
    }

    /// The last day of a month (`YYYY-MM`).
    static func lastDay(ofMonth month: String) -> Substring? {
        guard let y = Int(month.prefix(4)), let m = Int(month.dropFirst(5).prefix(2)), (1...12).contains(m) else { return nil }
        let next = m == 12 ? String(format: "%04d-01-01", y + 1) : String(format: "%04d-%02d-01", y, m + 1)
        guard let first = Timestamp(iso8601: next) else { return nil }
        return Substring(first.adding(seconds: -86400).day)
    }
}

extension MemoryStore {
    /// `timeline/YYYY/MM/summary.md` files, oldest first.
    public func summaryFiles() -> [String] { MemoryStore.summaryFiles(root: root) }

    static func summaryFiles(root: String) -> [String] {
        monthDirectories(root: root, "timeline").compactMap { month in
            let path = "\(month)/\(TimelineSummary.fileName)"
            return FileManager.default.fileExists(atPath: root + "/" + path) ? path : nil
        }
    }

    /// Every session note in the folders cmem writes them to, oldest month first.
    func sessionFiles() -> [String] {
        var result: [String] = []
        for month in monthDirectories("sessions") {
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + month)) ?? []).sorted()
            where name.hasSuffix(".md") && !name.hasPrefix(".") {
                result.append("\(month)/\(name)")
            }
        }
        return result
    }

    /// What a retention run would do on `today` with the configured tiers. Reads only: no lock, no write.
    public func retentionPlan(today: Timestamp) throws -> RetentionPlan {
        var plan = RetentionPlan(today: today.day, sessionDays: config.sessionDays, timelineDays: config.timelineDays,
                                 summaryDays: config.summaryDays)
        func monthArchived(_ month: String) -> Bool {
            guard plan.summaryDays > 0, plan.timelineDays > 0, let last = RetentionPlan.lastDay(ofMonth: month),
                  let age = RetentionPlan.age(last, today: today) else { return false }
            return age > Int64(plan.summaryDays) && age > Int64(plan.timelineDays)
        }
        var rollups: [String: [String]] = [:]
        var candidates: [String] = []
        if plan.timelineDays > 0 {
            for path in dayFiles() {
                let name = (path as NSString).lastPathComponent
                let day = name.prefix(10)
                guard let age = RetentionPlan.age(day, today: today) else { continue }
                let month = String(day.prefix(7))
                if monthArchived(month) {
                    plan.archived.append(path)
                    candidates.append(path)
                } else if age > Int64(plan.timelineDays) {
                    rollups[month, default: []].append(path)
                    candidates.append(path)
                }
            }
            for path in summaryFiles() {
                guard let month = TimelineSummary.month(ofPath: path) else { continue }
                if monthArchived(month) {
                    plan.archived.append(path)
                    candidates.append(path)
                } else if rollups[month] != nil {
                    candidates.append(path)
                }
            }
        }
        if plan.sessionDays > 0 {
            for path in sessionFiles() {
                do {
                    // Most old notes were compacted by an earlier run: an empty action log needs no parse.
                    guard let text = try readText(path), !text.contains("\nactions: []\n") else { continue }
                    let (s, _) = try MemoryStore.parseSession(text, path: path)
                    guard !s.actions.isEmpty, let age = RetentionPlan.age(Substring(s.lastActivity.day), today: today),
                          age > Int64(plan.sessionDays) else { continue }
                    plan.sessions.append(path)
                    candidates.append(path)
                } catch let error as StoreError {
                    guard case let .note(e) = error else { throw error }
                    plan.waiting.append(.init(path: path, reason: "cannot be read (\(e.path):\(e.line): \(e.message)); fix the note and run again"))
                }
            }
        }
        // A file someone changed and never committed waits: removing it would lose the change, and rewriting it
        // would commit someone else's edit. Its month waits with it, so a summary never half-holds a month.
        // One status of the whole tree costs less than a lookup per path once there are more than a few.
        let candidateSet = Set(candidates)
        let dirty = candidates.count > 64 ? try git.dirtyPaths().filter { candidateSet.contains($0.path) } : try git.dirtyPaths(among: candidates)
        var waitingMonths = Set<String>()
        for change in dirty {
            let reason = change.kind == .added
                ? "is not committed yet; commit it (or run `cmem sync`) and run again"
                : "has changes nobody committed; commit them (or run `cmem sync`) and run again"
            plan.waiting.append(.init(path: change.path, reason: reason))
            if change.path.hasPrefix("timeline/") {
                let parts = change.path.split(separator: "/")
                if parts.count == 4 { waitingMonths.insert("\(parts[1])-\(parts[2])") }
            }
        }
        let dirtyPaths = Set(dirty.map(\.path))
        plan.sessions.removeAll { dirtyPaths.contains($0) }
        plan.archived.removeAll { path in
            guard path.hasPrefix("timeline/") else { return false }
            let parts = path.split(separator: "/")
            return waitingMonths.contains("\(parts[1])-\(parts[2])")
        }
        for month in rollups.keys.sorted() where !waitingMonths.contains(month) {
            plan.rollups.append((month, rollups[month]!))
        }
        for month in waitingMonths.sorted() {
            guard let days = rollups[month] else { continue }
            for day in days where !dirtyPaths.contains(day) {
                plan.waiting.append(.init(path: day, reason: "waits for another file of \(month) that has uncommitted changes"))
            }
        }
        return plan
    }
}
