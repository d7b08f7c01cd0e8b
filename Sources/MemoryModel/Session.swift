/// One working session of an agent or a person: the seed's `SessionMemory`.
public struct Session: Sendable, Equatable {
    public var id: String
    /// The project this session belongs to (the name of the git root or directory it ran in).
    public var project: String
    public var workingDirectory: String
    public var startedAt: Timestamp
    public var endedAt: Timestamp?
    public var updatedAt: Timestamp
    public var currentTask: String
    /// The conversation summary: where things stand.
    public var summary: String
    /// Files modified in this session.
    public var activeFiles: [String]
    /// Files only read.
    public var filesRead: [String]
    public var todoList: [Todo]
    public var blockers: [String]
    public var nextSteps: [String]
    /// IDs of the decisions taken (stored as `[[dec-…]]` links).
    public var decisions: [String]
    public var actions: [Action]
    /// The Claude Code session this memory session follows, when it came from the hooks.
    public var claudeSessionID: String?

    public init(id: String, project: String, workingDirectory: String, startedAt: Timestamp, currentTask: String = "") {
        self.id = id
        self.project = project
        self.workingDirectory = workingDirectory
        self.startedAt = startedAt
        self.endedAt = nil
        self.updatedAt = startedAt
        self.currentTask = currentTask
        self.summary = ""
        self.activeFiles = []
        self.filesRead = []
        self.todoList = []
        self.blockers = []
        self.nextSteps = []
        self.decisions = []
        self.actions = []
        self.claudeSessionID = nil
    }

    public var isActive: Bool { endedAt == nil }
    public var lastActivity: Timestamp { max(endedAt ?? updatedAt, updatedAt) }

    /// Where the note is when a human moved or renamed it; nil when it is where cmem puts it. The id,
    /// not the path, is a session's identity.
    public var movedPath: String?

    /// The note's repository-relative path: `sessions/YYYY/MM/<id>.md`, by the month the session started,
    /// unless a human moved it.
    public var path: String { movedPath ?? Session.path(id: id, startedAt: startedAt) }

    public static func path(id: String, startedAt: Timestamp) -> String {
        let day = startedAt.day
        return "sessions/\(day.prefix(4))/\(day.dropFirst(5).prefix(2))/\(id).md"
    }

    public struct Todo: Sendable, Equatable {
        public var text: String
        public var status: String
        public init(text: String, status: String = "pending") {
            self.text = text
            self.status = status
        }
        public var isOpen: Bool { status != "done" && status != "completed" && status != "cancelled" }
    }

    public struct Action: Sendable, Equatable {
        public var time: Timestamp
        /// `command`, `read`, `edit`, `write`, or a tool name.
        public var kind: String
        public var detail: String
        public var exitCode: Int?
        public init(time: Timestamp, kind: String, detail: String, exitCode: Int? = nil) {
            self.time = time
            self.kind = kind
            self.detail = detail
            self.exitCode = exitCode
        }
    }

    // MARK: Front matter

    /// The keys `cmem` owns, in the order a new file lists them. Any other key belongs to a human.
    public static let ownedKeys = ["session_id", "project", "working_directory", "status", "started_at", "ended_at",
                                   "current_task", "summary", "active_files", "files_read", "todo_list", "blockers",
                                   "next_steps", "decisions", "actions", "claude_session_id", "created", "updated",
                                   "tags", "aliases"]

