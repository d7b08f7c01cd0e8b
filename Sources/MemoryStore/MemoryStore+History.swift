import Foundation
import GitKit
import MemoryModel

/// Reading back what retention took out of the tree: the summaries in the tree, and the day files in the
/// commits they name (or, for months whose summary left too, in the parents of retention's commits).
extension MemoryStore {
    /// A month's summary in the tree, read.
    public struct SummaryNote: Sendable {
        public let path: String
        public let summary: TimelineSummary
    }

    /// The summaries of the months overlapping `from`…`to`, oldest first. One that cannot be read is left out.
    public func summaries(from: Timestamp? = nil, to: Timestamp? = nil) -> [SummaryNote] {
        MemoryStore.summaries(root: root, from: from, to: to)
    }

    /// The same in the repository at `root`, without opening it: the index's queries answer from any thread.
    public static func summaries(root: String, from: Timestamp? = nil, to: Timestamp? = nil) -> [SummaryNote] {
        summaryDocuments(root: root, from: from, to: to).compactMap { path, doc in
            guard let values = try? doc.values(path: path), let summary = try? TimelineSummary(values: values, path: path) else { return nil }
            return SummaryNote(path: path, summary: summary)
        }
    }

    /// A month summary's events and the commits holding its detail: what a timeline answer says of a month
    /// retention rolled up.
    public struct SummaryBrief: Sendable, Equatable {
        public let path: String
        public let month: String
        public let events: Int
        public let details: [String]
    }

    /// The months overlapping `from`…`to` that left the tree whole (`timeline/archive.md`), oldest first,
    /// each with the commit that still holds them; none when the archive note is absent or unreadable.
    public static func archivedMonths(root: String, from: Timestamp? = nil, to: Timestamp? = nil) -> [TimelineArchive.Month] {
        let path = TimelineArchive.path
        guard (try? refuseLinks(root: root, relative: path)) != nil, let bytes = try? AtomicFile.read(root + "/" + path),
              let text = String(validating: bytes, as: UTF8.self), let doc = try? FrontMatterDocument.split(text, path: path),
              let archive = try? TimelineArchive(values: doc.values(path: path), path: path) else { return [] }
        let fromMonth = from.map { String($0.day.prefix(7)) }, toMonth = to.map { String($0.day.prefix(7)) }
        return archive.months.filter { m in
            (fromMonth.map { m.month >= $0 } ?? true) && (toMonth.map { m.month <= $0 } ?? true)
        }.sorted { ($0.month, $0.detail) < ($1.month, $1.detail) }
    }

    /// `summaries(root:from:to:)` reduced to what a timeline answer names, read without decoding each day's
    /// counts when the front matter is in the form cmem writes.
    public static func summaryBriefs(root: String, from: Timestamp? = nil, to: Timestamp? = nil) -> [SummaryBrief] {
        summaryDocuments(root: root, from: from, to: to).compactMap { path, doc in
            guard let month = TimelineSummary.month(ofPath: path) else { return nil }
            if let raw = doc.raw("days"), let (events, details) = TimelineSummary.brief(daysEntry: raw) {
                return SummaryBrief(path: path, month: month, events: events, details: details)
            }
            guard let values = try? doc.values(path: path), let summary = try? TimelineSummary(values: values, path: path) else { return nil }
            return SummaryBrief(path: path, month: month, events: summary.events, details: Array(Set(summary.days.map(\.detail))).sorted())
        }
    }

    /// The summary notes of the months overlapping `from`…`to`, split; one that cannot be read is left out.
    private static func summaryDocuments(root: String, from: Timestamp?, to: Timestamp?) -> [(String, FrontMatterDocument)] {
        let fromMonth = from.map { String($0.day.prefix(7)) }, toMonth = to.map { String($0.day.prefix(7)) }
        return summaryFiles(root: root).compactMap { path in
            guard let month = TimelineSummary.month(ofPath: path) else { return nil }
            if let fromMonth, month < fromMonth { return nil }
            if let toMonth, month > toMonth { return nil }
            guard (try? refuseLinks(root: root, relative: path)) != nil, let bytes = try? AtomicFile.read(root + "/" + path),
                  let text = String(validating: bytes, as: UTF8.self), let doc = try? FrontMatterDocument.split(text, path: path) else { return nil }
            return (path, doc)
        }
    }

    /// Where a day's detail is in history: each commit that holds a version of the day file retention
    /// removed. From the summaries' `days`, else (a month whose summary left the tree too) from the parents
    /// of retention's commits that removed it.
    public struct HistoricalDay: Sendable, Equatable {
        public let day: String
        public let path: String
        public let commit: String
    }

