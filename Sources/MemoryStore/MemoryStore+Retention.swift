import Foundation
import GitKit
import MemoryModel

/// What one retention run did (or, dry, would do).
public struct RetentionReport: Sendable {
    public var plan: RetentionPlan
    public var dryRun: Bool
    /// The commit the run made; nil when it had nothing to do (or was dry).
    public var commit: String?
    /// The commit that still holds every file the run removed or compacted: the parent of `commit`.
    public var detail: String?
    public var eventsRolled = 0
    public var summariesWritten: [String] = []
    /// Prose a human wrote in a day file, moved into its month's summary (day files' paths).
    public var notesKept: [String] = []
    public var actionsCompacted = 0

    public var json: JSONValue {
        .object([
            ("dry_run", .bool(dryRun)),
            ("commit", commit.map(JSONValue.string) ?? .null),
            ("detail_commit", detail.map(JSONValue.string) ?? .null),
            ("sessions_compacted", .number(Double(plan.sessions.count))),
            ("actions_compacted", .number(Double(actionsCompacted))),
            ("days_rolled", .number(Double(plan.dayCount))),
            ("events_rolled", .number(Double(eventsRolled))),
            ("summaries_written", .array(summariesWritten.map(JSONValue.string))),
            ("notes_kept", .array(notesKept.map(JSONValue.string))),
            ("files_archived", .number(Double(plan.archived.count))),
            ("plan", plan.json),
        ])
    }
}

extension MemoryStore {
    /// Applies retention as of `today` in one commit, through the write path (lock, atomic files, the commit
    /// of exactly these paths). A run with nothing due makes no commit. `dryRun` plans and reports only.
    ///
    /// Nothing is lost: every file changed or removed is committed as it is (uncommitted changes make it
    /// wait, see `retentionPlan`), and the summaries and compacted sessions name that commit.
    public func applyRetention(today: Timestamp, dryRun: Bool = false) throws -> RetentionReport {
        // Planned once without the lock: a run with nothing due takes no lock, and a large run writes its
        // files with one filesystem sync instead of an fsync each.
        let preview = try retentionPlan(today: today)
        if dryRun || preview.isEmpty { return RetentionReport(plan: preview, dryRun: dryRun) }
        let files = preview.dayCount + preview.sessions.count + preview.archived.count + preview.rollups.count
        let previewHead = try git.head()
        let (report, result) = try transaction(durable: files <= GitRepository.fastCommitLimit) { tx -> RetentionReport in
            // Planned again under the lock unless nothing was committed since the preview, so that no write
            // lands between the plan and the commit.
            let plan = try git.head() == previewHead ? preview : retentionPlan(today: today)
            var report = RetentionReport(plan: plan, dryRun: false)
            guard !plan.isEmpty else { return report }
            guard let head = try git.head() else { return report }
            report.detail = head.hex
            for rollup in plan.rollups {
                let (events, notes) = try rollUp(month: rollup.month, days: rollup.days, detail: head, tx: tx)
                report.eventsRolled += events
                report.notesKept += notes
                report.summariesWritten.append(TimelineSummary.path(month: rollup.month))
            }
            for path in plan.sessions {
                report.actionsCompacted += try compactSession(path: path, detail: head, tx: tx)
            }
            for path in plan.archived { try tx.remove(path) }
            if !plan.archived.isEmpty { try recordArchive(plan.archived, detail: head, tx: tx) }
            var parts: [String] = []
            if plan.dayCount > 0 {
                parts.append("rolled \(Plural.count(plan.dayCount, "day file")) (\(Plural.count(report.eventsRolled, "event"))) into \(Plural.count(plan.rollups.count, "month summary", "month summaries"))")
            }
            if !plan.sessions.isEmpty { parts.append("compacted \(Plural.count(plan.sessions.count, "session")) (\(Plural.count(report.actionsCompacted, "action")))") }
            if !plan.archived.isEmpty { parts.append("archived \(Plural.count(plan.archived.count, "file"))") }
            tx.describe("retention \(plan.today): " + parts.joined(separator: ", ") + "; detail in \(head.short)")
            return report
        }
        var out = report
        out.commit = result.commit?.hex
        if out.commit == nil { out.detail = nil }
        return out
    }

    /// Adds the months whose files left the tree to `timeline/archive.md`, with the commit that holds them.
    func recordArchive(_ paths: [String], detail: ObjectID, tx: Transaction) throws {
        let months = Set(paths.compactMap { path -> String? in
            let parts = path.split(separator: "/")
            return parts.count == 4 ? "\(parts[1])-\(parts[2])" : nil
        }).sorted()
        let path = TimelineArchive.path
        var archive = TimelineArchive()
        var doc = FrontMatterDocument()
        let existing = try tx.read(path)
        if let existing {
            doc = try FrontMatterDocument.split(existing, path: path)
            archive = try TimelineArchive(values: doc.values(path: path), path: path)
        }
        for month in months where !archive.months.contains(where: { $0.month == month && $0.detail == detail.hex }) {
            archive.months.append(.init(month: month, detail: detail.hex))
        }
        doc.set("archived", raw: archive.entry())
        if existing == nil {
            doc.set("tags", raw: "tags: [cmem/timeline, cmem/archive]\n")
            doc.body = TimelineArchive.newBody(generated: archive.generated())
        } else if let replaced = ManagedSection.replace(in: doc.body, with: archive.generated()) {
            doc.body = replaced
        }
        try tx.write(path, doc.text)
    }

