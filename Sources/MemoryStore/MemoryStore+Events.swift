import Foundation
import MemoryModel

extension MemoryStore {
    public enum EventWrite: Sendable, Equatable {
        case added(TimelineEvent)
        /// Already present (same ID, or a commit already recorded that this report adds nothing to):
        /// recording is idempotent.
        case duplicate(TimelineEvent)
        /// Another report of a commit already recorded (`GitEventType`): that event, rewritten to name this
        /// report's source too. Nothing new was added to the timeline.
        case merged(TimelineEvent)

        public var event: TimelineEvent {
            switch self {
            case let .added(e), let .duplicate(e), let .merged(e): return e
            }
        }
    }

    /// Records events in their day files, in one commit. Each is validated first; an invalid one fails
    /// the whole call before anything is written.
    @discardableResult
    public func recordEvents(_ events: [TimelineEvent], durable: Bool = true) throws -> [EventWrite] {
        let events = events.map(redaction.event)
        for e in events { try e.validate() }
        let (writes, _) = try transaction(durable: durable) { tx in
            try stageEvents(events, in: tx, redacted: true)
        }
        return writes
    }

    /// Adds events to their day files inside a transaction: appended when they are the newest in the
    /// file (the common case, cheap even for a large day file), inserted in time order otherwise.
    /// `redacted`: the caller has passed the events through `redaction` (to validate what will be written);
    /// every other caller's events are redacted here, so nothing reaches a day file unredacted.
    func stageEvents(_ events: [TimelineEvent], in tx: Transaction, redacted: Bool = false) throws -> [EventWrite] {
        let (events, joined) = try joinSameCommits(redacted ? events : events.map(redaction.event), in: tx)
        var results: [EventWrite] = joined
        var byDay: [String: [TimelineEvent]] = [:]
        var order: [String] = []
        for e in events {
            if byDay[e.dayPath] == nil { order.append(e.dayPath) }
            byDay[e.dayPath, default: []].append(e)
        }
        // The notes the events' `[[component]]` links land on.
        var components: [String] = []
        var named = Set<String>()
        for e in events { for c in e.components where named.insert(c).inserted { components.append(c) } }
        try stageComponentNotes(components, in: tx)
        for path in order {
            var batch = byDay[path]!.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
            var bytes = try tx.readBytes(path) ?? Array(dayHeader(for: batch[0].timestamp).utf8)
            if let line = DayFileScan.unclosedBlockLine(bytes) {
                throw StoreError.note(NoteError(path: path, line: line, message: "event block is not closed with ```; "
                    + "an event recorded after it would be lost in it. Close the block (add a line ``` after its YAML) and record again"))
            }
            // The common case is one new event, newer than everything in a large day file: answer
            // "already there?" and "newest?" by scanning bytes, without parsing the whole file.
            if batch.count == 1, let fast = DayFileScan.appendCheck(bytes, id: batch[0].id, time: batch[0].timestamp) {
                if fast == .duplicate {
                    results.append(.duplicate(batch[0]))
                    continue
                }
                if let last = bytes.last, last != 10 { bytes.append(10) }
                bytes.append(contentsOf: Array(renderEventBlock(batch[0]).utf8))
                try tx.write(path, bytes)
                results.append(.added(batch[0]))
                tx.describe(eventLine(batch[0]))
                continue
            }
            let existing = TimelineDay.parse(bytes, path: path, wantSpans: true)
            if !existing.errors.isEmpty {
                logger.warning("day file has unreadable blocks; they are kept as they are", metadata: ["path": "\(path)", "first": "\(existing.errors[0])"])
            }
            let known = Set(existing.spans.map(\.id))
            var seen = Set<String>()
            batch = batch.filter { e in
                if known.contains(e.id) || seen.contains(e.id) {
                    results.append(.duplicate(e))
                    return false
                }
                seen.insert(e.id)
                return true
            }
            if batch.isEmpty { continue }
            let lastTime = existing.spans.compactMap(\.timestamp).max()
            if lastTime == nil || batch[0].timestamp >= lastTime! {
                if let last = bytes.last, last != 10 { bytes.append(10) }
                for e in batch { bytes.append(contentsOf: Array(renderEventBlock(e).utf8)) }
            } else {
                bytes = insertInOrder(batch, into: bytes, spans: existing.spans)
            }
            try tx.write(path, bytes)
            for e in batch {
                results.append(.added(e))
                tx.describe(eventLine(e))
            }
        }
        return results
    }

