import Hummingbird
import MemoryCore
import MemoryModel
import MemoryStore

/// `/memory/sessions`: start, update, find the current one, summarise, record decisions and actions.
struct SessionRoutes {
    let service: MemoryService

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.post { request, _ in try await start(request) }
        routes.get { request, _ in
            let q = try QueryParameters(request)
            let text = try q.string("q", maxLength: 1024) ?? ""
            let project = try q.string("project", maxLength: 256).flatMap { $0.isEmpty ? nil : $0 }
            let limit = try q.integer("limit", in: AnswerLimit.sessions.range) ?? AnswerLimit.sessions.defaultValue
            try q.rejectUnknown()
            return JSONResponse.make(try await service.sessions(text, project: project, limit: limit).json)
        }
        routes.get("current") { request, _ in try await current(request) }
        routes.get("{id}") { request, context in
            try QueryParameters(request).rejectUnknown()
            let answer = try await service.session(id: try sessionID(context))
            return JSONResponse.make(answer.json)
        }
        routes.put("{id}") { request, context in try await update(request, context) }
        routes.get("{id}/summary") { request, context in
            try QueryParameters(request).rejectUnknown()
            let answer = try await service.session(id: try sessionID(context))
            return JSONResponse.make(SessionRoutes.summary(answer.session, answer.decisions))
        }
        routes.post("{id}/summary") { request, context in try await storeSummary(request, context) }
        routes.post("{id}/decision") { request, context in try await decision(request, context) }
        routes.post("{id}/action") { request, context in try await action(request, context) }
        return routes
    }

    func sessionID(_ context: BasicRequestContext) throws -> String {
        try PathParameters.id(context, what: "session id")
    }

    func start(_ request: Request) async throws -> Response {
        let body = try await request.jsonObject()
        try body.allowOnly(["working_directory", "current_task", "claude_session_id"])
        let cwd = try SessionRoutes.workingDirectory(try body.requiredString("working_directory", maxLength: RequestLimits.path))
        let task = try body.string("current_task") ?? ""
        let claude = try body.string("claude_session_id", maxLength: 128)
        if let claude { try RequestFields.checkToken(claude, field: "claude_session_id") }
        let s = try await service.startSession(workingDirectory: cwd, task: task, claudeSessionID: claude)
        return JSONResponse.make(s.json, status: .created)
    }

    static func workingDirectory(_ path: String) throws -> String {
        // Bytes, not Characters: "/" followed by a combining mark is still an absolute path.
        guard path.utf8.first == UInt8(ascii: "/") else {
            throw APIError.badRequest("working_directory must be an absolute path, e.g. /home/dev/src/project")
        }
        return path
    }

    func current(_ request: Request) async throws -> Response {
        let query = try QueryParameters(request)
        let cwd = try SessionRoutes.workingDirectory(try query.required("working_directory", maxLength: RequestLimits.path))
        var window: Int64?
        if let w = try query.string("window", maxLength: 12) {
            guard let secs = TimeFormats.duration(w) else {
                throw APIError.badRequest("query parameter window must be a duration such as 24h or 7d")
            }
            window = secs
        }
        try query.rejectUnknown()
        guard let answer = try await service.currentSession(workingDirectory: cwd, window: window) else {
            let none = await service.noCurrentSession(workingDirectory: cwd, window: window)
            throw APIError.notFound(none.message + "; start one with POST /memory/sessions")
        }
        return JSONResponse.make(answer.json)
    }

    /// PUT's fields: each replaces the session's value (lists whole).
    static func patch(_ body: RequestFields) throws -> SessionChange {
        try body.allowOnly(["current_task", "summary", "todo_list", "blockers", "next_steps", "active_files", "files_read"])
        var patch = SessionChange()
        patch.task = try body.string("current_task")
        patch.summary = try body.string("summary")
        patch.blockers = try body.stringList("blockers")
        patch.nextSteps = try body.stringList("next_steps")
        patch.activeFiles = try body.stringList("active_files", maxLength: RequestLimits.path)
        patch.filesRead = try body.stringList("files_read", maxLength: RequestLimits.path)
        if let v = body["todo_list"] {
            guard case let .array(items) = v else {
                throw APIError.badRequest("field todo_list must be an array of strings or {text, status} objects, not \(RequestFields.describe(v))")
            }
            guard items.count <= RequestLimits.listItems else {
                throw APIError.badRequest("field todo_list has \(items.count) items; the limit is \(RequestLimits.listItems)")
            }
            patch.todoList = try items.enumerated().map { i, item in
                if case let .string(text) = item {
                    try RequestFields.checkText(text, field: "todo_list[\(i)]", maxLength: RequestLimits.text)
                    return Session.Todo(text: text)
                }
                let fields = try RequestFields(item, what: "todo_list[\(i)]")
                try fields.allowOnly(["text", "status"], what: "todo_list[\(i)]")
                let text = try fields.requiredString("text", nonEmpty: false)
                let status = try fields.token("status") ?? "pending"
                return Session.Todo(text: text, status: status)
            }
        }
        return patch
    }

    func update(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try sessionID(context)
        let body = try await request.jsonObject()
        let patch = try SessionRoutes.patch(body)
        guard !patch.isEmpty else {
            throw APIError.badRequest("nothing to update: send any of current_task, summary, todo_list, blockers, next_steps, active_files, files_read")
        }
        let answer = try await service.changeSession(id: id, patch, message: "update")
        return JSONResponse.make(answer.session.json)
    }

    func storeSummary(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try sessionID(context)
        let body = try await request.jsonObject()
        try body.allowOnly(["summary", "next_steps", "blockers", "end"])
        var change = SessionChange()
        change.summary = try body.requiredString("summary")
        change.nextSteps = try body.stringList("next_steps")
        change.blockers = try body.stringList("blockers")
        change.end = try body.bool("end") ?? true
        let answer = try await service.changeSession(id: id, change, message: "summary")
        return JSONResponse.make(answer.session.json)
    }

    func decision(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try sessionID(context)
        let body = try await request.jsonObject()
        try body.allowOnly(["decision", "rationale", "alternatives", "context", "consequences", "components"])
        let text = try body.requiredString("decision")
        guard text.unicodeScalars.contains(where: { !Whitespace.contains($0) }) else {
            throw APIError.badRequest("field decision must not be blank")
        }
        let components = try body.stringList("components", maxLength: 253) ?? []
        for c in components { _ = try PathParameters.component(c, what: "component") }
        let d = try await service.recordDecision(
            sessionID: id, decision: text, rationale: try body.string("rationale") ?? "",
            alternatives: try body.stringList("alternatives") ?? [], context: try body.string("context") ?? "",
            consequences: try body.string("consequences") ?? "", components: components)
        return JSONResponse.make(d.json, status: .created)
    }

    func action(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try sessionID(context)
        let body = try await request.jsonObject()
        try body.allowOnly(["kind", "detail", "exit_code"])
        let kind = try body.token("kind") ?? "command"
        let detail = try body.requiredString("detail")
        let exitCode = try body.integer("exit_code")
        let s = try await service.recordAction(sessionID: id, SessionAction(kind: kind, detail: detail, exitCode: exitCode))
        return JSONResponse.make(s.json, status: .created)
    }

    /// "Here's where we left off": what a new session needs from this one.
    static func summary(_ s: Session, _ decisions: [Decision]) -> JSONValue {
        let last: JSONValue = s.actions.last.map { a in
            var p: [(String, JSONValue)] = [("time", .string(a.time.iso8601)), ("kind", .string(a.kind)), ("detail", .string(a.detail))]
            if let e = a.exitCode { p.append(("exit_code", .number(Double(e)))) }
            return .object(p)
        } ?? .null
        return .object([
            ("session_id", .string(s.id)), ("project", .string(s.project)), ("working_directory", .string(s.workingDirectory)),
            ("status", .string(s.isActive ? "active" : "ended")), ("started_at", .string(s.startedAt.iso8601)),
            ("ended_at", s.endedAt.map { .string($0.iso8601) } ?? .null), ("current_task", .string(s.currentTask)),
            ("summary", .string(s.summary)),
            ("key_decisions", .array(decisions.map { d in
                .object([("decision_id", .string(d.id)), ("decision", .string(d.decision)), ("rationale", .string(d.rationale)),
                         ("alternatives", .array(d.alternatives.map { .string($0) }))])
            })),
            ("open_todos", .array(s.todoList.filter(\.isOpen).map { .string($0.text) })),
            ("blockers", .array(s.blockers.map { .string($0) })), ("next_steps", .array(s.nextSteps.map { .string($0) })),
            ("active_files", .array(s.activeFiles.map { .string($0) })), ("last_action", last),
        ])
    }
}

/// White space as Foundation's `.whitespacesAndNewlines` has it (what the store trims), spelt out so the
/// OpenAPI pattern for "not blank" can list the same characters.
enum Whitespace {
    static func contains(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}