    /// Each owned key rendered as its front-matter text.
    public func frontMatterEntries() -> [(String, String)] {
        var out: [(String, String)] = []
        out.append(("session_id", YAMLWriter.entry("session_id", id)))
        out.append(("project", YAMLWriter.entry("project", project)))
        out.append(("working_directory", YAMLWriter.entry("working_directory", workingDirectory)))
        out.append(("status", YAMLWriter.entry("status", isActive ? "active" : "ended")))
        out.append(("started_at", YAMLWriter.entry("started_at", startedAt.iso8601)))
        out.append(("ended_at", YAMLWriter.entry("ended_at", endedAt?.iso8601)))
        out.append(("current_task", YAMLWriter.entry("current_task", currentTask)))
        out.append(("summary", YAMLWriter.entry("summary", summary)))
        out.append(("active_files", YAMLWriter.list("active_files", activeFiles)))
        out.append(("files_read", YAMLWriter.list("files_read", filesRead)))
        out.append(("todo_list", YAMLWriter.records("todo_list", todoList.map { [("text", .string($0.text)), ("status", .string($0.status))] })))
        out.append(("blockers", YAMLWriter.list("blockers", blockers)))
        out.append(("next_steps", YAMLWriter.list("next_steps", nextSteps)))
        out.append(("decisions", YAMLWriter.list("decisions", decisions.map(Wikilink.make))))
        out.append(("actions", YAMLWriter.records("actions", actions.map {
            [("time", .string($0.time.iso8601)), ("kind", .string($0.kind)), ("detail", .string($0.detail)),
             ("exit_code", $0.exitCode.map { .number(Double($0)) })]
        })))
        if let claudeSessionID { out.append(("claude_session_id", YAMLWriter.entry("claude_session_id", claudeSessionID))) }
        out.append(("created", YAMLWriter.entry("created", startedAt.iso8601)))
        out.append(("updated", YAMLWriter.entry("updated", updatedAt.iso8601)))
        return out
    }

    /// Reads a session from decoded front matter. Missing lists are empty; a missing id or start time is an error.
    public init(values: [(String, JSONValue)], path: String) throws {
        var d: [String: JSONValue] = [:]
        for (k, v) in values { d[k] = v }
        let line = 2
        guard let id = d["session_id"]?.stringValue, Identifier.isSafeName(id, maxLength: 128) else {
            throw NoteError(path: path, line: line, message: "session note has no valid session_id")
        }
        guard let started = d["started_at"]?.stringValue.flatMap(Timestamp.init(iso8601:)) else {
            throw NoteError(path: path, line: line, message: "session \(id) has no valid started_at")
        }
        self.init(id: id, project: d["project"]?.stringValue ?? "", workingDirectory: d["working_directory"]?.stringValue ?? "",
                  startedAt: started, currentTask: d["current_task"]?.stringValue ?? "")
        endedAt = d["ended_at"]?.stringValue.flatMap(Timestamp.init(iso8601:))
        updatedAt = d["updated"]?.stringValue.flatMap(Timestamp.init(iso8601:)) ?? endedAt ?? started
        summary = d["summary"]?.stringValue ?? ""
        activeFiles = strings(d["active_files"])
        filesRead = strings(d["files_read"])
        blockers = strings(d["blockers"])
        nextSteps = strings(d["next_steps"])
        decisions = strings(d["decisions"]).map(Wikilink.target)
        claudeSessionID = d["claude_session_id"]?.stringValue
        if path != Session.path(id: id, startedAt: started) { movedPath = path }
        if case let .array(items)? = d["todo_list"] {
            todoList = items.compactMap { item in
                if let s = item.stringValue { return Todo(text: s) }
                guard let text = item["text"]?.stringValue else { return nil }
                return Todo(text: text, status: item["status"]?.stringValue ?? "pending")
            }
        }
        if case let .array(items)? = d["actions"] {
            actions = items.compactMap { item in
                guard let detail = item["detail"]?.stringValue else { return nil }
                let time = item["time"]?.stringValue.flatMap(Timestamp.init(iso8601:)) ?? started
                var exit: Int?
                if case let .number(n)? = item["exit_code"] { exit = Int(exactly: n) }
                return Action(time: time, kind: item["kind"]?.stringValue ?? "note", detail: detail, exitCode: exit)
            }
        }
    }
}

func strings(_ v: JSONValue?) -> [String] {
    switch v {
    case let .array(items)?: return items.compactMap(\.stringValue)
    case let .string(s)?: return s.isEmpty ? [] : [s]
    default: return []
    }
}