    func eventLine(_ e: TimelineEvent) -> String {
        "event \(e.id) \(e.type) \(e.components.first ?? e.source): \(JSONValue.quoted(oneLine(e.description, max: 60)))"
    }

    private func insertInOrder(_ batch: [TimelineEvent], into bytes: [UInt8], spans: [TimelineDay.BlockSpan]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + batch.count * 512)
        var cursor = 0
        var pending = batch[...]
        for span in spans {
            guard let t = span.timestamp else { continue }
            while let next = pending.first, next.timestamp < t {
                out.append(contentsOf: bytes[cursor..<span.start])
                cursor = span.start
                out.append(contentsOf: Array(renderEventBlock(next).utf8))
                pending = pending.dropFirst()
            }
        }
        out.append(contentsOf: bytes[cursor...])
        if !pending.isEmpty, let last = out.last, last != 10 { out.append(10) }
        for e in pending { out.append(contentsOf: Array(renderEventBlock(e).utf8)) }
        return out
    }

    func dayHeader(for time: Timestamp) -> String { MemoryStore.dayHeader(for: time, templates: templates) }

    func renderEventBlock(_ e: TimelineEvent) -> String { MemoryStore.eventBlock(e, templates: templates) }

    /// How a new day file starts (front matter, then the "timeline-day" template), as the store writes
    /// it: public so that tools generating repositories without a store write the same bytes.
    public static func dayHeader(for time: Timestamp, templates: Templates) -> String {
        var doc = FrontMatterDocument()
        doc.set("date", raw: "date: \(time.day)\n")
        doc.set("tags", raw: "tags: [cmem/timeline]\n")
        doc.body = "\n" + templates.render("timeline-day", ["date": time.day])
        return doc.text
    }

    /// One event's block in its day file, as the store writes it.
    public static func eventBlock(_ e: TimelineEvent, templates: Templates) -> String {
        let yaml = TimelineDay.fencedYAML(for: e)
        // Imports render a million of these: with the built-in template, use its hand-written twin
        // (a test checks the two agree byte for byte).
        if !templates.overridden.contains("timeline-event") { return defaultEventBlock(e, yaml: yaml) }
        return templatedEventBlock(e, yaml: yaml, templates: templates)
    }

    /// `templates/timeline-event.mustache`, written out in Swift.
    static func defaultEventBlock(_ e: TimelineEvent, yaml: String) -> String {
        var out = "## \(e.timestamp.timeOfDay) \(e.type) — \(TimelineDay.headline(e))\n"
        if !e.components.isEmpty {
            for c in e.components { out += "[[\(c)]] " }
            out += "· "
        }
        out += "\(e.source) · \(e.severity.rawValue)"
        if let cause = e.causedBy { out += " · caused by \(Wikilink.event(cause))" }
        out += " ^\(Wikilink.blockID(ofEvent: e.id))\n\n"
        out += yaml
        return out + "\n"
    }

    /// An event's block as cmem wrote it before blocks carried their `^ev-…` id and the caused-by link
    /// (day files written then keep that form: blocks are never rewritten). A block in this form is as
    /// cmem left it, not a person's edit.
    static func blockWithoutID(_ e: TimelineEvent) -> String {
        var out = "## \(e.timestamp.timeOfDay) \(e.type) — \(TimelineDay.headline(e))\n"
        if !e.components.isEmpty {
            for c in e.components { out += "[[\(c)]] " }
            out += "· "
        }
        out += "\(e.source) · \(e.severity.rawValue)\n\n"
        return out + TimelineDay.fencedYAML(for: e) + "\n"
    }

    static func templatedEventBlock(_ e: TimelineEvent, yaml: String, templates: Templates) -> String {
        var context: [String: Any] = [
            "time": e.timestamp.timeOfDay, "type": e.type, "headline": TimelineDay.headline(e), "source": e.source,
            "severity": e.severity.rawValue, "components": e.components, "has_components": !e.components.isEmpty,
            "id": e.id, "yaml_block": yaml, "block_id": Wikilink.blockID(ofEvent: e.id),
        ]
        if let cause = e.causedBy { context["caused_by"] = Wikilink.event(cause) }
        var block = templates.render("timeline-event", context)
        // The structured block is the contract; a template that drops it would lose the event.
        if !block.contains(yaml) { block = yaml }
        while block.hasSuffix("\n") { block.removeLast() }
        return block + "\n\n"
    }

    // MARK: Reading

    /// One event by ID. Our IDs carry their day; others need a scan of all day files.
    public func event(id: String) throws -> TimelineEvent? {
        try Identifier.validate(id, what: "event id")
        if let day = Identifier.day(of: id), let time = Timestamp(iso8601: day) {
            if let e = try events(inDayFile: TimelineEvent.dayPath(for: time)).events.first(where: { $0.id == id }) { return e }
        }
        for path in dayFiles() {
            if let e = try events(inDayFile: path).events.first(where: { $0.id == id }) { return e }
        }
        return nil
    }

    public func events(inDayFile path: String) throws -> TimelineDay.ParseResult {
        guard let bytes = try AtomicFile.read(try absolute(path)) else { return TimelineDay.ParseResult() }
        return TimelineDay.parse(bytes, path: path)
    }

    /// Every day file, oldest first.
    public func dayFiles(from: Timestamp? = nil, to: Timestamp? = nil) -> [String] {
        let fromDay = from?.day, toDay = to?.day
        var result: [String] = []
        for month in monthDirectories("timeline") {
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + month)) ?? []).sorted()
            where name.hasSuffix(".md") && name.count == 13 {
                let day = String(name.prefix(10))
                if let fromDay, day < fromDay { continue }
                if let toDay, day > toDay { continue }
                result.append("\(month)/\(name)")
            }
        }
        return result
    }

    public struct TimelineFilter: Sendable {
        public var since: Timestamp?
        public var until: Timestamp?
        public var types: Set<String> = []
        public var components: Set<String> = []
        public var sources: Set<String> = []
        public var minSeverity: Severity?
        public var limit: Int = 100
        public init() {}

        public func matches(_ e: TimelineEvent) -> Bool {
            if let since, e.timestamp < since { return false }
            if let until, e.timestamp > until { return false }
            if !types.isEmpty, !types.contains(e.type) { return false }
            if !sources.isEmpty, !sources.contains(e.source) { return false }
            if !components.isEmpty, !e.components.contains(where: components.contains) { return false }
            if let minSeverity, e.severity < minSeverity { return false }
            return true
        }
    }

    /// Events in time order read straight from the day files in range, with the notes that could not be read.
    public func timeline(_ filter: TimelineFilter) throws -> (events: [TimelineEvent], warnings: [NoteError]) {
        var events: [TimelineEvent] = []
        var warnings: [NoteError] = []
        for path in dayFiles(from: filter.since, to: filter.until) {
            let parsed: TimelineDay.ParseResult
            do {
                parsed = try self.events(inDayFile: path)
            } catch let StoreError.tooLarge(_, bytes, limit) {
                // One file nobody can read must not hide every other day.
                warnings.append(NoteError(path: path, line: 1, message: "\(bytes) bytes, over the \(limit)-byte limit; it is not read"))
                continue
            }
            warnings += parsed.errors
            events += parsed.events.filter(filter.matches)
        }
        // A month's summary (retention) keeps some events whole, read like a day file's, and some as one line.
        for note in summaries(from: filter.since, to: filter.until) {
            guard let text = try readText(note.path) else { continue }
            let parsed = TimelineDay.parse(Array(text.utf8), path: note.path)
            warnings += parsed.errors
            events += parsed.events.filter(filter.matches)
            for line in text.split(separator: "\n") where line.hasPrefix("- ") {
                if let e = TimelineSummary.event(fromLine: line), filter.matches(e) { events.append(e) }
            }
        }
        events.sort { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        if events.count > filter.limit { events = Array(events.prefix(filter.limit)) }
        return (events, warnings)
    }
}
