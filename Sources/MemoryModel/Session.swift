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
    /// The project's session this one continues (the one its open work was carried over from).
    public var previousSession: String?
    /// Which todos, blockers and next steps came from an earlier session, and from which one. The items
    /// themselves are in `todoList`, `blockers` and `nextSteps`: closing one there closes it.
    public var carriedOver: [Carried] = []
    /// HEAD of the project's code repository when the session started and when it ended (40 hex digits),
    /// for "since you left": the commits between one session's end and the next one's start.
    public var codeHeadAtStart: String?
    public var codeHeadAtEnd: String?
    /// Keys whose value a person wrote in a shape cmem cannot keep whole (`actions: "not a list"`, an action
    /// without its detail): the session reads without them, but writing it back would replace what they
    /// hold, so the store refuses to (`MemoryStore.updateSession`).
    public var unreadableKeys: [String] = []

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

    /// An item carried over from an earlier session: `kind` is `todo`, `blocker` or `next_step`, `from`
    /// the session where it was first written (an item carried twice keeps its origin).
    public struct Carried: Sendable, Equatable {
        public var kind: String
        public var text: String
        public var from: String
        public init(kind: String, text: String, from: String) {
            self.kind = kind
            self.text = text
            self.from = from
        }
    }

    /// Where a todo, blocker or next step with this text came from, if it was carried over.
    public func carriedFrom(_ kind: String, _ text: String) -> String? {
        carriedOver.first { $0.kind == kind && $0.text == text }?.from
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
                                   "next_steps", "decisions", "actions", "claude_session_id", "previous_session",
                                   "carried_over", "code_head_start", "code_head_end", "created", "updated",
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
        // Written only when set, so that a note from before these keys is rewritten without them.
        if let previousSession { out.append(("previous_session", YAMLWriter.entry("previous_session", Wikilink.make(previousSession)))) }
        if !carriedOver.isEmpty {
            out.append(("carried_over", YAMLWriter.records("carried_over", carriedOver.map {
                [("kind", .string($0.kind)), ("text", .string($0.text)), ("from", .string(Wikilink.make($0.from)))]
            })))
        }
        if let codeHeadAtStart { out.append(("code_head_start", YAMLWriter.entry("code_head_start", codeHeadAtStart))) }
        if let codeHeadAtEnd { out.append(("code_head_end", YAMLWriter.entry("code_head_end", codeHeadAtEnd))) }
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
        previousSession = d["previous_session"]?.stringValue.map(Wikilink.target).flatMap { $0.isEmpty ? nil : $0 }
        // Lists of records: anything but a list of whole records would be lost by the next write.
        for key in ["carried_over", "todo_list", "actions"] {
            switch d[key] {
            case nil, .null?: continue
            case let .array(items)?:
                let whole = items.allSatisfy { item in
                    switch key {
                    case "actions": return item["detail"]?.stringValue != nil
                    case "todo_list": return item.stringValue != nil || item["text"]?.stringValue != nil
                    default: return item["kind"]?.stringValue != nil && item["text"]?.stringValue != nil && item["from"]?.stringValue != nil
                    }
                }
                if !whole { unreadableKeys.append(key) }
            default: unreadableKeys.append(key)
            }
        }
        // Lists of words: a single word reads as a list of one and is kept; a map or a list of maps is not.
        for key in ["active_files", "files_read", "blockers", "next_steps", "decisions"] {
            switch d[key] {
            case nil, .null?, .string?: continue
            case let .array(items)?: if items.contains(where: { $0.stringValue == nil }) { unreadableKeys.append(key) }
            default: unreadableKeys.append(key)
            }
        }
        if case let .array(items)? = d["carried_over"] {
            carriedOver = items.compactMap { item in
                guard let kind = item["kind"]?.stringValue, let text = item["text"]?.stringValue,
                      let from = item["from"]?.stringValue.map(Wikilink.target) else { return nil }
                return Carried(kind: kind, text: text, from: from)
            }
        }
        codeHeadAtStart = d["code_head_start"]?.stringValue.flatMap(Session.commitID)
        codeHeadAtEnd = d["code_head_end"]?.stringValue.flatMap(Session.commitID)
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

extension Session {
    /// A commit id as the notes keep it: 40 (or 64) lowercase hex digits; anything else reads as absent.
    static func commitID(_ s: String) -> String? {
        (s.count == 40 || s.count == 64) && s.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) ? s : nil
    }
}

func strings(_ v: JSONValue?) -> [String] {
    switch v {
    case let .array(items)?: return items.compactMap(\.stringValue)
    case let .string(s)?: return s.isEmpty ? [] : [s]
    default: return []
    }
}
