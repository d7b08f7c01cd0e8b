import Foundation
import MemoryModel
import MemoryStore

/// Renders memory records in the repository's on-disk format, for scenarios, tests and benchmarks that
/// need a realistic repository without going through the store. The shapes follow the templates in
/// `templates/` and the front-matter writers of the model types.
public enum MemoryFiles {
    /// A whole day file: front matter, title, then one block per event (in the order given).
    public static func dayFile(day: String, events: [TimelineEvent]) -> String {
        var out = "---\ndate: \(day)\n---\n# Timeline \(day)\n\n"
        out += "Events of \(day) (UTC), oldest first. Each event is one block; `cmem` only ever adds blocks.\n\n"
        for e in events { out += eventBlock(e) }
        return out
    }

    /// One event block: heading, a line of links, the fenced YAML, a blank line.
    public static func eventBlock(_ e: TimelineEvent) -> String {
        var out = "## \(e.timestamp.timeOfDay) \(e.type) — \(TimelineDay.headline(e))\n"
        for c in e.components { out += "[[\(c)]] " }
        out += (e.components.isEmpty ? "" : "· ") + "\(e.source) · \(e.severity.rawValue)\n\n"
        out += TimelineDay.fencedYAML(for: e)
        out += "\n"
        return out
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
