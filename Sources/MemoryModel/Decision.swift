/// A decision with its reasons, stored as an architecture decision record (MADR shape).
public struct Decision: Sendable, Equatable {
    public var id: String
    public var sessionID: String?
    public var timestamp: Timestamp
    public var updatedAt: Timestamp
    /// The decision itself, short: "Use init container".
    public var decision: String
    public var rationale: String
    public var alternatives: [String]
    /// The problem being decided (MADR "context and problem statement").
    public var context: String
    public var consequences: String
    /// accepted | proposed | superseded | rejected
    public var status: String
    public var components: [String]
    public var project: String

    public init(id: String, sessionID: String?, timestamp: Timestamp, decision: String, rationale: String = "",
                alternatives: [String] = [], context: String = "", consequences: String = "", status: String = "accepted",
                components: [String] = [], project: String = "") {
        self.id = id
        self.sessionID = sessionID
        self.timestamp = timestamp
        self.updatedAt = timestamp
        self.decision = decision
        self.rationale = rationale
        self.alternatives = alternatives
        self.context = context
        self.consequences = consequences
        self.status = status
        self.components = components
        self.project = project
    }

    /// Where the note is when a human moved or renamed it; nil when it is where cmem puts it.
    public var movedPath: String?

    public var path: String { movedPath ?? Decision.path(id: id, timestamp: timestamp) }

    public static func path(id: String, timestamp: Timestamp) -> String {
        let day = timestamp.day
        return "decisions/\(day.prefix(4))/\(day.dropFirst(5).prefix(2))/\(id).md"
    }

    public static let ownedKeys = ["decision_id", "session", "project", "timestamp", "decision", "rationale", "alternatives",
                                   "context", "consequences", "status", "components", "created", "updated", "tags", "aliases"]

    public func frontMatterEntries() -> [(String, String)] {
        var out: [(String, String)] = []
        out.append(("decision_id", YAMLWriter.entry("decision_id", id)))
        out.append(("session", YAMLWriter.entry("session", sessionID.map(Wikilink.make))))
        out.append(("project", YAMLWriter.entry("project", project)))
        out.append(("timestamp", YAMLWriter.entry("timestamp", timestamp.iso8601)))
        out.append(("decision", YAMLWriter.entry("decision", decision)))
        out.append(("rationale", YAMLWriter.entry("rationale", rationale)))
        out.append(("alternatives", YAMLWriter.list("alternatives", alternatives)))
        out.append(("context", YAMLWriter.entry("context", context)))
        out.append(("consequences", YAMLWriter.entry("consequences", consequences)))
        out.append(("status", YAMLWriter.entry("status", status)))
        out.append(("components", YAMLWriter.list("components", components.map(Wikilink.make))))
        out.append(("created", YAMLWriter.entry("created", timestamp.iso8601)))
        out.append(("updated", YAMLWriter.entry("updated", updatedAt.iso8601)))
        return out
    }

    public init(values: [(String, JSONValue)], path: String) throws {
        var d: [String: JSONValue] = [:]
        for (k, v) in values { d[k] = v }
        guard let id = d["decision_id"]?.stringValue, Identifier.isSafeName(id, maxLength: 128) else {
            throw NoteError(path: path, line: 2, message: "decision note has no valid decision_id")
        }
        guard let ts = d["timestamp"]?.stringValue.flatMap(Timestamp.init(iso8601:)) else {
            throw NoteError(path: path, line: 2, message: "decision \(id) has no valid timestamp")
        }
        self.init(id: id, sessionID: d["session"]?.stringValue.map(Wikilink.target), timestamp: ts,
                  decision: d["decision"]?.stringValue ?? "", rationale: d["rationale"]?.stringValue ?? "",
                  alternatives: strings(d["alternatives"]), context: d["context"]?.stringValue ?? "",
                  consequences: d["consequences"]?.stringValue ?? "", status: d["status"]?.stringValue ?? "accepted",
                  components: strings(d["components"]).map(Wikilink.target), project: d["project"]?.stringValue ?? "")
        updatedAt = d["updated"]?.stringValue.flatMap(Timestamp.init(iso8601:)) ?? ts
        if path != Decision.path(id: id, timestamp: ts) { movedPath = path }
    }
}
