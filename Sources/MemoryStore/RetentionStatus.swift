import Foundation
import MemoryModel

/// What the working tree holds in each retention tier, and what the next run would do.
public struct RetentionStatus: Sendable {
    public struct Tier: Sendable {
        public var files = 0
        public var bytes: Int64 = 0
        /// The oldest and newest day (or month, for summaries) in the tier.
        public var oldest: String?
        public var newest: String?

        var json: JSONValue {
            .object([("files", .number(Double(files))), ("bytes", .number(Double(bytes))),
                     ("oldest", oldest.map(JSONValue.string) ?? .null), ("newest", newest.map(JSONValue.string) ?? .null)])
        }
    }

    /// Day files in the tree.
    public var detailed = Tier()
    /// Month summaries in the tree.
    public var summarised = Tier()
    public var summarisedEvents = 0
    /// Session notes, and how many of them have had their action log compacted.
    public var sessions = 0
    public var compactedSessions = 0
    /// Months that left the tree whole (`timeline/archive.md`): git history keeps them.
    public var archivedMonths: [String] = []
    public var next: RetentionPlan

    public var json: JSONValue {
        .object([
            ("today", .string(next.today)),
            ("detailed", detailed.json),
            ("summarised", .object([("files", .number(Double(summarised.files))), ("bytes", .number(Double(summarised.bytes))),
                                    ("oldest", summarised.oldest.map(JSONValue.string) ?? .null),
                                    ("newest", summarised.newest.map(JSONValue.string) ?? .null),
                                    ("events", .number(Double(summarisedEvents)))])),
            ("sessions", .object([("notes", .number(Double(sessions))), ("compacted", .number(Double(compactedSessions)))])),
            ("archive", .object([("where", .string("git history")), ("months", .array(archivedMonths.map(JSONValue.string)))])),
            ("next_run", next.json),
        ])
    }
}

extension MemoryStore {
    public func retentionStatus(today: Timestamp) throws -> RetentionStatus {
        var status = RetentionStatus(next: try retentionPlan(today: today))
        func size(_ path: String) -> Int64 {
            var st = stat()
            return stat(root + "/" + path, &st) == 0 ? Int64(st.st_size) : 0
        }
        for path in dayFiles() {
            let day = String((path as NSString).lastPathComponent.prefix(10))
            status.detailed.files += 1
            status.detailed.bytes += size(path)
            if status.detailed.oldest == nil { status.detailed.oldest = day }
            status.detailed.newest = day
        }
        for path in summaryFiles() {
            guard let month = TimelineSummary.month(ofPath: path) else { continue }
            status.summarised.files += 1
            status.summarised.bytes += size(path)
            if status.summarised.oldest == nil { status.summarised.oldest = month }
            status.summarised.newest = month
            if let text = try? readText(path), let doc = try? FrontMatterDocument.split(text, path: path),
               let values = try? doc.values(path: path), let summary = try? TimelineSummary(values: values, path: path) {
                status.summarisedEvents += summary.events
            }
        }
        for path in sessionFiles() {
            status.sessions += 1
            if let text = try? readText(path), text.contains("\nactions_compacted:") { status.compactedSessions += 1 }
        }
        if let text = try? readText(TimelineArchive.path), let doc = try? FrontMatterDocument.split(text, path: TimelineArchive.path),
           let archive = try? TimelineArchive(values: doc.values(path: TimelineArchive.path), path: TimelineArchive.path) {
            status.archivedMonths = Array(Set(archive.months.map(\.month))).sorted()
        }
        return status
    }
}
