import MemoryModel

/// A change to a session, as every front end asks for it (`cmem session update`, PUT and POST on
/// /memory/sessions, MCP `session_update` and `handoff_write`). The rules of applying it live here once.
public struct SessionChange: Sendable, Equatable {
    public var task: String?
    public var summary: String?
    /// Todos to add (one already there is not added twice).
    public var addTodos: [String] = []
    /// Todos to mark done, by their text: each must name an existing todo.
    public var doneTodos: [String] = []
    /// Todos now in progress, by their text: each must name an existing todo.
    public var startTodos: [String] = []
    /// Replaces the whole todo list (REST's `todo_list`, the hooks' TodoWrite).
    public var todoList: [Session.Todo]?
    public var addBlockers: [String] = []
    public var removeBlockers: [String] = []
    /// Replaces the blockers.
    public var blockers: [String]?
    public var addNextSteps: [String] = []
    /// Replaces the next steps.
    public var nextSteps: [String]?
    public var addFiles: [String] = []
    /// Replaces the files modified / read.
    public var activeFiles: [String]?
    public var filesRead: [String]?
    /// Ends the session (once: an ended session keeps its end time).
    public var end = false
    /// Tool calls as the Claude Code hooks see them: each recorded like `SessionAction.apply` (an edit or
    /// write makes its file active and no longer only read), except that one repeating the last action
    /// (same kind, detail and exit code; not a command, each run of which counts) is folded into it, with
    /// its time: ten edits of one file in a row are one line.
    public var toolActions: [SessionAction] = []
    /// Files read, added unless already read or modified (no action: reads are many).
    public var readFiles: [String] = []
    /// Claude's own todo list (TodoWrite), with states: it replaces the list, except that todos carried
    /// over from an earlier session stay until closed (one it leaves out keeps its state).
    public var claudeTodos: [Session.Todo]?
    /// The most actions a note keeps; older ones stay in git history.
    public var maxActions: Int?

    public init() {}

    public var isEmpty: Bool { self == SessionChange() }

    /// Every text of the change passed through `transform` (the store's redactor, so that "done" finds a
    /// todo stored redacted, and no error quotes a secret back).
    public func mapTexts(_ transform: (String) -> String) -> SessionChange {
        var c = self
        c.task = task.map(transform)
        c.summary = summary.map(transform)
        c.addTodos = addTodos.map(transform)
        c.doneTodos = doneTodos.map(transform)
        c.startTodos = startTodos.map(transform)
        c.todoList = todoList?.map { Session.Todo(text: transform($0.text), status: $0.status) }
        c.addBlockers = addBlockers.map(transform)
        c.removeBlockers = removeBlockers.map(transform)
        c.blockers = blockers?.map(transform)
        c.addNextSteps = addNextSteps.map(transform)
        c.nextSteps = nextSteps?.map(transform)
        c.addFiles = addFiles.map(transform)
        c.activeFiles = activeFiles?.map(transform)
        c.filesRead = filesRead?.map(transform)
        c.toolActions = toolActions.map { SessionAction(kind: $0.kind, detail: transform($0.detail), exitCode: $0.exitCode) }
        c.readFiles = readFiles.map(transform)
        c.claudeTodos = claudeTodos?.map { Session.Todo(text: transform($0.text), status: $0.status) }
        return c
    }

    /// Checks sizes before anything is read or written.
    public func validate() throws {
        for (value, what) in [(task, "task"), (summary, "summary")] { if let value { try Limits.checkText(value, what: what) } }
        let lists: [([String], String)] = [
            (addTodos, "todo"), (doneTodos, "done"), (startTodos, "start"), (addBlockers, "blocker"), (removeBlockers, "unblock"), (addNextSteps, "next step"),
            (addFiles, "file"), (blockers ?? [], "blocker"), (nextSteps ?? [], "next step"), (activeFiles ?? [], "file"),
            (filesRead ?? [], "file"), ((todoList ?? []).map(\.text), "todo"), (readFiles, "file"), ((claudeTodos ?? []).map(\.text), "todo"),
        ]
        for (values, what) in lists { for v in values { try Limits.checkText(v, what: what) } }
        for a in toolActions { try a.validate() }
    }