    /// Rolls day files into their month's summary (created or added to) and stages their removal.
    /// Returns how many events were counted and which day files had prose that moved into the summary.
    func rollUp(month: String, days: [String], detail: ObjectID, tx: Transaction) throws -> (events: Int, notes: [String]) {
        let path = TimelineSummary.path(month: month)
        var summary = TimelineSummary(month: month)
        var doc = FrontMatterDocument()
        var isNew = true
        if let text = try tx.read(path) {
            doc = try FrontMatterDocument.split(text, path: path)
            summary = try TimelineSummary(values: doc.values(path: path), path: path)
            isNew = false
        }
        let before = Dictionary(summary.frontMatterEntries(), uniquingKeysWith: { a, _ in a })
        // Ids the summary already keeps (lines and blocks), so a day rolled twice counts each event once.
        var known = Set<String>()
        let existingBlocks = TimelineDay.parse(Array(doc.body.utf8), path: path, wantSpans: true)
        for span in existingBlocks.spans { known.insert(span.id) }
        for line in doc.body.split(separator: "\n") { if let id = TimelineSummary.lineID(line) { known.insert(String(id)) } }

        var lines: [String] = []
        var blocks: [(time: Timestamp, id: String, text: String)] = []
        var notes: [(day: String, text: String)] = []
        var total = 0
        for dayPath in days {
            guard let bytes = try tx.readBytes(dayPath) else { continue }
            let day = String((dayPath as NSString).lastPathComponent.prefix(10))
            // A day rolled before (its file was recreated by a late event): the events its earlier roll-up
            // counted are read back from the commit that holds that roll-up's day file.
            var counted = known
            for earlier in summary.days where earlier.day == day {
                if let id = ObjectID(hex: earlier.detail), let old = try? git.blob(at: id, path: dayPath) {
                    for e in TimelineDay.parse(old, path: dayPath).events { counted.insert(e.id) }
                }
            }
            let parsed = TimelineDay.parse(bytes, path: dayPath, wantSpans: true)
            var spans: [String: TimelineDay.BlockSpan] = [:]
            for span in parsed.spans where span.timestamp != nil { spans[span.id] = span }
            var entry = TimelineSummary.Day(day: day, events: 0, detail: detail.hex)
            for e in parsed.events where !counted.contains(e.id) {
                counted.insert(e.id)
                known.insert(e.id)
                entry.count(e)
                // A block a human edited is kept as they left it, whatever its kind.
                var raw: String?
                if let span = spans[e.id] {
                    raw = String(decoding: bytes[span.start..<span.end], as: UTF8.self)
                }
                let canonical = renderEventBlock(e)
                // As cmem writes it now, or as it wrote it before block ids: either way nobody edited it.
                let edited = raw.map { r in
                    ![canonical, MemoryStore.blockWithoutID(e)].contains { $0 == r + "\n" || $0 == r }
                } ?? false
                switch (TimelineSummary.keep(e), edited) {
                case (.block, _), (_, true):
                    // What cmem wrote was redacted on the way in; a human's edit passes the redactor here, so a
                    // secret in history is not copied into a new note.
                    var text = edited ? redaction.text(raw ?? canonical) : raw ?? canonical
                    if !text.hasSuffix("\n\n") { text += text.hasSuffix("\n") ? "\n" : "\n\n" }
                    blocks.append((e.timestamp, e.id, text))
                case (.line, false):
                    lines.append(TimelineSummary.line(e))
                case (.counted, false):
                    break
                }
            }
            total += entry.events
            summary.days.append(entry)
            if let prose = prose(in: bytes, spans: parsed.spans, day: day) { notes.append((day, redaction.text(prose))) }
            try tx.remove(dayPath)
        }

        if isNew {
            for (key, raw) in summary.frontMatterEntries() { doc.set(key, raw: raw) }
            doc.set("tags", raw: "tags: [cmem/timeline, cmem/summary]\n")
            doc.body = TimelineSummary.newBody(month: month, generated: summary.generated())
        } else {
            for (key, raw) in summary.frontMatterEntries() where before[key] != raw || doc.raw(key) == nil { doc.set(key, raw: raw) }
            if let replaced = ManagedSection.replace(in: doc.body, with: summary.generated()) { doc.body = replaced }
        }
        var body = TimelineSummary.insertLines(lines, into: doc.body)
        for note in notes { body = TimelineSummary.insertNote(day: note.day, text: note.text, into: body) }
        doc.body = body
        var text = Array(doc.text.utf8)
        text = insertBlocks(blocks, into: text, path: path)
        try tx.write(path, text)
        return (total, notes.map { n in days.first { $0.hasSuffix("/\(n.day).md") } ?? n.day })
    }

