import Collector
import Foundation
import Logging
import MemoryIndex
import MemoryModel
import MemoryStore

/// The application core: what the CLI, the REST routes, the MCP tools and the Claude Code hooks all
/// call. Front ends translate (arguments, HTTP, JSON-RPC in; these typed answers out); the rules live
/// here and below: which session is current and which one a write goes to, how a session changes, what
/// is redacted (the store's write path), how the index answers.
///
/// Not thread-safe: one caller at a time (the server and the MCP server keep it behind an actor).
/// `Queries` from `queries()` may be used from any thread.
public final class Memory {
    public let store: MemoryStore
    let logger: Logger
    private var index: MemoryIndex?

    public init(store: MemoryStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public convenience init(path: String, logger: Logger) throws {
        self.init(store: try MemoryStore(path: path, logger: logger), logger: logger)
    }

    // MARK: Sessions

    public func project(cwd: String) -> ProjectScope {
        ProjectScope.resolve(cwd: cwd, scope: store.config.projectScope)
    }

    /// Where the project of `cwd` left off, by the store's one policy (`MemoryStore.currentSession`);
    /// nil when the project has no session within the window.
    public func currentSession(cwd: String, window: Int64? = nil) throws -> SessionAnswer? {
        guard let s = try store.currentSession(project: project(cwd: cwd), window: window) else { return nil }
        return answer(s)
    }

    public func session(id: String) throws -> SessionAnswer {
        answer(try store.session(id: id))
    }

    /// The commits that wrote a session, decision or event (`target`: its id), or a path; newest first.
    public func history(of target: String?, limit: Int) throws -> NoteHistory {
        let (path, commits) = try store.log(target: target, limit: limit)
        return NoteHistory(path: path, commits: commits)
    }

    /// The handoff of `project` ("where we left off", `handoff/<project>.md`, written at every session
    /// end); nil when none was written yet.
    public func handoff(project: String) throws -> Handoff? {
        // A project is named by its directory: `../x` would be read as project `x`.
        guard !project.isEmpty, !project.contains("/"), !project.contains(".."), !project.contains(where: \.isNewline) else {
            throw ValidationError("project name \(JSONValue.quoted(project)) is not valid: a project is its directory's name, without / or ..")
        }
        let path = HandoffBuilder.path(project: project)
        guard let text = try store.readText(path) else { return nil }
        return Handoff(project: project, path: path, text: text)
    }

    func answer(_ s: Session) -> SessionAnswer {
        SessionAnswer(session: s, decisions: s.decisions.compactMap { try? store.lookupDecision(id: $0) }, since: sincePrevious(s))
    }

    /// What changed between `s`'s previous session and `s` (nil when it continues none, or that one
    /// cannot be read).
    /// `builder`: the handoff builder that will show it, so that the day files are read once.
    public func sincePrevious(_ s: Session, builder: HandoffBuilder? = nil) -> SincePrevious? {
        guard let id = s.previousSession, let previous = try? store.session(id: id) else { return nil }
        return sincePrevious(s, previous: previous, builder: builder ?? HandoffBuilder(store: store))
    }

    func sincePrevious(_ s: Session, previous: Session, builder: HandoffBuilder) -> SincePrevious {
        let decisionComponents = previous.decisions.compactMap { try? store.lookupDecision(id: $0) }.flatMap(\.components)
        let components = builder.componentsOfInterest(session: previous, project: ProjectScope(root: s.workingDirectory, name: s.project),
                                                      decisionComponents: decisionComponents)
        return SincePrevious.compute(store: store, session: s, previous: previous, components: components, days: builder.days)
    }

    /// The session a write goes to: `id` when given (it must exist), else the project's active session.
    /// An ended session is never written by default: the project's last session having ended means the
    /// next write needs a new session (or an explicit id).
    public func targetSession(id: String?, cwd: String) throws -> String {
        if let id {
            try Identifier.validate(id, what: "session id")
            guard try store.sessionPath(id: id) != nil else { throw CoreError.notFound(kind: "session", id: id) }
            return id
        }
        let scope = project(cwd: cwd)
        let current = try store.currentSession(project: scope)
        guard let current, current.isActive else {
            throw CoreError.noActiveSession(project: scope.name, root: scope.root, ended: current?.id)
        }
        return current.id
    }

    /// Starts a session that continues the project's previous one (`Continuity`): its open todos,
    /// blockers and next steps are carried over, and the code repository's HEAD is recorded.
    /// `previous`: the session to continue when the caller has already looked it up (`.some(nil)`: none).
    public func startSession(task: String, cwd: String, claudeSessionID: String? = nil, at time: Timestamp = .now(),
                             previous: Session?? = nil) throws -> Session {
        let scope = project(cwd: cwd)
        let continued = try previous ?? Continuity.previousSession(store: store, project: scope)
        let head = Continuity.codeHead(root: scope.root)
        return try store.startSession(task: task, cwd: cwd, claudeSessionID: claudeSessionID, at: time) { s in
            s.codeHeadAtStart = head
            if let continued { Continuity.carryOver(from: continued, into: &s) }
        }
    }

    /// Applies `change`. Ending a session records the code repository's HEAD and writes
    /// `handoff/<project>.md` in the same commit, whichever front end ended it.
    @discardableResult
    public func change(session id: String, _ change: SessionChange, message: String = "update", at time: Timestamp = .now()) throws -> Session {
        try apply(change, session: id, message: message, at: time, skipUnchanged: false)!
    }

    /// `change`, writing nothing when it changes nothing (a hook recording a file read twice): nil then.
    @discardableResult
    public func changeIfAny(session id: String, _ change: SessionChange, message: String, at time: Timestamp = .now()) throws -> Session? {
        try apply(change, session: id, message: message, at: time, skipUnchanged: true)
    }

    private struct Unchanged: Error {}

    private func apply(_ change: SessionChange, session id: String, message: String, at time: Timestamp, skipUnchanged: Bool) throws -> Session? {
        try change.validate()
        let change = change.mapTexts(store.redacted)
        do {
            return try store.updateSession(id: id, message: change.end ? "end" : message, at: time) { s, tx in
                let before = s
                try change.apply(to: &s, at: time)
                if skipUnchanged, s == before { throw Unchanged() }
                if change.end, before.isActive { try self.ended(&s, tx: tx, at: time) }
            }
        } catch is Unchanged {
            return nil
        }
    }

    /// What every end of a session does, inside the commit that ends it.
    @discardableResult
    public func ended(_ s: inout Session, tx: MemoryStore.Transaction, at time: Timestamp) throws -> String {
        if let head = Continuity.codeHead(root: s.workingDirectory) { s.codeHeadAtEnd = head }
        let builder = HandoffBuilder(store: store)
        return try builder.write(session: s, since: sincePrevious(s, builder: builder), tx: tx, now: time)
    }

    @discardableResult
    public func record(_ action: SessionAction, session id: String, at time: Timestamp = .now()) throws -> Session {
        try action.validate()
        return try store.updateSession(id: id, message: "action \(action.kind)", at: time) { s, _ in action.apply(to: &s, at: time) }
    }

    @discardableResult
    public func decide(session id: String?, decision: String, rationale: String = "", alternatives: [String] = [],
                       context: String = "", consequences: String = "", components: [String] = []) throws -> Decision {
        try store.recordDecision(sessionID: id, decision: decision, rationale: rationale, alternatives: alternatives,
                                 context: context, consequences: consequences, components: components)
    }

    // MARK: Events

    /// Validated, redacted (by the store) and committed before this returns.
    @discardableResult
    public func record(_ events: [TimelineEvent]) throws -> [MemoryStore.EventWrite] {
        try store.recordEvents(events)
    }

    // MARK: The index

    /// The questions answered from the index, opened on first use and brought up to date with the
    /// working tree on every later call (what the hooks, another process or a `git pull` wrote).
    public func queries() throws -> Queries {
        if let index {
            try index.refresh()
            return Queries(index: index)
        }
        let opened = try MemoryIndex.open(repoPath: store.root, logger: logger)
        index = opened
        return Queries(index: opened)
    }

    // MARK: The vault

    /// Brings the component notes and the home note up to date (`VaultNotes`), in one commit.
    public func refreshVault(now: Timestamp = .now()) throws -> VaultNotes.Report {
        try VaultNotes(store: store, queries: queries()).refresh(now: now)
    }

    // MARK: Infrastructure

    public func infraHealth() throws -> InfraHealth {
        InfraHealth(state: try InfraRepository.current(store: store))
    }
}
