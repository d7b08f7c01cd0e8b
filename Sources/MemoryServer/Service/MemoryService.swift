import Foundation
import GitKit
import Logging
import MemoryCore
import MemoryIndex
import MemoryModel
import MemoryStore

/// The memory behind the HTTP API: the core (`Memory`, which is not thread-safe) behind one actor that
/// serialises every use of it. It runs on its own thread (`StoreThread`), so fsyncs and commits never
/// block the threads that parse requests.
///
/// Writes go through the same core as the CLI, MCP and the hooks: the same rules, redaction, write lock,
/// atomic files and one commit each. Concurrent event writes are committed together ("group commit"):
/// every request still returns only after its events are on disk and committed, but one commit serves
/// all requests waiting at that moment.
///
/// Index questions (search, correlation, the timeline, component history, `caused`) run on the caller's
/// task, in parallel, through the core's `Queries` over a `SearchIndex` kept fresh by inotify. While the
/// index is being built they wait a bounded time, then answer 503 with Retry-After: one algorithm, never
/// a second, cheaper one that would give another answer.
public actor MemoryService {
    nonisolated let thread: StoreThread
    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    let memory: Memory
    var store: MemoryStore { memory.store }
    let logger: Logger
    public nonisolated let repositoryPath: String
    /// Search, correlation, component history and `caused`; opened in the background.
    nonisolated let index: SearchIndex
    /// How long an index question waits for the index to open before answering 503.
    nonisolated let indexWait: TimeInterval
    /// From `.cmem/config.yaml`, read once at start (as the store does).
    nonisolated let projectScope: String

    /// Retention once a day (`applyRetentionIfDue`).
    private let retention = RetentionSchedule()

    /// Event writes waiting for the next group commit.
    private var pendingEvents: [PendingEventWrite] = []
    private var flushScheduled = false
    /// Counters for /metrics.
    private(set) var commits = 0
    private(set) var eventsRecorded = 0

    /// `openIndex: false` leaves the index closed until `openIndex()`: for tests of the answers given
    /// while it is still being built.
    public init(repositoryPath: String, logger: Logger, indexOptions: MemoryIndex.Options = MemoryIndex.Options(),
                indexWait: TimeInterval = 2, openIndex: Bool = true) throws {
        thread = StoreThread(name: "cmem.store")
        memory = try Memory(path: repositoryPath, logger: logger)
        self.repositoryPath = memory.store.root
        self.logger = logger
        self.indexWait = indexWait
        index = SearchIndex(repositoryPath: memory.store.root, logger: logger, options: indexOptions, start: openIndex)
        projectScope = memory.store.config.projectScope
    }

    /// Applies retention when a day has begun since the last run (see `RetentionSchedule`), on the store's
    /// thread like every write. Errors are logged: the next check tries again.
    public func applyRetentionIfDue() {
        do {
            if let report = try retention.runIfDue(store: store), let commit = report.commit {
                logger.info("retention applied", metadata: ["retention.commit": "\(commit)", "retention.days": "\(report.plan.dayCount)",
                                                            "retention.sessions": "\(report.plan.sessions.count)"])
            }
        } catch {
            logger.warning("retention failed; it is tried again later", metadata: ["error": "\(error)"])
        }
    }

    /// Starts opening the index, when the service was made with `openIndex: false`.
    public nonisolated func openIndex() { index.start() }

    /// Waits until the search index is open; false if it could not be opened.
    public nonisolated func waitForIndex(timeout: TimeInterval = 600) async -> Bool {
        let index = self.index
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: index.waitUntilReady(timeout: timeout)) }
        }
    }

    /// The core's index questions, once the index is open: waits up to `indexWait`, then throws
    /// `CoreError.notReady` (503). Waiting blocks a thread of its own, not the caller's executor.
    nonisolated func queries() async throws -> Queries {
        if let ready = index.current() { return Queries(index: ready) }
        let index = self.index, wait = indexWait
        let opened: MemoryIndex? = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                _ = index.waitUntilReady(timeout: wait)
                continuation.resume(returning: index.current())
            }
        }
        if let opened { return Queries(index: opened) }
        if let failure = index.failure { throw APIError(.serviceUnavailable, "the search index could not be opened: \(failure)") }
        throw CoreError.notReady(retryAfter: max(1, Int(wait.rounded(.up))))
    }

    // MARK: Sessions

    public func startSession(workingDirectory: String, task: String, claudeSessionID: String?) throws -> Session {
        let s = try memory.startSession(task: task, cwd: workingDirectory, claudeSessionID: claudeSessionID)
        wrote([s.path])
        return s
    }

    /// Counts a commit and updates the index with what was written.
    private func wrote(_ paths: [String]) {
        commits += 1
        index.apply(writtenPaths: paths)
    }

    /// On the store's thread: the history walk reads git objects, which one thread uses at a time.
    public func history(of id: String, limit: Int) throws -> NoteHistory {
        try memory.history(of: id, limit: limit)
    }

    public func handoff(project: String) throws -> Handoff? {
        try memory.handoff(project: project)
    }

    public func noteExcerpt(path: String, line: Int, context: Int) throws -> NoteExcerpt {
        try memory.noteExcerpt(path: path, line: line, context: context)
    }

    public func session(id: String) throws -> SessionAnswer {
        try memory.session(id: id)
    }

    public func changeSession(id: String, _ change: SessionChange, message: String) throws -> SessionAnswer {
        let s = try memory.change(session: id, change, message: message)
        wrote([s.path])
        return try memory.session(id: s.id)
    }

    public func recordAction(sessionID: String, _ action: SessionAction) throws -> Session {
        let s = try memory.record(action, session: sessionID)
        wrote([s.path])
        return s
    }

    public func recordDecision(sessionID: String, decision: String, rationale: String, alternatives: [String],
                               context: String, consequences: String, components: [String]) throws -> Decision {
        let d = try memory.decide(session: sessionID, decision: decision, rationale: rationale, alternatives: alternatives,
                                  context: context, consequences: consequences, components: components)
        wrote([d.path] + ((try? store.sessionPath(id: sessionID)).flatMap { $0 }.map { [$0] } ?? []))
        return d
    }

    /// The project's current session, by the core's one policy, with its decision records.
    public func currentSession(workingDirectory: String, window: Int64?) throws -> SessionAnswer? {
        try memory.currentSession(cwd: workingDirectory, window: window)
    }

    public func noCurrentSession(workingDirectory: String, window: Int64?) -> NoCurrentSession {
        memory.noCurrentSession(cwd: workingDirectory, window: window)
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
            // Reports of a commit already recorded answer with the event they joined (its ID may differ).
            var joined: [String: TimelineEvent] = [:]
            for r in results {
                if case let .added(e) = r {
                    added.insert(e.id)
                    days.insert(e.dayPath)
                } else if case let .merged(e) = r {
                    days.insert(e.dayPath)
                    if let key = GitEventType.commitKey(of: e) { joined[key] = e }
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
                    if let key = GitEventType.commitKey(of: e), let event = joined[key] { return .merged(event) }
                    return .duplicate(e)
                }
                write.continuation.resume(returning: mine)
            }
        } catch {
            // A lock another writer holds fails every write alike (each would wait its bound again): all
            // get the same 503, nothing was written.
            var busy = false
            if case .busy? = error as? StoreError { busy = true }
            if batch.count == 1 || busy {
                for write in batch { write.continuation.resume(throwing: error) }
                return
            }
            // Find out whose write failed: retry each on its own, so each request gets its own answer.
            logger.warning("group commit failed; retrying writes one by one", metadata: ["error": "\(error)"])
            for write in batch {
                do {
                    let results = try store.recordEvents(write.events)
                    let added = results.compactMap { if case let .added(e) = $0 { e } else { nil } }
                    eventsRecorded += added.count
                    let changed = results.compactMap { if case let .merged(e) = $0 { e } else { nil } } + added
                    if !changed.isEmpty { wrote(Set(changed.map(\.dayPath)).sorted()) }
                    write.continuation.resume(returning: write.events.map { e in
                        results.first(where: { $0.event.id == e.id }) ?? .duplicate(e)
                    })
                } catch {
                    write.continuation.resume(throwing: error)
                }
            }
        }
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
                                      indexDocuments: documents, indexAvailable: index.loaded != nil)
    }
}
