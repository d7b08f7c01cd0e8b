import Foundation
import Logging
import MemoryCore
import MemoryModel
import MemoryStore
import Redaction

/// The hook events `cmem hook` answers, by subcommand name.
public enum HookEvent: String, CaseIterable, Sendable {
    case sessionStart = "session-start"
    case userPrompt = "user-prompt"
    case postToolUse = "post-tool-use"
    case preCompact = "pre-compact"
    case sessionEnd = "session-end"
    case stop = "stop"

    /// The Claude Code event that runs it, and the matcher used when installing.
    public var claudeEvents: [(name: String, matcher: String?)] {
        switch self {
        case .sessionStart: return [("SessionStart", nil)]
        case .userPrompt: return [("UserPromptSubmit", nil)]
        case .postToolUse: return [("PostToolUse", ToolCapture.matcher), ("PostToolUseFailure", ToolCapture.matcher)]
        case .preCompact: return [("PreCompact", nil)]
        case .sessionEnd: return [("SessionEnd", nil)]
        case .stop: return [("Stop", nil)]
        }
    }
}

/// What each hook does to the memory. Every string taken from the payload or the transcript passes
/// through the redactor before it is written.
///
/// - session-start: starts a memory session for a new Claude session (or continues the one that follows
///   this `session_id`, reopening it when it had ended) and returns the handoff, which Claude Code adds to
///   the context. A new session continues the project's latest session with content (`Memory.startSession`
///   carries its open work over) and gets its handoff with what changed since it ended; `compact` and
///   `resume` get the snapshot PreCompact saved, else the handoff of the session itself.
/// - user-prompt: sets `current_task` from the first prompt when none is set: a short title (`title`); the
///   whole prompt is kept as an action `prompt`.
/// - post-tool-use: records the tool call (see `ToolCapture`) as a `SessionChange` through the core (which
///   folds repeated actions and keeps carried-over todos); one read of the session, at most one commit.
/// - pre-compact: writes the summary and `handoff/<project>.md`, and saves the snapshot for re-injection.
/// - session-end: the same, and ends the session as every front end does (`Memory.ended`: the code's
///   HEAD, `handoff/<project>.md`).
/// - stop: refreshes the summary from the last assistant message (so a killed session still has one).
///
/// Stop, PreCompact and SessionEnd merge what they capture: blockers and next steps the last assistant
/// message states are added, and a summary built without a readable message keeps the last reply an
/// earlier hook saw. The built summary never replaces one written by someone else (through MCP or
/// `cmem session update`): it is written only over an empty summary or over the last one the hooks built.
public struct HookHandler {
    public let store: MemoryStore
    public let memory: Memory
    public let redactor = Redactor()
    public var tokenBudget: Int?
    /// Actions kept in a session note; older ones stay in git history. Keeps the hot path's parse small.
    public static let maxActions = 300

    public init(store: MemoryStore, tokenBudget: Int? = nil) {
        self.store = store
        self.memory = Memory(store: store, logger: Logger(label: "cmem.hook", factory: { _ in SwiftLogNoOpLogHandler() }))
        self.tokenBudget = tokenBudget
    }

    /// Handles one event; returns what to print on stdout (only SessionStart prints anything).
    public func handle(_ event: HookEvent, _ payload: HookPayload, now: Timestamp = .now()) throws -> String {
        switch event {
        case .sessionStart: return try sessionStart(payload, now: now)
        case .userPrompt: try userPrompt(payload, now: now)
        case .postToolUse: try postToolUse(payload, now: now)
        case .preCompact: try saveProgress(payload, now: now, end: false)
        case .sessionEnd: try saveProgress(payload, now: now, end: true)
        case .stop: try stop(payload, now: now)
        }
        return ""
    }

    /// The project of a payload: selected by Claude Code's `cwd`, not the hook process's directory.
    func project(_ payload: HookPayload) -> ProjectScope {
        ProjectScope.resolve(cwd: payload.cwd, scope: store.config.projectScope)
    }

    // MARK: SessionStart

