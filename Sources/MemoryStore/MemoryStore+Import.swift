import Foundation
import MemoryModel

extension MemoryStore {
    public struct ImportReport: Sendable {
        public var lines = 0
        public var eventsAdded = 0
        public var eventsDuplicate = 0
        public var sessionsAdded = 0
        public var sessionsDuplicate = 0
        public var decisionsAdded = 0
        public var commits = 0
        /// Files of an earlier, interrupted import that this one committed before its own records.
        public var resumedFiles = 0
    }

    public struct ImportError: Error, CustomStringConvertible, Sendable {
        public let line: Int
        public let message: String
        public let report: ImportReport
        public var description: String { "line \(line): \(message)" }
    }

    /// Imports JSON Lines records (`"kind": "event"` or `"kind": "session"`, the format of
    /// `gen_events.py`). Commits every `batchSize` records. Records without an ID get one derived from
    /// their content, so importing the same file twice adds nothing. A malformed line stops the import
    /// with its number; everything before it is committed, nothing after it is written.
    public func importJSONLines(from handle: FileHandle, source: String, batchSize: Int = 20_000,
                                progress: ((ImportReport) -> Void)? = nil) throws -> ImportReport {
        var report = ImportReport()
        report.resumedFiles = try completeInterruptedImport()
        if report.resumedFiles > 0 { report.commits += 1 }
        let journal = ImportJournal(gitDir: git.gitDir)
        var events: [TimelineEvent] = []
        var sessions: [(Session, [Decision])] = []
        var lineNumber = 0
        var firstLineOfBatch = 1

        func flush() throws {
            guard !events.isEmpty || !sessions.isEmpty else { return }
            let range = "\(source) lines \(firstLineOfBatch)–\(lineNumber)"
            let (counts, result) = try transaction(durable: false) { tx -> (Int, Int, Int, Int, Int) in
                let writes = try stageEvents(events, in: tx)
                let added = writes.filter { if case .added = $0 { return true } else { return false } }.count
                var sAdded = 0, sDup = 0, dAdded = 0
                for (raw, rawDecisions) in sessions {
                    let session = redaction.session(raw), decisions = rawDecisions.map(redaction.decision)
                    if try sessionPath(id: session.id) != nil || tx.paths.contains(session.path) { sDup += 1; continue }
                    let titles = Dictionary(decisions.map { ($0.id, $0.decision) }, uniquingKeysWith: { a, _ in a })
                    try tx.write(session.path, renderSession(session, existing: nil, decisionTitles: titles))
                    for d in decisions { try tx.write(d.path, renderDecision(d)); dAdded += 1 }
                    sAdded += 1
                }
                tx.lines = ["import: \(Plural.count(added, "event")), \(Plural.count(sAdded, "session")), \(Plural.count(dAdded, "decision")) (\(range))"]
                // The files are written after this returns: from here until their commit, a kill leaves them
                // on record for the next import.
                if !tx.isEmpty { try journal.record(tx.paths) }
                return (added, writes.count - added, sAdded, sDup, dAdded)
            }
            journal.clear()
            report.eventsAdded += counts.0
            report.eventsDuplicate += counts.1
            report.sessionsAdded += counts.2
            report.sessionsDuplicate += counts.3
            report.decisionsAdded += counts.4
            if result.commit != nil { report.commits += 1 }
            events.removeAll(keepingCapacity: true)
            sessions.removeAll()
            firstLineOfBatch = lineNumber + 1
            progress?(report)
        }

        var reader = LineReader(handle: handle)
        while let line = try reader.next() {
            lineNumber += 1
            report.lines = lineNumber
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            do {
                let value = try line.withUnsafeBufferPointer { try JSONValue.parse(bytes: $0, maxDepth: 32) }
                switch value["kind"]?.stringValue {
                case "event":
                    events.append(try ImportRecord.event(value))
                case "session":
                    sessions.append(try ImportRecord.session(value, scope: config.projectScope))
                case let other:
                    throw ValidationError("unknown kind \(other.map(JSONValue.quoted) ?? "(missing)"); expected \"event\" or \"session\"")
                }
            } catch {
                lineNumber -= 1
                try flush()
                throw ImportError(line: lineNumber + 1, message: "\(error)", report: report)
            }
            if events.count + sessions.count >= batchSize { try flush() }
        }
        try flush()
        return report
    }
}

extension MemoryStore {
    /// Commits the files an import that was killed between writing and committing its batch left behind,
    /// as they are on disk (each was written whole, by rename). Returns how many there were.
    func completeInterruptedImport() throws -> Int {
        let journal = ImportJournal(gitDir: git.gitDir)
        guard let paths = journal.pending() else { return 0 }
        let (count, _) = try transaction(durable: false) { tx -> Int in
            var count = 0
            for path in paths {
                // Holding the write lock, no writer is working on this file: a temporary beside it is the
                // killed import's, half written.
                let full = try absolute(path)
                let folder = (full as NSString).deletingLastPathComponent, name = (full as NSString).lastPathComponent
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                where entry.hasPrefix("." + name + ".cmem-") && entry.hasSuffix(".tmp") {
                    unlink(folder + "/" + entry)
                }
                guard let bytes = try tx.readBytes(path) else { continue }
                try tx.write(path, bytes)
                count += 1
            }
            tx.lines = ["import: completed an interrupted import (\(count) files written but not committed)"]
            return count
        }
        journal.clear()
        return count
    }
}

