import Foundation
import MemoryModel
import MemoryStore

/// Renders memory records in the repository's on-disk format, for scenarios, tests and benchmarks that
/// need a realistic repository without going through the store (which commits every write). Day files
/// are rendered by the store's own code with the built-in templates, so they are byte for byte what
/// `recordEvents` writes; notes are the model types' front matter under a title.
public enum MemoryFiles {
    // Without a root, nothing is read from disk, so there is nothing to fail.
    private static let templates = try! Templates(root: nil)

    /// A whole day file: the store's header, then one block per event (in the order given).
    public static func dayFile(day: String, events: [TimelineEvent]) -> String {
        guard let start = Timestamp(iso8601: day) else { preconditionFailure("not a day: \(day)") }
        var out = MemoryStore.dayHeader(for: start, templates: templates)
        for e in events { out += eventBlock(e) }
        return out
    }

    /// One event block: heading, a line of links, the fenced YAML, a blank line.
    public static func eventBlock(_ e: TimelineEvent) -> String {
        MemoryStore.eventBlock(e, templates: templates)
    }

    public static func sessionNote(_ s: Session) -> String {
        var out = "---\n"
        for (_, text) in s.frontMatterEntries() { out += text }
        out += "---\n# \(s.currentTask.isEmpty ? s.id : s.currentTask)\n\n## Notes\n"
        return out
    }

    public static func decisionNote(_ d: Decision) -> String {
        var out = "---\n"
        for (_, text) in d.frontMatterEntries() { out += text }
        out += "---\n# \(d.decision)\n\n## Notes\n"
        return out
    }

    /// Writes the records under `root` (day files are replaced whole) and returns the relative paths written.
    @discardableResult
    public static func write(events: [TimelineEvent], sessions: [Session] = [], decisions: [Decision] = [],
                             to root: String) throws -> [String] {
        var byDay: [String: [TimelineEvent]] = [:]
        for e in events { byDay[e.timestamp.day, default: []].append(e) }
        var written: [String] = []
        for (day, dayEvents) in byDay.sorted(by: { $0.key < $1.key }) {
            let sorted = dayEvents.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }.map(\.element)
            let path = TimelineEvent.dayPath(for: sorted[0].timestamp)
            try writeText(dayFile(day: day, events: sorted), to: root, path: path)
            written.append(path)
        }
        for s in sessions {
            try writeText(sessionNote(s), to: root, path: s.path)
            written.append(s.path)
        }
        for d in decisions {
            try writeText(decisionNote(d), to: root, path: d.path)
            written.append(d.path)
        }
        return written
    }

    /// Writes `text` at `root/path`, creating directories. Not durable: fixtures are rebuilt, not recovered.
    public static func writeText(_ text: String, to root: String, path: String) throws {
        let full = root + "/" + path
        if let slash = full.lastIndex(of: "/") {
            try FileManager.default.createDirectory(atPath: String(full[..<slash]), withIntermediateDirectories: true)
        }
        try AtomicFile.write(text, to: full, durable: false)
    }
}