    func sessionStart(_ payload: HookPayload, now: Timestamp) throws -> String {
        let scope = project(payload)
        let builder = HandoffBuilder(store: store, tokenBudget: tokenBudget)
        let source = payload.source ?? "startup"
        if let id = store.sessionID(claudeSession: payload.claudeSessionID), var session = try? store.session(id: id) {
            if !session.isActive {
                session = try store.updateSession(id: id, message: "resume (\(source))", at: now) { s, _ in
                    s.endedAt = nil
                    s.codeHeadAtEnd = nil
                }
            }
            if source == "compact" || source == "resume", let snapshot = readSnapshot(payload.claudeSessionID), !snapshot.isEmpty {
                return snapshot
            }
            return builder.build(session: session, project: scope, since: memory.sincePrevious(session, builder: builder), now: now)
        }
        // A hook never stops the agent: with the last session's note unreadable, the session starts without
        // its open work, and the context says so (with the file and line) instead of staying silent.
        var unreadable = ""
        let previous: Session?
        do {
            previous = try Continuity.previousSession(store: store, project: scope)
        } catch {
            previous = nil
            unreadable = "\n\n**The last session's note cannot be read** (\(error)): its open todos, blockers and next steps "
                + "were not carried over. Fix the note and its work is back in `cmem session current`."
        }
        let started = try sessionFollowing(payload, now: now, previous: .some(previous))
        guard let previous, let session = try? store.session(id: started) else {
            return builder.build(session: nil, project: scope, now: now) + unreadable
        }
        // The previous session's story, with the open work as the new session holds it (carried over).
        var view = previous
        if session.previousSession == previous.id {
            view.todoList = session.todoList
            view.blockers = session.blockers
            view.nextSteps = session.nextSteps
            view.carriedOver = session.carriedOver
        }
        return builder.build(session: view, project: scope, since: memory.sincePrevious(session, builder: builder), now: now)
    }

    // MARK: UserPromptSubmit

    func userPrompt(_ payload: HookPayload, now: Timestamp) throws {
        guard let prompt = payload.prompt, let task = HookHandler.task(fromPrompt: prompt, redactor: redactor) else { return }
        let full = clip(redactor.redact(prompt).trimmingCharacters(in: .whitespacesAndNewlines), HookHandler.maxPrompt)
        try withSession(payload, now: now, message: "task \(JSONValue.quoted(clip(task, 60)))") { s, _ in
            guard s.currentTask.isEmpty else { throw Unchanged() }
            s.currentTask = task
            s.actions.append(Session.Action(time: now, kind: "prompt", detail: full))
        }
    }

    /// The longest prompt kept in an action (a pasted log can be megabytes).
    public static let maxPrompt = 4000
    /// The longest task title.
    public static let maxTitle = 80

