import Foundation
import GitKit
import Logging
import MemoryIndex
import MemoryModel
import MemoryStore

/// The memory behind the HTTP API: owns the `MemoryStore` (which is not thread-safe) and serialises every
/// use of it. It runs on its own thread (`StoreThread`), so fsyncs and commits never block the threads
/// that parse requests.
///
/// Writes go through the same store as the CLI: the same write lock, atomic files and one commit each.
/// Concurrent event writes are committed together ("group commit"): every request still returns only
/// after its events are on disk and committed, but one commit serves all requests waiting at that moment.
///
/// Reads that need no store (the current session, search, correlation, the timeline from the index) run
/// on the caller's task, in parallel, from structures kept fresh by inotify (`SessionCatalog`,
/// `SearchIndex`): a `git pull`, a hand edit or another process's write is seen by the next request.
public actor MemoryService {
    nonisolated let thread: StoreThread
    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    let store: MemoryStore
    let logger: Logger
    public nonisolated let repositoryPath: String
    /// Search, correlation, component history and `caused`; opened in the background.
    nonisolated let index: SearchIndex
    /// Every session's project and last activity, kept current by inotify, for `currentSession`.
    nonisolated let sessions: SessionCatalog
    /// From `.cmem/config.yaml`, read once at start (as the store does).
    nonisolated let projectScope: String
    nonisolated let currentWindow: Int64

    /// Event writes waiting for the next group commit.
    private var pendingEvents: [PendingEventWrite] = []
    private var flushScheduled = false
    /// Counters for /metrics.
    private(set) var commits = 0
    private(set) var eventsRecorded = 0

    public init(repositoryPath: String, logger: Logger, indexOptions: MemoryIndex.Options = MemoryIndex.Options()) throws {
        thread = StoreThread(name: "cmem.store")
        store = try MemoryStore(path: repositoryPath, logger: logger)
        self.repositoryPath = store.root
        self.logger = logger
        index = SearchIndex(repositoryPath: store.root, logger: logger, options: indexOptions)
        sessions = SessionCatalog(root: store.root, logger: logger)
        projectScope = store.config.projectScope
        currentWindow = store.config.currentWindow
    }

    /// Waits until the search index is open and the session catalog has read every note; false if the
    /// index could not be opened (queries then read the notes).
    public nonisolated func waitForIndex(timeout: TimeInterval = 600) async -> Bool {
        let index = self.index, sessions = self.sessions
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let catalog = sessions.waitUntilReady(timeout: timeout)
                continuation.resume(returning: index.waitUntilReady(timeout: timeout) && catalog)
            }
        }
    }

    // MARK: Sessions

    public struct SessionPatch: Sendable {
        public var currentTask: String?
        public var summary: String?
        public var todoList: [Session.Todo]?
        public var blockers: [String]?
        public var nextSteps: [String]?
        public var activeFiles: [String]?
        public var filesRead: [String]?
        public init() {}

        var isEmpty: Bool {
            currentTask == nil && summary == nil && todoList == nil && blockers == nil && nextSteps == nil
                && activeFiles == nil && filesRead == nil
        }

        func apply(to s: inout Session) {
            if let currentTask { s.currentTask = currentTask }
            if let summary { s.summary = summary }
            if let todoList { s.todoList = todoList }
            if let blockers { s.blockers = blockers }
            if let nextSteps { s.nextSteps = nextSteps }
            if let activeFiles { s.activeFiles = activeFiles }
            if let filesRead { s.filesRead = filesRead }
        }
    }

    public func startSession(workingDirectory: String, task: String, claudeSessionID: String?) throws -> Session {
        let s = try store.startSession(task: task, cwd: workingDirectory, claudeSessionID: claudeSessionID)
        wrote([s.path])
        return s
    }

    /// Counts a commit and updates the index with what was written.
    private func wrote(_ paths: [String]) {
        commits += 1
        index.apply(writtenPaths: paths)
    }

    public func session(id: String) throws -> Session {
        try store.session(id: id)
    }

    public func updateSession(id: String, patch: SessionPatch) throws -> Session {
        let s = try store.updateSession(id: id, message: "update") { s, _ in patch.apply(to: &s) }
        wrote([s.path])
        return s
    }

    /// Stores the handoff summary; ends the session unless `end` is false.
    public func storeSummary(id: String, summary: String, patch: SessionPatch, end: Bool) throws -> Session {
        let now = Timestamp.now()
        let s = try store.updateSession(id: id, message: end ? "end" : "summary", at: now) { s, _ in
            patch.apply(to: &s)
            s.summary = summary
            if end, s.endedAt == nil { s.endedAt = now }
        }
        wrote([s.path])
        return s
    }

    public func recordAction(sessionID: String, kind: String, detail: String, exitCode: Int?) throws -> Session {
        let now = Timestamp.now()
        let s = try store.updateSession(id: sessionID, message: "action \(kind)", at: now) { s, _ in
            s.actions.append(Session.Action(time: now, kind: kind, detail: detail, exitCode: exitCode))
            if kind == "edit" || kind == "write", !s.activeFiles.contains(detail) { s.activeFiles.append(detail) }
            if kind == "read", !s.filesRead.contains(detail), !s.activeFiles.contains(detail) { s.filesRead.append(detail) }
        }
        wrote([s.path])
        return s
    }

    public func recordDecision(sessionID: String, decision: String, rationale: String, alternatives: [String],
                               context: String, consequences: String, components: [String]) throws -> Decision {
        let d = try store.recordDecision(sessionID: sessionID, decision: decision, rationale: rationale,
                                         alternatives: alternatives, context: context, consequences: consequences,
                                         components: components)
        wrote([d.path] + ((try? store.sessionPath(id: sessionID)).flatMap { $0 }.map { [$0] } ?? []))
        return d
    }

    /// The project's current session (as `cmem session current` finds it) with its decision records.
    /// Answered from the session catalog without the store's thread, so reads run in parallel and are
    /// not queued behind commits; the store answers until the catalog's first scan is done.
    public nonisolated func currentSession(workingDirectory: String, window: Int64?) async throws -> (Session, [Decision])? {
        let scope = ProjectScope.resolve(cwd: workingDirectory, scope: projectScope)
        let cutoff = Timestamp.now().adding(seconds: -(window ?? currentWindow))
        do {
            return try sessions.current(project: scope, cutoff: cutoff)
        } catch is SessionCatalog.NotReady {
            // Still scanning (or a note changed under us): ask the store.
            return try await storeCurrentSession(scope: scope, window: window)
        }
    }

    private func storeCurrentSession(scope: ProjectScope, window: Int64?) throws -> (Session, [Decision])? {
        guard let s = try store.currentSession(project: scope, window: window) else { return nil }
        return (s, decisions(of: s))
    }

    public nonisolated func projectName(workingDirectory: String) -> String {
        ProjectScope.resolve(cwd: workingDirectory, scope: projectScope).name
    }

    public func sessionWithDecisions(id: String) throws -> (Session, [Decision]) {
        let s = try store.session(id: id)
        return (s, decisions(of: s))
    }

    private func decisions(of s: Session) -> [Decision] {
        s.decisions.compactMap { try? store.decision(id: $0) }
    }

    // MARK: Events

    private struct PendingEventWrite {
        let events: [TimelineEvent]
        let continuation: CheckedContinuation<[MemoryStore.EventWrite], any Error>
    }

    /// Records events durably: returns after they are committed. Validates first, so a bad event fails
    /// only its own request and nothing of it is written.
    public func recordEvents(_ events: [TimelineEvent]) async throws -> [MemoryStore.EventWrite] {
        for e in events { try e.validate() }
        return try await withCheckedThrowingContinuation { continuation in
            pendingEvents.append(PendingEventWrite(events: events, continuation: continuation))
            if !flushScheduled {
                flushScheduled = true
                Task { self.flushEvents() }
            }
        }
    }

    /// One commit for every event write waiting now.
    private func flushEvents() {
        let batch = pendingEvents
        pendingEvents = []
        flushScheduled = false
        guard !batch.isEmpty else { return }
        do {
            let results = try store.recordEvents(batch.flatMap(\.events))
            var added = Set<String>()
            var days = Set<String>()
            for r in results {
                if case let .added(e) = r {
                    added.insert(e.id)
                    days.insert(e.dayPath)
                }
            }
            if !days.isEmpty { wrote(days.sorted()) }
            eventsRecorded += added.count
            var claimed = Set<String>()
            for write in batch {
                let mine = write.events.map { e -> MemoryStore.EventWrite in
                    if added.contains(e.id), !claimed.contains(e.id) {
                        claimed.insert(e.id)
                        return .added(e)
                    }
                    return .duplicate(e)
                }
                write.continuation.resume(returning: mine)
            }
        } catch {
            guard batch.count > 1 else {
                batch[0].continuation.resume(throwing: error)
                return
            }
            // Find out whose write failed: retry each on its own, so each request gets its own answer.
            logger.warning("group commit failed; retrying writes one by one", metadata: ["error": "\(error)"])
            for write in batch {
                do {
                    let results = try store.recordEvents(write.events)
                    let added = results.compactMap { if case let .added(e) = $0 { e } else { nil } }
                    eventsRecorded += added.count
                    if !added.isEmpty { wrote(Set(added.map(\.dayPath)).sorted()) }
                    write.continuation.resume(returning: write.events.map { e in
                        results.first(where: { $0.event.id == e.id }) ?? .duplicate(e)
                    })
                } catch {
                    write.continuation.resume(throwing: error)
                }
            }
        }
    }

    public func event(id: String) throws -> TimelineEvent? {
        try store.event(id: id)
    }

    // MARK: Repository state

    /// What /metrics reports about the repository and the writes made here.
    public func metricsSnapshot() -> ServerMetrics.Snapshot {
        var head: String?
        var time: Int64?
        if let id = try? store.git.head() {
            head = id.hex
            time = (try? store.git.commitInfo(id))?.time
        }
        var documents: [String: Int] = [:]
        if let status = index.loaded?.status() {
            documents = ["event": status.events, "decision": status.decisions, "session": status.sessions]
        }
        return ServerMetrics.Snapshot(lastCommit: head, lastCommitTime: time, commits: commits, eventsRecorded: eventsRecorded,
                                      indexDocuments: documents, indexAvailable: index.loaded != nil,
                                      sessionCatalogReady: sessions.isReady, sessionCatalogSize: sessions.count)
    }
}