    /// Event blocks added to a summary in time order: after the last block when newer than every block
    /// there (the usual case: days roll up in order), else each before the first block that is newer.
    func insertBlocks(_ new: [(time: Timestamp, id: String, text: String)], into bytes: [UInt8], path: String) -> [UInt8] {
        guard !new.isEmpty else { return bytes }
        let sorted = new.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
        let spans = TimelineDay.parse(bytes, path: path, wantSpans: true).spans.filter { $0.timestamp != nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + sorted.reduce(0) { $0 + $1.text.utf8.count })
        var cursor = 0
        var pending = sorted[...]
        for span in spans {
            while let next = pending.first, (next.time, next.id) < (span.timestamp!, span.id) {
                out.append(contentsOf: bytes[cursor..<span.start])
                cursor = span.start
                out.append(contentsOf: Array(next.text.utf8))
                pending = pending.dropFirst()
            }
        }
        out.append(contentsOf: bytes[cursor...])
        if !pending.isEmpty, let last = out.last, last != 10 { out.append(10) }
        if !pending.isEmpty, out.count >= 2, !(out[out.count - 1] == 10 && out[out.count - 2] == 10) { out.append(10) }
        for b in pending { out.append(contentsOf: Array(b.text.utf8)) }
        return out
    }

    /// What a human wrote in a day file besides the header cmem wrote and the event blocks it reads:
    /// text between blocks, a block that cannot be read. Nil when there is none.
    func prose(in bytes: [UInt8], spans: [TimelineDay.BlockSpan], day: String) -> String? {
        var outside: [UInt8] = []
        var cursor = 0
        for span in spans where span.timestamp != nil && span.start >= cursor {
            outside.append(contentsOf: bytes[cursor..<span.start])
            cursor = span.end
        }
        outside.append(contentsOf: bytes[cursor...])
        var text = String(decoding: outside, as: UTF8.self)
        if let time = Timestamp(iso8601: day) {
            let header = dayHeader(for: time)
            if text.hasPrefix(header) { text.removeFirst(header.count) }
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Replaces a session's action log with its counts and the commit that still has it. Everything else
    /// (task, summary, decisions, todos, blockers, next steps, files, a human's keys and prose) stays.
    /// Returns how many actions were compacted.
    func compactSession(path: String, detail: ObjectID, tx: Transaction) throws -> Int {
        guard let text = try tx.read(path) else { return 0 }
        let parsed = try MemoryStore.parseSession(text, path: path)
        let old = parsed.session
        var doc = parsed.document
        guard !old.actions.isEmpty else { return 0 }
        var count = 0
        var byKind: [String: Int] = [:]
        var first = old.actions[0].time, last = old.actions[0].time
        var details: [String] = []
        // A session compacted before and active again adds to its earlier counts.
        // (Only then is the front matter read as YAML: for thousands of notes it is most of a run's work.)
        if doc.raw("actions_compacted") != nil, let value = try doc.values(path: path).first(where: { $0.0 == "actions_compacted" })?.1 {
            let earlier: JSONValue
            if case let .array(items) = value, let first = items.first { earlier = first } else { earlier = value }
            if case let .number(n)? = earlier["actions"] { count = Int(n) }
            for item in (earlier["by_kind"]?.stringValue ?? "").split(separator: ",") {
                let s = item.trimmingCharacters(in: .whitespaces)
                guard let space = s.lastIndex(of: " "), let n = Int(s[s.index(after: space)...]) else { continue }
                byKind[String(s[..<space]), default: 0] += n
            }
            if let t = earlier["first"]?.stringValue.flatMap(Timestamp.init(iso8601:)) { first = min(first, t) }
            if let t = earlier["last"]?.stringValue.flatMap(Timestamp.init(iso8601:)) { last = max(last, t) }
            details = (earlier["detail"]?.stringValue ?? "").split(separator: " ").map(String.init)
        }
        for a in old.actions {
            count += 1
            byKind[a.kind, default: 0] += 1
            first = min(first, a.time)
            last = max(last, a.time)
        }
        details.append(detail.hex)
        // One record in the subset every note reader takes on its fast path (`FrontMatterReader`): the index
        // reads thousands of these notes.
        let raw = YAMLWriter.records("actions_compacted", [[
            ("actions", .number(Double(count))),
            ("by_kind", .string(byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))),
            ("first", .string(first.iso8601)), ("last", .string(last.iso8601)),
            ("detail", .string(details.joined(separator: " "))),
        ]])
        doc.set("actions_compacted", raw: raw)
        var new = old
        new.actions = []
        try tx.write(path, renderSession(new, existing: (old, doc)))
        return old.actions.count
    }
}
