import Foundation

/// The summary note of a month whose day files retention rolled up: `timeline/YYYY/MM/summary.md`.
///
/// The front matter holds what is counted (by type, severity and component) and, for each day rolled in,
/// how many events it had and the commit that still holds its day file (`detail`). The body holds what is
/// kept of single events: every deployment and config change as one line with its time and id, every
/// incident and every error or critical event as its event block, verbatim (the same blocks a day file
/// holds, so every reader of day files reads them as events), and any prose a human wrote in a day file.
/// cmem only ever adds to the body outside the generated section, as it does to a day file.
public struct TimelineSummary: Sendable, Equatable {
    /// One roll-up of one day: a day rolled twice (a late event recreated its day file) has two. Counts
    /// are kept per roll-up so that two clones that rolled the same day merge without counting it twice.
    public struct Day: Sendable, Equatable {
        public var day: String
        public var events: Int
        /// The commit that still holds the day file as it was rolled up (the parent of the one that removed it).
        public var detail: String
        public var byType: [String: Int] = [:]
        public var bySeverity: [String: Int] = [:]
        public var byComponent: [String: Int] = [:]
        public init(day: String, events: Int, detail: String) {
            self.day = day
            self.events = events
            self.detail = detail
        }

        public mutating func count(_ e: TimelineEvent) {
            events += 1
            byType[e.type, default: 0] += 1
            bySeverity[e.severity.rawValue, default: 0] += 1
            for c in e.components { byComponent[c, default: 0] += 1 }
        }
    }

    /// How much of an event a summary keeps.
    public enum Keep: Sendable, Equatable {
        /// Counted only.
        case counted
        /// Counted, and one line with its time, type, id, components and description.
        case line
        /// Counted, and its event block verbatim.
        case block
    }

    public var month: String
    public var days: [Day] = []

    public init(month: String) { self.month = month }

    public var events: Int { days.reduce(0) { $0 + $1.events } }
    public var byType: [String: Int] { total(\.byType) }
    public var bySeverity: [String: Int] { total(\.bySeverity) }
    public var byComponent: [String: Int] { total(\.byComponent) }

    private func total(_ key: KeyPath<Day, [String: Int]>) -> [String: Int] {
        var out: [String: Int] = [:]
        for d in days { for (k, v) in d[keyPath: key] { out[k, default: 0] += v } }
        return out
    }

    public static let fileName = "summary.md"
    public static let linesHeading = "## Deployments and config changes"
    public static let notesHeading = "## Notes kept from the day files"
    public static let blocksHeading = "## Incidents, errors and critical events"

    /// `timeline/2026/01/summary.md` for `2026-01`.
    public static func path(month: String) -> String {
        "timeline/\(month.prefix(4))/\(month.dropFirst(5).prefix(2))/\(fileName)"
    }

    /// The month (`YYYY-MM`) of a summary's path, or nil when the path is not one.
    public static func month(ofPath path: String) -> String? {
        let parts = path.split(separator: "/")
        guard parts.count == 4, parts[0] == "timeline", parts[3] == fileName, parts[1].count == 4, parts[2].count == 2,
              parts[1].allSatisfy(\.isNumber), parts[2].allSatisfy(\.isNumber) else { return nil }
        return "\(parts[1])-\(parts[2])"
    }

    public static func keep(_ e: TimelineEvent) -> Keep {
        if e.type == "incident" || e.severity >= .error { return .block }
        if e.type == "deployment" || e.type == "config_change" || e.type == "rollback" { return .line }
        return .counted
    }

    /// The one line a deployment or config change keeps: it sorts by time as plain text, and names the
    /// event's id so that `cmem event show` finds the detail.
    public static func line(_ e: TimelineEvent) -> String {
        var out = "- \(e.timestamp.iso8601) \(e.type) `\(e.id)`"
        for c in e.components { out += " [[\(c)]]" }
        return out + " " + TimelineDay.headline(e) + " (\(e.source), \(e.severity.rawValue))"
    }

    /// The event a one-line entry stands for: its time, type, id, components, source and severity, and its
    /// headline as the description (the details are in history). Nil when `line` is not such an entry.
    public static func event(fromLine line: Substring) -> TimelineEvent? {
        var copy = line
        return copy.withUTF8 { event(fromLine: $0) }
    }