/// Reads a file line by line in large chunks, without Foundation's per-line overhead.
struct LineReader {
    let handle: FileHandle
    var buffer: [UInt8] = []
    var start = 0
    var eof = false

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() throws -> [UInt8]? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 10) {
                let line = Array(buffer[start..<nl])
                start = nl + 1
                return line
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = try handle.read(upToCount: 4 << 20) ?? Data()
            if chunk.isEmpty { eof = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}

/// Turns one import record into model values, checking every field a human or a generator may get wrong.
enum ImportRecord {
    static func event(_ v: JSONValue) throws -> TimelineEvent {
        guard let timeText = (v["time"] ?? v["timestamp"])?.stringValue, let time = Timestamp(iso8601: timeText) else {
            throw ValidationError("event has no valid \"time\" (ISO 8601)")
        }
        guard let type = (v["type"] ?? v["event_type"])?.stringValue else { throw ValidationError("event has no \"type\"") }
        guard let description = v["description"]?.stringValue else { throw ValidationError("event has no \"description\"") }
        var components: [String] = []
        if case let .array(items)? = v["affected_components"] { components = items.compactMap(\.stringValue) }
        var severity = Severity.info
        if let s = v["severity"]?.stringValue {
            guard let sev = Severity(lenient: s) else { throw ValidationError("severity \(JSONValue.quoted(s)) is not info, warning, error or critical") }
            severity = sev
        }
        var details = v["details"] ?? .object([])
        if case .null = details { details = .object([]) }
        var e = TimelineEvent(id: "", timestamp: time, type: type, source: v["source"]?.stringValue ?? "import",
                              description: description, details: details, causedBy: v["caused_by"]?.stringValue,
                              components: components, severity: severity)
        e.id = (v["event_id"] ?? v["id"])?.stringValue ?? Identifier.derived(.event, at: time, content: e.contentKey)
        try e.validate()
        return e
    }

    static func session(_ v: JSONValue, scope: String) throws -> (Session, [Decision]) {
        guard let startText = v["started_at"]?.stringValue, let started = Timestamp(iso8601: startText) else {
            throw ValidationError("session has no valid \"started_at\"")
        }
        let task = v["current_task"]?.stringValue ?? ""
        let wd = v["working_directory"]?.stringValue ?? ""
        let id = v["session_id"]?.stringValue ?? Identifier.derived(.session, at: started, content: "\(startText)\u{1}\(wd)\u{1}\(task)")
        try Identifier.validate(id, what: "session_id")
        var s = Session(id: id, project: (wd as NSString).lastPathComponent, workingDirectory: wd, startedAt: started, currentTask: task)
        s.endedAt = v["ended_at"]?.stringValue.flatMap(Timestamp.init(iso8601:))
        s.updatedAt = s.endedAt ?? started
        s.summary = (v["summary"] ?? v["conversation_summary"])?.stringValue ?? ""
        s.activeFiles = stringList(v["active_files"])
        s.blockers = stringList(v["blockers"])
        s.nextSteps = stringList(v["next_steps"])
        if case let .array(items)? = v["todo_list"] {
            s.todoList = items.compactMap { item in
                if let t = item.stringValue { return Session.Todo(text: t) }
                return item["text"]?.stringValue.map { Session.Todo(text: $0, status: item["status"]?.stringValue ?? "pending") }
            }
        }
        if case let .array(items)? = v["actions"] {
            s.actions = items.compactMap { a in
                guard let detail = a["detail"]?.stringValue else { return nil }
                return Session.Action(time: a["time"]?.stringValue.flatMap(Timestamp.init(iso8601:)) ?? started,
                                      kind: a["kind"]?.stringValue ?? "note", detail: detail)
            }
        }
        var decisions: [Decision] = []
        if case let .array(items)? = v["decisions"] {
            for (i, item) in items.enumerated() {
                guard let text = item["decision"]?.stringValue else { throw ValidationError("decision \(i + 1) of session \(id) has no \"decision\"") }
                let rationale = item["rationale"]?.stringValue ?? ""
                let time = item["timestamp"]?.stringValue.flatMap(Timestamp.init(iso8601:)) ?? started
                let did = item["decision_id"]?.stringValue
                    ?? Identifier.derived(.decision, at: time, content: "\(id)\u{1}\(i)\u{1}\(text)\u{1}\(rationale)")
                try Identifier.validate(did, what: "decision_id")
                decisions.append(Decision(id: did, sessionID: id, timestamp: time, decision: text, rationale: rationale,
                                          alternatives: stringList(item["alternatives"]), project: s.project))
            }
        }
        s.decisions = decisions.map(\.id)
        return (s, decisions)
    }

    static func stringList(_ v: JSONValue?) -> [String] {
        if case let .array(items)? = v { return items.compactMap(\.stringValue) }
        return []
    }
}