    /// Applies the change to `s` at `time`. Marking done a todo that does not exist is an error (the
    /// caller most likely mistyped it), never a silently added done item.
    public func apply(to s: inout Session, at time: Timestamp) throws {
        if let task { s.currentTask = task }
        if let summary { s.summary = summary }
        if let todoList { s.todoList = todoList }
        for t in addTodos where !s.todoList.contains(where: { $0.text == t }) { s.todoList.append(.init(text: t)) }
        for (texts, status) in [(startTodos, "in_progress"), (doneTodos, "done")] {
            for t in texts {
                guard let i = s.todoList.firstIndex(where: { $0.text == t }) else {
                    let open = s.todoList.filter(\.isOpen).map { JSONValue.quoted($0.text) }
                    throw CoreError.invalid("session \(s.id) has no todo \(JSONValue.quoted(t))"
                        + (open.isEmpty ? "; it has no open todos" : "; its open todos are \(open.joined(separator: ", "))"))
                }
                s.todoList[i].status = status
            }
        }
        if let blockers { s.blockers = blockers }
        for b in addBlockers where !s.blockers.contains(b) { s.blockers.append(b) }
        s.blockers.removeAll { removeBlockers.contains($0) }
        if let nextSteps { s.nextSteps = nextSteps }
        for n in addNextSteps where !s.nextSteps.contains(n) { s.nextSteps.append(n) }
        if let activeFiles { s.activeFiles = activeFiles }
        if let filesRead { s.filesRead = filesRead }
        for f in addFiles where !s.activeFiles.contains(f) { s.activeFiles.append(f) }
        if let claudeTodos { s.todoList = SessionChange.merge(claudeTodos: claudeTodos, into: s) }
        for f in readFiles where !s.filesRead.contains(f) && !s.activeFiles.contains(f) { s.filesRead.append(f) }
        for a in toolActions {
            if a.kind != "command", let last = s.actions.last, last.kind == a.kind, last.detail == a.detail, last.exitCode == a.exitCode {
                s.actions[s.actions.count - 1].time = time
            } else {
                s.actions.append(Session.Action(time: time, kind: a.kind, detail: a.detail, exitCode: a.exitCode))
            }
            if a.kind == "edit" || a.kind == "write" {
                if !s.activeFiles.contains(a.detail) { s.activeFiles.append(a.detail) }
                s.filesRead.removeAll { $0 == a.detail }
            }
        }
        if let maxActions, s.actions.count > maxActions { s.actions.removeFirst(s.actions.count - maxActions) }
        if end, s.endedAt == nil { s.endedAt = time }
    }

    /// Claude's todo list, plus the carried-over todos it leaves out (with their state); one it names
    /// takes the state it gives.
    public static func merge(claudeTodos todos: [Session.Todo], into s: Session) -> [Session.Todo] {
        var merged = todos
        for carried in s.carriedOver where carried.kind == "todo" {
            guard !todos.contains(where: { $0.text == carried.text }),
                  let kept = s.todoList.first(where: { $0.text == carried.text }) else { continue }
            merged.append(kept)
        }
        return merged
    }
}

/// One action of a session: a command run, a file read or edited, a tool used.
public struct SessionAction: Sendable, Equatable {
    public var kind: String
    public var detail: String
    public var exitCode: Int?

    public init(kind: String, detail: String, exitCode: Int? = nil) {
        self.kind = kind
        self.detail = detail
        self.exitCode = exitCode
    }

    public func validate() throws {
        try Limits.checkToken(kind, what: "kind")
        try Limits.checkText(detail, what: "detail")
    }

    /// Records the action and what it says about files: an edit or write makes a file active, a read of a
    /// file not modified here makes it read.
    public func apply(to s: inout Session, at time: Timestamp) {
        s.actions.append(Session.Action(time: time, kind: kind, detail: detail, exitCode: exitCode))
        if kind == "edit" || kind == "write", !s.activeFiles.contains(detail) { s.activeFiles.append(detail) }
        if kind == "read", !s.filesRead.contains(detail), !s.activeFiles.contains(detail) { s.filesRead.append(detail) }
    }
}