    /// The same on the line's UTF-8 bytes (without its newline).
    public static func event(fromLine b: UnsafeBufferPointer<UInt8>) -> TimelineEvent? {
        guard let f = LineFields(b) else { return nil }
        func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self) }
        return TimelineEvent(id: text(f.id), timestamp: f.timestamp, type: text(f.type), source: f.source.map(text) ?? "unknown",
                             description: text(f.description), components: f.components.map(text), severity: f.severity)
    }

    /// Where each field of a one-line entry lies in its bytes (the line without its newline): the index reads
    /// a summary's entries from these ranges without making strings.
    public struct LineFields {
        public var timestamp: Timestamp
        public var type: Range<Int>
        public var id: Range<Int>
        public var components: [Range<Int>] = []
        public var description: Range<Int>
        /// Nil when the line has no trailing ` (source, severity)`: the source is then unknown and the severity info.
        public var source: Range<Int>?
        public var severity = Severity.info

        public init?(_ b: UnsafeBufferPointer<UInt8>) {
            let n = b.count
            let space: UInt8 = 0x20, tick: UInt8 = 0x60, open: UInt8 = 0x5B, close: UInt8 = 0x5D
            func find(_ c: UInt8, from: Int) -> Int? {
                var i = from
                while i < n { if b[i] == c { return i }; i += 1 }
                return nil
            }
            guard n > 2, b[0] == 0x2D, b[1] == space, let sp1 = find(space, from: 2),
                  let time = Timestamp.parse(UnsafeBufferPointer(rebasing: b[2..<sp1])),
                  let sp2 = find(space, from: sp1 + 1), sp2 > sp1 + 1 else { return nil }
            timestamp = time
            type = sp1 + 1..<sp2
            var p = sp2 + 1
            guard p < n, b[p] == tick, let idEnd = find(tick, from: p + 1) else { return nil }
            id = p + 1..<idEnd
            guard Identifier.isSafeName(UnsafeBufferPointer(rebasing: b[id]), maxLength: 128) else { return nil }
            p = idEnd + 1
            componentLinks: while p + 3 <= n, b[p] == space, b[p + 1] == open, b[p + 2] == open {
                var i = p + 3
                while i + 1 < n {
                    if b[i] == close, b[i + 1] == close {
                        components.append(p + 3..<i)
                        p = i + 2
                        continue componentLinks
                    }
                    i += 1
                }
                break
            }
            while p < n, b[p] == space { p += 1 }
            description = p..<n
            // A trailing ` (source, severity)`, the last ` (` of the line opening it.
            guard n > p, b[n - 1] == 0x29 else { return }
            var i = n - 2
            while i >= p, !(b[i] == space && b[i + 1] == 0x28) { i -= 1 }
            guard i >= p else { return }
            // Inside: two fields separated by a comma (empty pieces between commas do not count), each trimmed.
            var fields: [Range<Int>] = []
            var f = i + 2
            while f <= n - 1, fields.count <= 2 {
                var e = f
                while e < n - 1, b[e] != 0x2C { e += 1 }
                var s = f, t = e
                while s < t, b[s] == space { s += 1 }
                while t > s, b[t - 1] == space { t -= 1 }
                if e > f { fields.append(s..<t) }
                f = e + 1
            }
            guard fields.count == 2, !fields[0].isEmpty,
                  let sev = Severity(rawValue: String(decoding: UnsafeBufferPointer(rebasing: b[fields[1]]), as: UTF8.self)) else { return }
            source = fields[0]
            severity = sev
            description = p..<i
        }
    }

    /// The event id a summary line names, if `line` is one.
    public static func lineID(_ line: Substring) -> Substring? {
        guard line.hasPrefix("- "), let open = line.firstIndex(of: "`") else { return nil }
        let rest = line[line.index(after: open)...]
        guard let close = rest.firstIndex(of: "`") else { return nil }
        return rest[..<close]
    }

    // MARK: Front matter

    /// Reads a summary's front matter values; anything it does not know is left alone in the document.
    public init(values: [(String, JSONValue)], path: String) throws {
        guard let month = TimelineSummary.month(ofPath: path) else {
            throw NoteError(path: path, line: 1, message: "not a timeline summary path (timeline/YYYY/MM/summary.md)")
        }
        self.month = month
        // The month's totals (`events`, `by_*`) are derived from `days` and rewritten on every change.
        for (key, value) in values where key == "days" {
            guard case let .array(items) = value else {
                throw NoteError(path: path, line: 1, message: "days must be a list of {day, events, detail, by_type, by_severity, by_component}")
            }
            for item in items {
                guard let day = item["day"]?.stringValue, case let .number(n)? = item["events"], n >= 0,
                      let detail = item["detail"]?.stringValue else {
                    throw NoteError(path: path, line: 1, message: "each entry of days needs day, events and detail")
                }
                var d = Day(day: day, events: Int(n), detail: detail)
                if let v = item["by_type"] { d.byType = try TimelineSummary.counts(v, "by_type", path) }
                if let v = item["by_severity"] { d.bySeverity = try TimelineSummary.counts(v, "by_severity", path) }
                if let v = item["by_component"] { d.byComponent = try TimelineSummary.counts(v, "by_component", path) }
                days.append(d)
            }
        }
    }

    /// The month's events and the commits that hold its day files, read from the `days` entry as cmem
    /// writes it (`YAMLWriter.records`) without decoding each day's counts: a timeline answer over a year
    /// names a dozen summaries. Nil when the entry is in any other form; `init(values:path:)` reads that.
    public static func brief(daysEntry raw: String) -> (events: Int, details: [String])? {
        let lines = raw.split(separator: "\n", omittingEmptySubsequences: true)
        guard let head = lines.first else { return nil }
        if head == "days: []" { return lines.count == 1 ? (0, []) : nil }
        guard head == "days:" else { return nil }
        var total = 0, details = Set<String>(), entries = 0
        var events: Int?, detail: String?
        func close() -> Bool {
            guard entries > 0 else { return true }
            guard let e = events, let d = detail else { return false }
            total += e
            details.insert(d)
            return true
        }
        for line in lines.dropFirst() {
            let field: Substring
            if line.hasPrefix("  - ") {
                guard close() else { return nil }
                entries += 1
                events = nil
                detail = nil
                field = line.dropFirst(4)
            } else if line.hasPrefix("    "), entries > 0, line.dropFirst(4).first != " " {
                field = line.dropFirst(4)
            } else {
                return nil
            }
            if field.hasPrefix("events: ") {
                guard events == nil, let n = Int(field.dropFirst(8)), n >= 0 else { return nil }
                events = n
            } else if field.hasPrefix("detail: ") {
                let value = field.dropFirst(8)
                guard detail == nil, value.count == 40, value.allSatisfy(\.isHexDigit) else { return nil }
                detail = String(value)
            }
        }
        guard close() else { return nil }
        return (total, details.sorted())
    }

    private static func counts(_ value: JSONValue, _ key: String, _ path: String) throws -> [String: Int] {
        guard case let .object(pairs) = value else {
            throw NoteError(path: path, line: 1, message: "\(key) must be a mapping of names to counts")
        }
        var out: [String: Int] = [:]
        for (k, v) in pairs {
            guard case let .number(n) = v, n >= 0 else {
                throw NoteError(path: path, line: 1, message: "\(key).\(k) must be a count")
            }
            out[k, default: 0] += Int(n)
        }
        return out
    }

    /// The keys cmem owns, in the order it writes them.
    public func frontMatterEntries() -> [(String, String)] {
        func flow(_ counts: [String: Int]) -> String { TimelineSummary.flow(counts).json }
        return [
            ("month", "month: \(JSONValue.quoted(month))\n"),
            ("events", "events: \(events)\n"),
            ("by_type", "by_type: \(flow(byType))\n"),
            ("by_severity", "by_severity: \(flow(bySeverity))\n"),
            ("by_component", "by_component: \(flow(byComponent))\n"),
            ("days", YAMLWriter.records("days", days.map {
                [("day", .string($0.day)), ("events", .number(Double($0.events))), ("detail", .string($0.detail)),
                 ("by_type", TimelineSummary.flow($0.byType)), ("by_severity", TimelineSummary.flow($0.bySeverity)),
                 ("by_component", TimelineSummary.flow($0.byComponent))]
            })),
        ]
    }

    /// Counts as a JSON object with sorted keys: the same counts are the same bytes on every clone.
    static func flow(_ counts: [String: Int]) -> JSONValue {
        .object(counts.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })
    }

    // MARK: Body

    /// The body of a new summary: a title, the generated section, and the three sections cmem adds to.
    public static func newBody(month: String, generated: String) -> String {
        "\n# Timeline summary \(month)\n\n" + ManagedSection.wrap(generated)
            + "\n\(linesHeading)\n\n\(notesHeading)\n\n\(blocksHeading)\n\n"
    }

    /// The generated section: what the counts say, for people.
    public func generated() -> String {
        let rolled = Set(days.map(\.day)).sorted()
        var out = "\(events) event\(events == 1 ? "" : "s") of \(rolled.count) day\(rolled.count == 1 ? "" : "s")"
        if let first = rolled.first, let last = rolled.last { out += " (\(first) to \(last))" }
        out += ", rolled up by `cmem retention`. Deployments and config changes are listed below as one line each; "
        out += "incidents and error or critical events are kept whole. Every event's detail is in git history: "
        out += "`cmem timeline --from-history --since \(month)-01`, or `cmem event show ID`.\n\n"
        out += "| severity | events |\n|---|---|\n"
        for s in Severity.allCases.reversed() where bySeverity[s.rawValue] != nil {
            out += "| \(s.rawValue) | \(bySeverity[s.rawValue]!) |\n"
        }
        out += "\n| type | events |\n|---|---|\n"
        for (k, v) in byType.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) { out += "| \(k) | \(v) |\n" }
        out += "\n| component | events |\n|---|---|\n"
        for (k, v) in byComponent.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) { out += "| [[\(k)]] | \(v) |\n" }
        out += "\n| day | events | detail in commit |\n|---|---|---|\n"
        for d in days.sorted(by: { ($0.day, $0.detail) < ($1.day, $1.detail) }) {
            out += "| \(d.day) | \(d.events) | \(d.detail.prefix(12)) |\n"
        }
        return out
    }

    /// Adds one-line entries to the list under `linesHeading`, keeping the list in time order (entries
    /// start with their time). Lines already there, a human's edits included, stay as they are; a body
    /// whose heading a human removed gets the heading back at its end.
    public static func insertLines(_ new: [String], into body: String) -> String {
        guard !new.isEmpty else { return body }
        var lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard var at = lines.firstIndex(of: linesHeading) else {
            var out = body
            if !out.hasSuffix("\n") { out += "\n" }
            return out + "\n\(linesHeading)\n\n" + new.sorted().joined(separator: "\n") + "\n"
        }
        at += 1
        while at < lines.count, lines[at].isEmpty { at += 1 }
        var end = at
        while end < lines.count, lines[end].hasPrefix("- ") { end += 1 }
        let merged = (lines[at..<end] + new).sorted()
        if at == end, at < lines.count, lines[at].hasPrefix("#") {
            lines.replaceSubrange(at..<end, with: merged + [""])
        } else {
            lines.replaceSubrange(at..<end, with: merged)
        }
        // The heading is followed by one empty line before the list.
        if let h = lines.firstIndex(of: linesHeading), h + 1 < lines.count, !lines[h + 1].isEmpty { lines.insert("", at: h + 1) }
        return lines.joined(separator: "\n")
    }

    /// Adds a human's prose from a day file under `notesHeading` (before the blocks' heading), as a
    /// `### YYYY-MM-DD` subsection.
    public static func insertNote(day: String, text: String, into body: String) -> String {
        let section = "### \(day)\n\n" + text + (text.hasSuffix("\n") ? "" : "\n") + "\n"
        if let r = body.range(of: "\n" + blocksHeading + "\n") {
            return String(body[..<r.lowerBound]) + "\n" + section + String(body[body.index(after: r.lowerBound)...])
        }
        var out = body
        if !out.hasSuffix("\n") { out += "\n" }
        return out + "\n\(notesHeading)\n\n" + section
    }
}
