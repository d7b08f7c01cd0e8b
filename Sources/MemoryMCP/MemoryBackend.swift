import Collector
import Foundation
import GitKit
import Logging
import MemoryCore
import MemoryIndex
import MemoryModel
import MemoryStore

/// What the MCP tools do, behind one actor: MCP requests are handled concurrently, and the core is used
/// by one caller at a time. Each tool translates its arguments into a call on the core (`Memory`) and
/// returns the core's answer as JSON: the same answer, redaction and rules as the CLI and REST.
public actor MemoryBackend {
    public let repositoryPath: String
    let logger: Logger
    /// The directory that selects the project when a call names none (Claude Code starts the server there).
    public let defaultCWD: String
    private var opened: Memory?

    /// The repository is opened on the first call, so a server started before `cmem init` answers every
    /// call with what to do instead of failing to start.
    public init(repositoryPath: String, defaultCWD: String = FileManager.default.currentDirectoryPath, logger: Logger) {
        self.repositoryPath = repositoryPath
        self.defaultCWD = defaultCWD
        self.logger = logger
    }

    var memory: Memory {
        get throws {
            if let opened { return opened }
            let m = try Memory(path: repositoryPath, logger: logger)
            opened = m
            return m
        }
    }

    var store: MemoryStore { get throws { try memory.store } }

    /// Runs one tool. Throws `ToolError` for anything the caller can fix.
    public func call(_ name: String, _ arguments: [(String, JSONValue)]) throws -> JSONValue {
        guard let spec = ToolCatalog.spec(name) else {
            throw ToolError("unknown tool \(JSONValue.quoted(name)); the tools are \(ToolCatalog.all.map(\.name).joined(separator: ", "))")
        }
        let args = try ToolArguments(tool: name, values: arguments, allowed: spec.parameterNames)
        for key in spec.required { _ = try args.required(key) }
        do {
            switch name {
            case "session_current": return try sessionCurrent(args)
            case "session_update": return try sessionUpdate(args)
            case "decision_record": return try decisionRecord(args)
            case "handoff_write": return try handoffWrite(args)
            case "handoff_read": return try handoffRead(args)
            case "event_record": return try eventRecord(args)
            case "action_record": return try actionRecord(args)
            case "todo_update": return try todoUpdate(args)
            case "search": return try search(args)
            case "decisions_search": return try decisionsSearch(args)
            case "session_list": return try sessionList(args)
            case "timeline": return try timeline(args)
            case "event": return try event(args)
            case "component_history": return try componentHistory(args)
            case "correlate": return try correlate(args)
            case "infra_current": return try memory.infraCurrent().json
            case "infra_component": return try infraComponent(args)
            case "infra_diff": return try infraDiff(args)
            case "infra_health": return try memory.infraHealth().json
            default: throw ToolError("\(name) is not implemented")
            }
        } catch let error as ToolError {
            throw error
        } catch let error as MemoryModel.ValidationError {
            throw ToolError("\(name): \(error.message)")
        } catch let error as StoreError {
            throw ToolError("\(name): \(error.description)")
        } catch let error as CoreError {
            if case .noActiveSession = error { throw ToolError("\(name): \(error.description); session_update starts one, or pass session") }
            throw ToolError("\(name): \(error.description)")
        }
    }

    // MARK: Sessions

    func cwd(_ args: ToolArguments) throws -> String {
        let cwd = try args.string("cwd") ?? defaultCWD
        guard cwd.hasPrefix("/") else { throw ToolError("\(args.tool): cwd must be an absolute path") }
        return cwd
    }

    /// The session named by `session`, else the project's active one (nil when there is none).
    func writableSession(_ args: ToolArguments) throws -> String? {
        if let id = try args.string("session") { return try memory.targetSession(id: id, cwd: try cwd(args)) }
        guard let current = try memory.currentSession(cwd: try cwd(args)), current.session.isActive else { return nil }
        return current.session.id
    }

    func requireSession(_ args: ToolArguments) throws -> String {
        if let id = try args.string("session") { return try memory.targetSession(id: id, cwd: try cwd(args)) }
        return try memory.targetSession(id: nil, cwd: try cwd(args))
    }

    func sessionCurrent(_ args: ToolArguments) throws -> JSONValue {
        if let id = try args.string("session") {
            try Identifier.validate(id, what: "session")
            return try memory.session(id: id).json
        }
        guard let answer = try memory.currentSession(cwd: try cwd(args)) else {
            return try memory.noCurrentSession(cwd: try cwd(args)).json
        }
        return answer.json
    }

    func sessionUpdate(_ args: ToolArguments) throws -> JSONValue {
        var change = SessionChange()
        change.task = try args.string("task")
        change.summary = try args.string("summary")
        change.addTodos = try args.strings("todo")
        change.doneTodos = try args.strings("done")
        change.addBlockers = try args.strings("blocker")
        change.removeBlockers = try args.strings("unblock")
        change.addNextSteps = try args.strings("next")
        change.addFiles = try args.strings("file")
        try change.validate()
        var started = false
        let id: String
        if let existing = try writableSession(args) {
            id = existing
        } else {
            id = try memory.startSession(task: change.task ?? "", cwd: try cwd(args)).id
            started = true
        }
        try memory.change(session: id, change, message: "update (mcp)")
        var out = try memory.session(id: id).json
        if started, case var .object(p) = out { p.insert(("started", .bool(true)), at: 0); out = .object(p) }
        return out
    }

    func decisionRecord(_ args: ToolArguments) throws -> JSONValue {
        // As the CLI and REST: a decision belongs to a session (and so to a project); with none active it is refused.
        let d = try memory.decide(
            session: try requireSession(args),
            decision: try args.required("decision"),
            rationale: try args.string("rationale") ?? "",
            alternatives: try args.strings("alternatives"),
            context: try args.string("context") ?? "",
            consequences: try args.string("consequences") ?? "",
            components: try args.strings("components"))
        return d.json
    }

    func handoffWrite(_ args: ToolArguments) throws -> JSONValue {
        var change = SessionChange()
        change.summary = try args.required("summary")
        if args.value("next_steps") != nil { change.nextSteps = try args.strings("next_steps") }
        if args.value("blockers") != nil { change.blockers = try args.strings("blockers") }
        change.end = try args.bool("end") ?? false
        let id = try requireSession(args)
        try memory.change(session: id, change, message: "handoff")
        return try memory.session(id: id).json
    }

    func handoffRead(_ args: ToolArguments) throws -> JSONValue {
        let project = try args.string("project") ?? memory.project(cwd: try cwd(args)).name
        guard let handoff = try memory.handoff(project: project) else { throw Handoff.none(project: project) }
        return handoff.json
    }

    /// Recorded as `cmem event record` and POST /memory/timeline/events record one: validated and
    /// redacted by the store, committed before the answer.
    func eventRecord(_ args: ToolArguments) throws -> JSONValue {
        let time = try args.time("time") ?? .now()
        var severity = Severity.info
        if let s = try args.string("severity") {
            guard let parsed = Severity(rawValue: s) else { throw ToolError("event_record: severity must be info, warning, error or critical") }
            severity = parsed
        }
        let causedBy = try args.string("caused_by")
        let event = TimelineEvent(id: Identifier.make(.event, at: time), timestamp: time, type: try args.required("type"),
                                  source: try args.string("source") ?? "claude", description: try args.required("description"),
                                  details: try args.object("details", maxBytes: Limits.maxDetails) ?? .object([]),
                                  causedBy: causedBy, components: try args.strings("components"), severity: severity)
        try event.validate()
        return RecordedEvents(writes: try memory.record([event])).json
    }

    func actionRecord(_ args: ToolArguments) throws -> JSONValue {
        let action = SessionAction(kind: try args.string("kind") ?? "command", detail: try args.required("detail"),
                                   exitCode: try args.integer("exit_code"))
        try action.validate()
        return try memory.record(action, session: try requireSession(args)).json
    }

    func todoUpdate(_ args: ToolArguments) throws -> JSONValue {
        var change = SessionChange()
        change.addTodos = try args.strings("add")
        change.startTodos = try args.strings("start")
        change.doneTodos = try args.strings("done")
        guard !change.isEmpty else { throw ToolError("todo_update: give add, start or done") }
        let id = try requireSession(args)
        return try memory.change(session: id, change, message: "todos (mcp)").json
    }

    // MARK: Search (the index)

    func queries() throws -> Queries {
        do {
            return try memory.queries()
        } catch let error as StoreError {
            throw error
        } catch {
            throw ToolError("the search index could not be opened: \(error)")
        }
    }

    func search(_ args: ToolArguments) throws -> JSONValue {
        var q = SearchQuery(try args.required("query"), limit: try args.limit(.search))
        if let kind = try args.string("kind") {
            guard let k = DocumentKind(name: kind) else { throw ToolError("search: kind must be event, decision, session or note") }
            q.kinds = [k]
        }
        if let c = try args.string("component") {
            try Identifier.validateComponent(c)
            q.components = [c]
        }
        q.since = try args.time("since")
        q.include(through: try args.time("until", endOfDay: true))
        // The filters the CLI and REST take.
        q.eventTypes = Set(try args.strings("type"))
        q.sources = Set(try args.strings("source"))
        if let s = try args.string("severity") {
            guard let sev = Severity(lenient: s) else { throw ToolError("search: severity must be info, warning, error or critical") }
            q.severities = SearchQuery.severities(atLeast: sev)
        }
        if let o = try args.string("order") {
            guard let order = SearchQuery.Order(name: o) else { throw ToolError("search: order must be relevance, newest or oldest") }
            q.order = order
        }
        return try queries().search(q).json
    }

    func sessionList(_ args: ToolArguments) throws -> JSONValue {
        try queries().sessions(try args.string("query") ?? "", project: try args.string("project"), limit: try args.limit(.sessions)).json
    }

    func decisionsSearch(_ args: ToolArguments) throws -> JSONValue {
        let components = try args.string("component").map { Set([$0]) } ?? []
        for c in components { try Identifier.validateComponent(c) }
        return try queries().decisions(try args.string("query") ?? "", project: try args.string("project"), components: components,
                                       since: try args.time("since"), limit: try args.limit(.decisions)).json
    }

    func timeline(_ args: ToolArguments) throws -> JSONValue {
        var request = TimelineRequest(since: try args.time("since"), until: try args.time("until", endOfDay: true),
                                      limit: try args.limit(.timeline))
        request.text = try args.string("query") ?? ""
        request.types = Set(try args.strings("type"))
        request.components = Set(try args.strings("component"))
        for c in request.components { try Identifier.validateComponent(c) }
        request.sources = Set(try args.strings("source"))
        if let s = try args.string("severity") {
            guard let sev = Severity(lenient: s) else { throw ToolError("timeline: severity must be info, warning, error or critical") }
            request.minSeverity = sev
        }
        if try args.bool("from_history") == true { return try memory.historicalTimeline(request).json }
        return try queries().timeline(request).json
    }

    func event(_ args: ToolArguments) throws -> JSONValue {
        let id = try args.required("id")
        try Identifier.validate(id, what: "event id")
        guard let detail = try queries().event(id: id) else { throw ToolError("event: no event with id \(id)") }
        return detail.json
    }

    func componentHistory(_ args: ToolArguments) throws -> JSONValue {
        let name = try args.required("component")
        try Identifier.validateComponent(name)
        return try queries().componentHistory(name, since: try args.time("since"), limit: try args.limit(.componentHistory)).json
    }

    func correlate(_ args: ToolArguments) throws -> JSONValue {
        let request = CorrelationRequest(try args.required("symptom"), at: try args.time("at"),
                                         window: try args.duration("window") ?? 86_400, limit: try args.limit(.correlate))
        return try queries().correlate(request).json
    }

    // MARK: Infrastructure (the state `cmem collect` commits): the core's answers

    func infraComponent(_ args: ToolArguments) throws -> JSONValue {
        let name = try args.required("name")
        return try memory.infraComponent(name, within: try args.duration("within") ?? 30 * 86_400).json
    }

    func infraDiff(_ args: ToolArguments) throws -> JSONValue {
        guard let since = try args.time("since") else { throw ToolError("infra_diff: since is required") }
        return try memory.infraDiff(since: since, until: try args.time("until")).json
    }
}
