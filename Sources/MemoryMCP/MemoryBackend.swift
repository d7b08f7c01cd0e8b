import Collector
import Foundation
import GitKit
import Logging
import MemoryIndex
import MemoryModel
import MemoryStore
import Redaction

/// What the MCP tools do, behind one actor: MCP requests are handled concurrently, and the store is used
/// by one caller at a time. The search index is opened on first use and refreshed before each query, so
/// answers include what was written since (by this server, the hooks or anyone else).
///
/// Every string a tool writes (task, summary, todos, decisions) passes through the redactor first.
/// Results are compact JSON: empty fields are left out and lists are limited.
public actor MemoryBackend {
    public let repositoryPath: String
    let logger: Logger
    /// The directory that selects the project when a call names none (Claude Code starts the server there).
    public let defaultCWD: String
    let redactor = Redactor()
    private var index: MemoryIndex?
    private var opened: MemoryStore?

    /// The repository is opened on the first call, so a server started before `cmem init` answers every
    /// call with what to do instead of failing to start.
    public init(repositoryPath: String, defaultCWD: String = FileManager.default.currentDirectoryPath, logger: Logger) {
        self.repositoryPath = repositoryPath
        self.defaultCWD = defaultCWD
        self.logger = logger
    }

    var store: MemoryStore {
        get throws {
            if let opened { return opened }
            let s = try MemoryStore(path: repositoryPath, logger: logger)
            opened = s
            return s
        }
    }

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
            case "search": return try search(args)
            case "decisions_search": return try decisionsSearch(args)
            case "timeline": return try timeline(args)
            case "event": return try event(args)
            case "component_history": return try componentHistory(args)
            case "correlate": return try correlate(args)
            case "infra_current": return try infraCurrent()
            case "infra_component": return try infraComponent(args)
            case "infra_diff": return try infraDiff(args)
            case "infra_health": return try infraHealth()
            default: throw ToolError("\(name) is not implemented")
            }
        } catch let error as ToolError {
            throw error
        } catch let error as MemoryModel.ValidationError {
            throw ToolError("\(name): \(error.message)")
        } catch let error as StoreError {
            throw ToolError("\(name): \(error.description)")
        }
    }

    // MARK: Sessions

    func project(_ args: ToolArguments) throws -> ProjectScope {
        let cwd = try args.string("cwd") ?? defaultCWD
        guard cwd.hasPrefix("/") else { throw ToolError("\(args.tool): cwd must be an absolute path") }
        return ProjectScope.resolve(cwd: cwd, scope: try store.config.projectScope)
    }

    /// The session named by `session`, else the project's current one (nil when there is none).
    func targetSession(_ args: ToolArguments) throws -> String? {
        if let id = try args.string("session") {
            try Identifier.validate(id, what: "session")
            guard try store.sessionPath(id: id) != nil else { throw ToolError("\(args.tool): no session with id \(id)") }
            return id
        }
        return try store.currentSession(project: project(args))?.id
    }

    func requireSession(_ args: ToolArguments) throws -> String {
        guard let id = try targetSession(args) else {
            let p = try project(args)
            throw ToolError("\(args.tool): no current session for project \(p.name) (\(p.root)); pass session or cwd, or call session_update to start one")
        }
        return id
    }

    func sessionCurrent(_ args: ToolArguments) throws -> JSONValue {
        let limit = try args.limit(default: 10, max: 100)
        guard let id = try targetSession(args) else {
            let p = try project(args)
            let hours = try store.config.currentWindow / 3600
            return .object([("session", .null), ("message", .string("no session for project \(p.name) in the last \(hours)h"))])
        }
        return compact(try store.session(id: id), actions: limit)
    }

    func clean(_ s: String, _ what: String) throws -> String {
        try Limits.checkText(s, what: what)
        return redactor.redact(s)
    }

    func sessionUpdate(_ args: ToolArguments) throws -> JSONValue {
        let task = try args.string("task").map { try clean($0, "task") }
        let summary = try args.string("summary").map { try clean($0, "summary") }
        let todo = try args.strings("todo").map { try clean($0, "todo") }
        let done = try args.strings("done").map { try clean($0, "done") }
        let blocker = try args.strings("blocker").map { try clean($0, "blocker") }
        let unblock = try args.strings("unblock").map { try clean($0, "unblock") }
        let next = try args.strings("next").map { try clean($0, "next") }
        let file = try args.strings("file").map { try clean($0, "file") }
        var started = false
        let id: String
        if let existing = try targetSession(args) {
            id = existing
        } else {
            id = try store.startSession(task: task ?? "", cwd: try project(args).root).id
            started = true
        }
        let s = try store.updateSession(id: id, message: "update (mcp)") { s, _ in
            if let task { s.currentTask = task }
            if let summary { s.summary = summary }
            for t in todo where !s.todoList.contains(where: { $0.text == t }) { s.todoList.append(.init(text: t)) }
            for t in done {
                if let i = s.todoList.firstIndex(where: { $0.text == t }) { s.todoList[i].status = "done" } else { s.todoList.append(.init(text: t, status: "done")) }
            }
            for b in blocker where !s.blockers.contains(b) { s.blockers.append(b) }
            s.blockers.removeAll { unblock.contains($0) }
            for n in next where !s.nextSteps.contains(n) { s.nextSteps.append(n) }
            for f in file where !s.activeFiles.contains(f) { s.activeFiles.append(f) }
        }
        var out = compact(s, actions: 0)
        if started, case var .object(p) = out { p.insert(("started", .bool(true)), at: 0); out = .object(p) }
        return out
    }

    func decisionRecord(_ args: ToolArguments) throws -> JSONValue {
        let d = try store.recordDecision(
            sessionID: try targetSession(args),
            decision: try clean(try args.required("decision"), "decision"),
            rationale: try clean(try args.string("rationale") ?? "", "rationale"),
            alternatives: try args.strings("alternatives").map { try clean($0, "alternative") },
            context: try clean(try args.string("context") ?? "", "context"),
            consequences: try clean(try args.string("consequences") ?? "", "consequences"),
            components: try args.strings("components"))
        return object([("decision_id", .string(d.id)), ("session_id", d.sessionID.map { .string($0) }), ("path", .string(d.path))])
    }

    func handoffWrite(_ args: ToolArguments) throws -> JSONValue {
        let summary = try clean(try args.required("summary"), "summary")
        let next = try args.value("next_steps") == nil ? nil : args.strings("next_steps").map { try clean($0, "next step") }
        let blockers = try args.value("blockers") == nil ? nil : args.strings("blockers").map { try clean($0, "blocker") }
        let end = try args.bool("end") ?? false
        let id = try requireSession(args)
        let now = Timestamp.now()
        let s = try store.updateSession(id: id, message: end ? "end (handoff)" : "handoff", at: now) { s, _ in
            s.summary = summary
            if let next { s.nextSteps = next }
            if let blockers { s.blockers = blockers }
            if end { s.endedAt = now }
        }
        return compact(s, actions: 0)
    }

    func compact(_ s: Session, actions: Int) -> JSONValue {
        var decisions: [JSONValue] = []
        for id in s.decisions {
            if let d = try? store.decision(id: id) {
                decisions.append(object([("id", .string(id)), ("decision", .string(d.decision)), ("rationale", nonEmpty(d.rationale))]))
            } else {
                decisions.append(.object([("id", .string(id))]))
            }
        }
        let open = s.todoList.filter(\.isOpen).map { JSONValue.string($0.text) }
        let done = s.todoList.filter { !$0.isOpen }.map { JSONValue.string($0.text) }
        return object([
            ("session_id", .string(s.id)), ("project", .string(s.project)), ("status", .string(s.isActive ? "active" : "ended")),
            ("started_at", .string(s.startedAt.iso8601)), ("updated", .string(s.updatedAt.iso8601)),
            ("task", nonEmpty(s.currentTask)), ("summary", nonEmpty(s.summary)),
            ("todos", list(open)), ("done", list(done)), ("blockers", list(s.blockers.map { .string($0) })),
            ("next_steps", list(s.nextSteps.map { .string($0) })), ("decisions", list(decisions)),
            ("files", list(s.activeFiles.map { .string($0) })), ("files_read", s.filesRead.isEmpty ? nil : .number(Double(s.filesRead.count))),
            ("actions", actions == 0 ? nil : list(s.actions.suffix(actions).map { a in
                object([("time", .string(a.time.iso8601)), ("kind", .string(a.kind)), ("detail", .string(a.detail)),
                        ("exit", a.exitCode.map { .number(Double($0)) })])
            })),
        ])
    }

    // MARK: Search (the index)

    /// The index, opened on first use and brought up to date with the working tree on every call.
    func searchIndex() throws -> MemoryIndex {
        if let index {
            try index.refresh()
            return index
        }
        do {
            let opened = try MemoryIndex.open(repoPath: store.root, logger: logger)
            index = opened
            return opened
        } catch {
            throw ToolError("the search index could not be opened: \(error)")
        }
    }

    func search(_ args: ToolArguments) throws -> JSONValue {
        var q = SearchQuery(try args.required("query"), limit: try args.limit(default: 10, max: 50))
        if let kind = try args.string("kind") {
            guard let k = DocumentKind(name: kind) else { throw ToolError("search: kind must be event, decision or session") }
            q.kinds = [k]
        }
        if let c = try args.string("component") { q.components = [c] }
        q.since = try args.time("since")
        q.until = try args.time("until")
        let results = try searchIndex().search(q)
        return object([
            ("total", results.totalMatches.map { .number(Double($0)) }),
            ("hits", .array(results.hits.map { h in
                object([("kind", .string(h.kind.description)), ("id", .string(h.id)), ("time", .string(h.timestamp.iso8601)),
                        ("title", .string(clip(h.title, 200))), ("at", .string(h.location)),
                        ("components", h.event.map { list($0.components.map { .string($0) }) } ?? nil)])
            })),
            ("index", .string(results.freshness.summary)),
        ])
    }

    func decisionsSearch(_ args: ToolArguments) throws -> JSONValue {
        let text = try args.string("query") ?? ""
        var q = SearchQuery(text, kinds: [.decision], order: text.isEmpty ? .newestFirst : .relevance, limit: try args.limit(default: 10, max: 50))
        if let c = try args.string("component") { q.components = [c] }
        q.project = try args.string("project")
        q.since = try args.time("since")
        let results = try searchIndex().search(q)
        return object([
            ("total", results.totalMatches.map { .number(Double($0)) }),
            ("decisions", .array(results.hits.map { h in
                let d = h.decision
                return object([("id", .string(h.id)), ("time", .string(h.timestamp.iso8601)), ("decision", .string(d?.decision ?? h.title)),
                               ("rationale", nonEmpty(d?.rationale ?? "")), ("alternatives", list((d?.alternatives ?? []).map { .string($0) })),
                               ("components", list((d?.components ?? []).map { .string($0) })), ("session", d?.sessionID.map { .string($0) }),
                               ("at", .string(h.location))])
            })),
        ])
    }

    func timeline(_ args: ToolArguments) throws -> JSONValue {
        var q = SearchQuery(try args.string("query") ?? "", kinds: [.event], order: .newestFirst, limit: try args.limit(default: 20, max: 200))
        q.since = try args.time("since")
        q.until = try args.time("until")
        q.eventTypes = Set(try args.strings("type"))
        q.components = Set(try args.strings("component"))
        q.sources = Set(try args.strings("source"))
        if let s = try args.string("severity") {
            guard let sev = Severity(lenient: s) else { throw ToolError("timeline: severity must be info, warning, error or critical") }
            q.severities = SearchQuery.severities(atLeast: sev)
        }
        let events = try searchIndex().timeline(q)
        return object([("events", .array(events.map(eventJSON)))])
    }

    func event(_ args: ToolArguments) throws -> JSONValue {
        let id = try args.required("id")
        try Identifier.validate(id, what: "event id")
        let index = try searchIndex()
        guard let e = index.event(id: id) else { throw ToolError("event: no event with id \(id)") }
        let cause = e.causedBy.flatMap { index.event(id: $0) }
        let effects = index.caused(by: id)
        let at = index.location(id: id).map { JSONValue.string("\($0.path):\($0.line)") }
        return object([("event", eventJSON(e)), ("at", at), ("cause", cause.map(eventJSON)), ("effects", list(effects.prefix(50).map(eventJSON)))])
    }

    func componentHistory(_ args: ToolArguments) throws -> JSONValue {
        let name = try args.required("component")
        try Identifier.validateComponent(name)
        let limit = try args.limit(default: 20, max: 200)
        let since = try args.time("since")
        let index = try searchIndex()
        let events = index.events(component: name, since: since, limit: limit)
        let decisions = index.search(SearchQuery(kinds: [.decision], components: [name], since: since, order: .newestFirst, limit: 10)).hits
        return object([
            ("component", .string(name)),
            ("events", .array(events.map(eventJSON))),
            ("decisions", list(decisions.map { h in
                object([("id", .string(h.id)), ("time", .string(h.timestamp.iso8601)), ("decision", .string(h.decision?.decision ?? h.title)),
                        ("rationale", nonEmpty(h.decision?.rationale ?? ""))])
            })),
        ])
    }

    func correlate(_ args: ToolArguments) throws -> JSONValue {
        let request = CorrelationRequest(try args.required("symptom"), at: try args.time("at"),
                                         window: try args.duration("window") ?? 86_400, limit: try args.limit(default: 5, max: 50))
        let r = try searchIndex().correlate(request)
        func scored(_ s: ScoredEvent) -> JSONValue {
            object([("event", eventJSON(s.event)), ("score", .number((s.score * 1000).rounded() / 1000)), ("why", nonEmpty(s.summary)), ("at", .string(s.location))])
        }
        return object([
            ("symptom", .string(r.symptom)), ("components", list(r.components.map { .string($0) })), ("onset", .string(r.onset.iso8601)),
            ("confidence", .string(r.confidence.rawValue)), ("explanation", nonEmpty(r.explanation)),
            ("probable_cause", r.probableCause.map(scored)), ("chain", list(r.chain.map(eventJSON))),
            ("related", list(r.related.map(scored))), ("considered", .number(Double(r.candidatesConsidered))),
        ])
    }

    func eventJSON(_ e: TimelineEvent) -> JSONValue {
        let details = e.details.isEmptyObject ? nil : (e.details.json.utf8.count <= 400 ? e.details : .string(clip(e.details.json, 400)))
        return object([
            ("id", .string(e.id)), ("time", .string(e.timestamp.iso8601)), ("type", .string(e.type)), ("source", .string(e.source)),
            ("severity", e.severity == .info ? nil : .string(e.severity.rawValue)), ("components", list(e.components.map { .string($0) })),
            ("description", .string(e.description)), ("caused_by", e.causedBy.map { .string($0) }), ("details", details),
        ])
    }

    // MARK: Infrastructure (the state `cmem collect` commits)

    /// Where the collector commits the cluster state (canonical JSON of `InfraSnapshot`).
    public static let infrastructureStatePath = "infrastructure/state.json"
    static let notCollected: JSONValue = .object([
        ("collected", .bool(false)),
        ("message", .string("no infrastructure state collected yet; run `cmem collect` (it commits \(infrastructureStatePath))")),
    ])

    func infrastructure() throws -> (snapshot: InfraSnapshot, commit: CommitInfo?)? {
        guard let text = try store.readText(MemoryBackend.infrastructureStatePath) else { return nil }
        let snapshot = try InfraSnapshot(canonicalJSON: text)
        return (snapshot, try? store.git.log(path: MemoryBackend.infrastructureStatePath, limit: 1).first)
    }

    func collectedAt(_ commit: CommitInfo?) -> JSONValue? {
        commit.map { .string(Timestamp(seconds: $0.time).iso8601) }
    }

    func infraCurrent() throws -> JSONValue {
        guard let (snapshot, commit) = try infrastructure() else { return MemoryBackend.notCollected }
        guard case let .object(pairs) = snapshot.current else { return snapshot.current }
        return .object([("collected_at", collectedAt(commit) ?? .null)] + pairs)
    }

    func infraComponent(_ args: ToolArguments) throws -> JSONValue {
        let name = try args.required("name")
        guard let (snapshot, commit) = try infrastructure() else { return MemoryBackend.notCollected }
        let found = snapshot.components(named: name)
        guard !found.isEmpty else {
            throw ToolError("infra_component: no component \(JSONValue.quoted(name)) in the collected state; infra_current lists them")
        }
        return object([("collected_at", collectedAt(commit)), ("components", .array(found.map(\.json)))])
    }

    func infraDiff(_ args: ToolArguments) throws -> JSONValue {
        guard let since = try args.time("since") else { throw ToolError("infra_diff: since is required") }
        guard let (now, commit) = try infrastructure() else { return MemoryBackend.notCollected }
        let history: [CommitInfo]
        do {
            history = try store.git.log(path: MemoryBackend.infrastructureStatePath, limit: 10_000)
        } catch let error as GitError {
            throw StoreError.git(error)
        }
        var old = InfraSnapshot()
        var from: JSONValue = .null
        if let c = history.first(where: { $0.time <= since.seconds }), let bytes = try? store.git.blob(at: c.id, path: MemoryBackend.infrastructureStatePath) {
            old = try InfraSnapshot(canonicalJSON: String(decoding: bytes, as: UTF8.self))
            from = .string(Timestamp(seconds: c.time).iso8601)
        }
        let diff = StructuredDiff.between(old, now)
        guard case let .object(pairs) = diff.json else { return diff.json }
        return .object([("from", from), ("to", collectedAt(commit) ?? .null)] + pairs)
    }

    func infraHealth() throws -> JSONValue {
        guard let (snapshot, commit) = try infrastructure() else { return MemoryBackend.notCollected }
        guard case let .object(pairs) = HealthSummary(snapshot).json else { return HealthSummary(snapshot).json }
        return .object([("collected_at", collectedAt(commit) ?? .null)] + pairs)
    }
}

// MARK: Compact JSON

/// An object without its nil members.
func object(_ pairs: [(String, JSONValue?)]) -> JSONValue {
    .object(pairs.compactMap { k, v in v.map { (k, $0) } })
}

/// A list, or nil (left out) when empty.
func list(_ items: [JSONValue]) -> JSONValue? { items.isEmpty ? nil : .array(items) }

func nonEmpty(_ s: String) -> JSONValue? { s.isEmpty ? nil : .string(s) }

func clip(_ s: String, _ max: Int) -> String {
    s.count <= max ? s : String(s.prefix(max - 1)) + "…"
}