    /// The task a first prompt states, as a short title: its first non-empty line, redacted, without
    /// Markdown markers; a line over 80 characters is cut after its first sentence, else at a word. A bare slash
    /// command (`/compact`) states no task.
    static func task(fromPrompt prompt: String, redactor: Redactor) -> String? {
        let redacted = redactor.redact(prompt)
        guard var line = redacted.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) })
            .first(where: { !$0.isEmpty }) else { return nil }
        if line.hasPrefix("/"), !line.contains(" ") { return nil }
        while let first = line.first, "#>*-".contains(first) { line = String(line.dropFirst()).trimmingCharacters(in: .whitespaces) }
        guard line.count > maxTitle else { return line.isEmpty ? nil : line }
        // The first sentence, when it is long enough to say something and short enough for a title.
        let chars = Array(line)
        for i in 12..<min(maxTitle, chars.count - 1) where ".?!".contains(chars[i]) && chars[i + 1] == " " {
            return String(chars[..<i]) + (chars[i] == "." ? "" : String(chars[i]))
        }
        var cut = String(line.prefix(maxTitle - 1))
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) > maxTitle / 2 { cut = String(cut[..<space]) }
        return cut.trimmingCharacters(in: CharacterSet(charactersIn: " ,;:-")) + "…"
    }

    // MARK: PostToolUse

    func postToolUse(_ payload: HookPayload, now: Timestamp) throws {
        let change = ToolCapture.change(for: payload, projectRoot: project(payload).root, redactor: redactor)
        var c = SessionChange()
        let message: String
        switch change {
        case .none: return
        case let .command(command, exitCode):
            c.toolActions = [SessionAction(kind: "command", detail: command, exitCode: exitCode)]
            message = "action command"
        case let .read(path):
            c.readFiles = [path]
            message = "read"
        case let .edit(path, kind):
            c.toolActions = [SessionAction(kind: kind, detail: path)]
            message = "action \(kind)"
        case let .todos(todos):
            c.claudeTodos = todos
            message = "todos"
        case let .action(kind, detail):
            c.toolActions = [SessionAction(kind: kind, detail: detail)]
            message = "action \(kind)"
        }
        c.maxActions = HookHandler.maxActions
        try memory.changeIfAny(session: try sessionFollowing(payload, now: now), c, message: message, at: now)
    }

    // MARK: PreCompact, SessionEnd, Stop

    func saveProgress(_ payload: HookPayload, now: Timestamp, end: Bool) throws {
        let last = payload.lastAssistantMessage ?? lastReplyInTranscript(payload)
        let builder = HandoffBuilder(store: store, tokenBudget: tokenBudget)
        let autoKey = autoSummaryKey(payload.claudeSessionID)
        var written: String?
        var snapshot = ""
        let session = try withSession(payload, now: now, message: end ? "end" : "pre-compact") { s, tx in
            HookHandler.addStated(&s, lastAssistantMessage: last, redactor: redactor)
            written = setAutoSummary(&s, lastAssistantMessage: last, key: autoKey)
            if end, s.isActive {
                s.endedAt = now
                snapshot = try memory.ended(&s, tx: tx, at: now)
            } else {
                // Same commit as the session; its message names the session ("session … pre-compact").
                snapshot = try builder.write(session: s, since: memory.sincePrevious(s, builder: builder), tx: tx, now: now)
            }
        }
        if session != nil, let written { rememberAutoSummary(written, key: autoKey) }
        if !end, !snapshot.isEmpty { saveSnapshot(payload.claudeSessionID, snapshot) }
    }

    func stop(_ payload: HookPayload, now: Timestamp) throws {
        let last = payload.lastAssistantMessage ?? lastReplyInTranscript(payload)
        guard let last else { return }
        writeState(lastReplyKey(payload.claudeSessionID), String(fnv1a64(last), radix: 16))
        let autoKey = autoSummaryKey(payload.claudeSessionID)
        var written: String?
        let session = try withSession(payload, now: now, message: "summary") { s, _ in
            let stated = HookHandler.addStated(&s, lastAssistantMessage: last, redactor: redactor)
            written = setAutoSummary(&s, lastAssistantMessage: last, key: autoKey)
            if written == nil, !stated { throw Unchanged() }
        }
        if session != nil, let written { rememberAutoSummary(written, key: autoKey) }
    }

    /// The transcript's last reply, when the transcript has caught up with what Stop was handed: a
    /// transcript that does not yet hold Stop's `last_assistant_message` ends with an older reply, and a
    /// summary built from it would step back.
    func lastReplyInTranscript(_ payload: HookPayload) -> String? {
        guard let path = payload.transcriptPath, let last = Transcript.lastAssistantMessage(path: path) else { return nil }
        func hash(_ s: String) -> String { String(fnv1a64(s), radix: 16) }
        if let seen = readState(lastReplyKey(payload.claudeSessionID)), seen != hash(last),
           !Transcript.holdsAssistantMessage(path: path, where: { hash($0) == seen }) {
            return nil
        }
        return last
    }

    func lastReplyKey(_ claudeSession: String) -> String { "claude/\(stateKey(claudeSession)).reply" }

    /// Adds the blockers and next steps the last assistant message states (`StatedWork`); never removes
    /// any. Returns whether anything was added.
    @discardableResult
    static func addStated(_ s: inout Session, lastAssistantMessage: String?, redactor: Redactor) -> Bool {
        guard let message = lastAssistantMessage else { return false }
        let stated = StatedWork.parse(redactor.redact(message))
        var added = false
        for b in stated.blockers where !s.blockers.contains(b) { s.blockers.append(b); added = true }
        for n in stated.nextSteps where !s.nextSteps.contains(n) { s.nextSteps.append(n); added = true }
        return added
    }

    /// Sets the built summary unless someone else wrote the current one. Returns the text written, if any.
    func setAutoSummary(_ s: inout Session, lastAssistantMessage: String?, key: String) -> String? {
        let built = SessionSummary.build(s, lastAssistantMessage: lastAssistantMessage, redactor: redactor, previous: s.summary)
        guard !built.isEmpty, built != s.summary else { return nil }
        guard s.summary.isEmpty || readState(key) == String(fnv1a64(s.summary), radix: 16) else { return nil }
        s.summary = built
        return built
    }

    func rememberAutoSummary(_ text: String, key: String) {
        writeState(key, String(fnv1a64(text), radix: 16))
    }

    // MARK: Sessions

    struct Unchanged: Error {}

    /// Applies `mutate` to the memory session that follows this Claude session, starting one when there is
    /// none (hooks installed in the middle of a conversation). Returns nil when `mutate` changed nothing.
    @discardableResult
    func withSession(_ payload: HookPayload, now: Timestamp, message: String,
                     _ mutate: (inout Session, MemoryStore.Transaction) throws -> Void) throws -> Session? {
        let id = try sessionFollowing(payload, now: now)
        do {
            return try store.updateSession(id: id, message: message, at: now, mutate)
        } catch is Unchanged {
            return nil
        }
    }

    /// The ID of the memory session that follows this Claude session, started if there is none. The hot
    /// path is one small file read; starting takes a per-Claude-session lock, so two hooks running at once
    /// (parallel tool calls) never start two sessions.
    func sessionFollowing(_ payload: HookPayload, now: Timestamp, previous: Session?? = nil) throws -> String {
        func existing() -> String? {
            guard let id = store.sessionID(claudeSession: payload.claudeSessionID),
                  (try? store.sessionPath(id: id)) != nil else { return nil }
            return id
        }
        if let id = existing() { return id }
        return try withFileLock(store.stateDir + "/claude/\(stateKey(payload.claudeSessionID)).lock") {
            if let id = existing() { return id }
            return try memory.startSession(task: "", cwd: payload.cwd, claudeSessionID: payload.claudeSessionID, at: now, previous: previous).id
        }
    }

    /// Runs `body` holding an exclusive `flock` on `path` (released by the kernel if the process dies).
    func withFileLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return try body() }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    // MARK: Machine-local state (.git/cmem/claude/, never committed)

    func stateKey(_ claudeSession: String) -> String { String(fnv1a64(claudeSession), radix: 16) }
    func autoSummaryKey(_ claudeSession: String) -> String { "claude/\(stateKey(claudeSession)).summary" }

    func readState(_ relative: String) -> String? {
        guard let bytes = try? AtomicFile.read(store.stateDir + "/" + relative, limit: 1 << 20) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    func writeState(_ relative: String, _ text: String) {
        try? AtomicFile.write(text, to: store.stateDir + "/" + relative, durable: false)
    }

    /// Where PreCompact leaves the handoff that SessionStart (`compact`, `resume`) re-injects.
    public func snapshotPath(_ claudeSession: String) -> String {
        store.stateDir + "/precompact/\(stateKey(claudeSession)).md"
    }

    func saveSnapshot(_ claudeSession: String, _ text: String) {
        try? AtomicFile.write(text, to: snapshotPath(claudeSession), durable: false)
    }

    func readSnapshot(_ claudeSession: String) -> String? {
        guard let bytes = try? AtomicFile.read(snapshotPath(claudeSession), limit: 1 << 20) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

func clip(_ s: String, _ max: Int) -> String { HandoffBuilder.clip(s, max) }