    /// Day files removed by retention for the days `from`…`to` (UTC days, inclusive), oldest first.
    public func historicalDays(from: String, to: String) throws -> [HistoricalDay] {
        var result: [HistoricalDay] = []
        var covered = Set<String>()
        for note in summaries(from: Timestamp(iso8601: from), to: Timestamp(iso8601: to)) {
            for d in note.summary.days where d.day >= from && d.day <= to {
                guard let time = Timestamp(iso8601: d.day) else { continue }
                result.append(HistoricalDay(day: d.day, path: TimelineEvent.dayPath(for: time), commit: d.detail))
                covered.insert(d.day)
            }
        }
        // Months archived whole: `timeline/archive.md` names the commit that holds their day files and summary.
        if let text = try readText(TimelineArchive.path), let doc = try? FrontMatterDocument.split(text, path: TimelineArchive.path),
           let archive = try? TimelineArchive(values: doc.values(path: TimelineArchive.path), path: TimelineArchive.path) {
            for m in archive.months where m.month >= String(from.prefix(7)) && m.month <= String(to.prefix(7)) {
                guard let commit = ObjectID(hex: m.detail) else { continue }
                // The month's summary, as it was then, names earlier commits for days rolled before.
                let summaryPath = TimelineSummary.path(month: m.month)
                if let bytes = try? git.blob(at: commit, path: summaryPath), let text = String(validating: bytes, as: UTF8.self),
                   let doc = try? FrontMatterDocument.split(text, path: summaryPath),
                   let summary = try? TimelineSummary(values: doc.values(path: summaryPath), path: summaryPath) {
                    for d in summary.days where d.day >= from && d.day <= to && !covered.contains(d.day) {
                        guard let time = Timestamp(iso8601: d.day) else { continue }
                        result.append(HistoricalDay(day: d.day, path: TimelineEvent.dayPath(for: time), commit: d.detail))
                    }
                }
                guard var day = Timestamp(iso8601: m.month + "-01") else { continue }
                while day.day.hasPrefix(m.month) {
                    let path = TimelineEvent.dayPath(for: day)
                    if day.day >= from, day.day <= to, (try? git.blob(at: commit, path: path)) ?? nil != nil {
                        result.append(HistoricalDay(day: day.day, path: path, commit: m.detail))
                    }
                    day = day.adding(seconds: 86400)
                }
            }
        }
        return result.sorted { ($0.day, $0.commit) < ($1.day, $1.commit) }
    }

    /// The events of `filter`'s range read back from history: what the day files held when retention removed
    /// them. Each event once (a day rolled twice is read from both commits). `since` is required: history is
    /// read day by day.
    public func historicalTimeline(_ filter: TimelineFilter) throws -> (events: [TimelineEvent], days: [HistoricalDay], warnings: [NoteError]) {
        guard let since = filter.since else { throw ValidationError("reading from history needs --since") }
        let until = filter.until ?? .now()
        let days = try historicalDays(from: since.day, to: until.day)
        var seen = Set<String>()
        var events: [TimelineEvent] = []
        var warnings: [NoteError] = []
        for d in days {
            guard let id = ObjectID(hex: d.commit), let bytes = try git.blob(at: id, path: d.path) else {
                warnings.append(NoteError(path: d.path, line: 1, message: "not found in commit \(d.commit)"))
                continue
            }
            let parsed = TimelineDay.parse(bytes, path: "\(d.commit.prefix(12)):\(d.path)")
            warnings += parsed.errors
            for e in parsed.events where filter.matches(e) && seen.insert(e.id).inserted { events.append(e) }
        }
        events.sort { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        if events.count > filter.limit { events = Array(events.prefix(filter.limit)) }
        return (events, days, warnings)
    }

    /// An event retention took out of the tree, read back from the commit that holds its day file, with
    /// where it was found (`commit:path`). Only ids that carry their day (`ev-YYYYMMDD-…`) are looked up.
    public func historicalEvent(id: String) throws -> (event: TimelineEvent, location: String)? {
        try Identifier.validate(id, what: "event id")
        guard let day = Identifier.day(of: id) else { return nil }
        for d in try historicalDays(from: day, to: day).reversed() {
            guard let commit = ObjectID(hex: d.commit), let bytes = try git.blob(at: commit, path: d.path) else { continue }
            if let e = TimelineDay.parse(bytes, path: d.path).events.first(where: { $0.id == id }) {
                return (e, "\(d.commit):\(d.path)")
            }
        }
        return nil
    }
}
