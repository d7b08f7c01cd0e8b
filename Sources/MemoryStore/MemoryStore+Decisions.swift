import Foundation
import MemoryModel

extension MemoryStore {
    /// Records a decision as its own note and links it from its session (and back), in one commit.
    @discardableResult
    public func recordDecision(sessionID: String?, decision: String, rationale: String, alternatives: [String],
                               context: String = "", consequences: String = "", components: [String] = [],
                               at time: Timestamp = .now(), id: String? = nil) throws -> Decision {
        guard !decision.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw StoreError.invalid("a decision needs a text, e.g. \"Use init container\"")
        }
        for (value, what) in [(decision, "decision"), (rationale, "rationale"), (context, "context"), (consequences, "consequences")] {
            try Limits.checkText(value, what: what)
        }
        for a in alternatives { try Limits.checkText(a, what: "alternative") }
        for c in components { try Identifier.validateComponent(c) }
        var record = Decision(id: id ?? Identifier.make(.decision, at: time), sessionID: sessionID, timestamp: time,
                              decision: decision, rationale: rationale, alternatives: alternatives, context: context,
                              consequences: consequences, components: components)
        try Identifier.validate(record.id, what: "decision id")
        record = redaction.decision(record)
        try transaction { tx in
            if let sessionID {
                guard let path = try sessionPath(id: sessionID), let text = try tx.read(path) else {
                    throw StoreError.notFound(kind: "session", id: sessionID)
                }
                let (old, doc) = try MemoryStore.parseSession(text, path: path)
                try MemoryStore.refuseUnreadableKeys(of: old, text: text, path: path)
                record.project = old.project
                // What a human wrote in the note is redacted too before it is written back.
                var new = redaction.session(old)
                if !new.decisions.contains(record.id) { new.decisions.append(record.id) }
                new.updatedAt = max(time, old.updatedAt)
                try tx.write(path, renderSession(new, existing: (old, doc), decisionTitles: [record.id: record.decision]))
            }
            try tx.write(record.path, renderDecision(record))
            try stageComponentNotes(record.components, in: tx)
            tx.describe("decision \(record.id) \(JSONValue.quoted(oneLine(record.decision)))" + (sessionID.map { " (\($0))" } ?? ""))
        }
        return record
    }

    /// `d` must already have passed `redaction`.
    func renderDecision(_ d: Decision) -> String {
        var doc = FrontMatterDocument()
        for (key, raw) in d.frontMatterEntries() { doc.set(key, raw: raw) }
        doc.set("tags", raw: YAMLWriter.list("tags", ["cmem/decision"] + (d.project.isEmpty ? [] : ["project/\(tagSafe(d.project))"])))
        doc.set("aliases", raw: YAMLWriter.list("aliases", [oneLine(d.decision)]))
        var ctx: [String: Any] = [
            "decision": oneLine(d.decision, max: 200), "status": d.status, "date": d.timestamp.iso8601,
            "alternatives": d.alternatives, "components": d.components, "has_components": !d.components.isEmpty,
        ]
        if let s = d.sessionID { ctx["session"] = s }
        if !d.rationale.isEmpty { ctx["rationale"] = d.rationale }
        if !d.context.isEmpty { ctx["context"] = d.context }
        if !d.consequences.isEmpty { ctx["consequences"] = d.consequences }
        doc.body = "\n" + templates.render("decision", ctx)
        return doc.text
    }

    public func decisionPath(id: String) throws -> String? {
        try Identifier.validate(id, what: "decision id")
        if let day = Identifier.day(of: id) {
            let path = "decisions/\(day.prefix(4))/\(day.dropFirst(5).prefix(2))/\(id).md"
            if FileManager.default.fileExists(atPath: root + "/" + path) { return path }
        }
        for month in monthDirectories("decisions").reversed() {
            let path = "\(month)/\(id).md"
            if FileManager.default.fileExists(atPath: root + "/" + path) { return path }
        }
        return movedNote(in: "decisions", key: "decision_id", id: id)
    }

    public func decision(id: String) throws -> Decision {
        guard let path = try decisionPath(id: id), let text = try readText(path) else {
            throw StoreError.notFound(kind: "decision", id: id)
        }
        do {
            let doc = try FrontMatterDocument.split(text, path: path)
            return try Decision(values: try doc.values(path: path), path: path)
        } catch let error as NoteError {
            throw StoreError.note(error)
        }
    }
}
