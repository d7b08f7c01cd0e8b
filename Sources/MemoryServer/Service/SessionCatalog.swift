import Foundation
import Logging
import MemoryModel
import MemoryStore

/// What `GET /memory/sessions/current` needs to know about every session note (its project and when it
/// was last active) kept in memory and current through inotify, so a request reads one note instead of
/// listing and parsing thousands (after a clone or an import every note is "recently modified").
///
/// Any change under `sessions/` (this server's writes, the CLI's, a `git pull`, an edit in place) marks
/// the note for re-reading at the next lookup. When inotify is unavailable or loses events, the catalog
/// reads every note again.
final class SessionCatalog: @unchecked Sendable {
    struct Entry: Sendable {
        let path: String
        let id: String
        let workingDirectory: String
        let project: String
        let lastActivity: Timestamp
    }

    /// Notes asked for recently, parsed, until they change: a current session is asked for again and
    /// again. Bounded, so a server asked about every project keeps only the last few hundred.
    private var parsedSessions: [String: Session] = [:]
    private var parsedDecisions: [String: Decision] = [:]
    static let parsedLimit = 512

    private let root: String
    private let logger: Logger
    private let lock = NSLock()
    private var watcher: DirectoryWatcher?
    private var entries: [String: Entry] = [:]
    /// Paths of the notes of each working directory, and of each project name for notes without one.
    private var byDirectory: [String: Set<String>] = [:]
    private var byProject: [String: Set<String>] = [:]
    /// Set once the first scan is done; read without `lock`, which the scan holds for its whole length.
    private let readyLock = NSLock()
    private var _ready = false
    private var ready: Bool {
        get { readyLock.lock(); defer { readyLock.unlock() }; return _ready }
        set { readyLock.lock(); _ready = newValue; readyLock.unlock() }
    }

    init(root: String, logger: Logger) {
        self.root = root
        self.logger = logger
        Thread.detachNewThread { [self] in
            let started = Date()
            lock.lock()
            defer { lock.unlock() }
            watcher = DirectoryWatcher(root: root, relatives: ["sessions", "decisions"])
            rescan()
            ready = true
            logger.info("session catalog ready", metadata: [
                "catalog.sessions": "\(entries.count)", "catalog.inotify": "\(watcher?.isActive == true)",
                "catalog.seconds": "\(String(format: "%.2f", Date().timeIntervalSince(started)))",
            ])
        }
    }

    /// The path of the most recently active session of `project` at or after `cutoff`, as
    /// `MemoryStore.currentSession` defines it; nil when there is none. Throws `NotReady` until the
    /// first scan is done, so the caller can ask the store instead.
    struct NotReady: Error {}

    func current(project: ProjectScope, cutoff: Timestamp) throws -> (Session, [Decision])? {
        guard ready else { throw NotReady() }
        lock.lock()
        defer { lock.unlock() }
        guard let watcher else { throw NotReady() }
        var rescanned = false
        for change in watcher.poll() {
            switch change {
            case .rescan:
                if !rescanned { rescan() }
                rescanned = true
            case let .file(path):
                if rescanned { continue }
                if path.hasPrefix("decisions/") {
                    parsedDecisions[String((path as NSString).lastPathComponent.dropLast(3))] = nil
                } else {
                    reread(path)
                }
            }
        }
        if !watcher.isActive {
            // Without inotify nothing tells us about edits: read everything every time (correct, slow).
            if !rescanned { rescan() }
        }
        var best: Entry?
        var candidates = byDirectory[project.root] ?? []
        candidates.formUnion(byProject[project.name] ?? [])
        for path in candidates {
            guard let e = entries[path], e.lastActivity >= cutoff,
                  e.workingDirectory == project.root || (e.workingDirectory.isEmpty && e.project == project.name) else { continue }
            if best == nil || e.lastActivity > best!.lastActivity || (e.lastActivity == best!.lastActivity && e.path > best!.path) {
                best = e
            }
        }
        guard let best else { return nil }
        let session: Session
        if let cached = parsedSessions[best.path] {
            session = cached
        } else {
            guard let read = SessionCatalog.read(root + "/" + best.path, relative: best.path) else { throw NotReady() }
            if parsedSessions.count >= SessionCatalog.parsedLimit { parsedSessions.removeAll(keepingCapacity: true) }
            parsedSessions[best.path] = read
            session = read
        }
        var decisions: [Decision] = []
        for id in session.decisions {
            if let d = parsedDecisions[id] {
                decisions.append(d)
            } else if let d = SessionCatalog.readDecision(id: id, root: root) {
                if parsedDecisions.count >= SessionCatalog.parsedLimit { parsedDecisions.removeAll(keepingCapacity: true) }
                parsedDecisions[id] = d
                decisions.append(d)
            }
            // A decision whose note is missing or unreadable is left out, as the store does.
        }
        return (session, decisions)
    }

    /// Waits for the first scan, for tests and benchmarks.
    func waitUntilReady(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if ready { return true }
            usleep(10_000)
        }
        return false
    }

    var isReady: Bool { ready }

    /// Sessions known; 0 while the first scan runs (it holds the lock).
    var count: Int {
        guard ready, lock.try() else { return 0 }
        defer { lock.unlock() }
        return entries.count
    }

    // MARK: Reading notes (called with the lock held)

    private func rescan() {
        parsedSessions = [:]
        parsedDecisions = [:]
        entries = [:]
        byDirectory = [:]
        byProject = [:]
        let fm = FileManager.default
        let top = root + "/sessions"
        for year in (try? fm.contentsOfDirectory(atPath: top)) ?? [] where year.count == 4 && year.allSatisfy(\.isNumber) {
            for month in (try? fm.contentsOfDirectory(atPath: "\(top)/\(year)")) ?? [] where month.count == 2 {
                for name in (try? fm.contentsOfDirectory(atPath: "\(top)/\(year)/\(month)")) ?? [] where SessionCatalog.isNote(name) {
                    reread("sessions/\(year)/\(month)/\(name)")
                }
            }
        }
    }

    static func isNote(_ name: String) -> Bool { name.hasSuffix(".md") && !name.hasPrefix(".") }

    private func reread(_ path: String) {
        let parts = path.split(separator: "/")
        guard parts.count == 4, parts[0] == "sessions", SessionCatalog.isNote(String(parts[3])) else { return }
        parsedSessions[path] = nil
        if let old = entries.removeValue(forKey: path) {
            byDirectory[old.workingDirectory]?.remove(path)
            byProject[old.project]?.remove(path)
        }
        guard let e = SessionCatalog.entry(root + "/" + path, relative: path) else { return }
        entries[path] = e
        if e.workingDirectory.isEmpty {
            byProject[e.project, default: []].insert(path)
        } else {
            byDirectory[e.workingDirectory, default: []].insert(path)
        }
    }

    /// The catalog's fields of one note: from the front matter's own lines when they have the shape cmem
    /// writes (fast: no YAML parser), else from the whole note read as YAML.
    static func entry(_ full: String, relative: String) -> Entry? {
        guard let bytes = try? AtomicFile.read(full), let text = String(validating: bytes, as: UTF8.self),
              let doc = try? FrontMatterDocument.split(text, path: relative) else { return nil }
        if let quick = quickEntry(doc, relative: relative) { return quick }
        guard let values = try? doc.values(path: relative), let s = try? Session(values: values, path: relative) else { return nil }
        return Entry(path: relative, id: s.id, workingDirectory: s.workingDirectory, project: s.project, lastActivity: s.lastActivity)
    }

    /// nil when any of the needed keys is written in a way this reader does not take (block scalars,
    /// single quotes, comments, anchors…): the caller then uses the YAML parser.
    static func quickEntry(_ doc: FrontMatterDocument, relative: String) -> Entry? {
        enum Field { case absent, null, text(String) }
        func field(_ key: String) -> Field? {
            guard let raw = doc.raw(key) else { return .absent }
            let prefix = key + ":"
            guard raw.hasPrefix(prefix), raw.hasSuffix("\n"), raw.utf8.filter({ $0 == 10 }).count == 1 else { return nil }
            let value = raw.dropFirst(prefix.count).dropLast().trimmingCharacters(in: .whitespaces)
            if value.isEmpty || value == "null" || value == "~" { return .null }
            if value.utf8.first == UInt8(ascii: "\"") {
                guard case let .string(s)? = try? JSONValue.parse(value) else { return nil }
                return .text(s)
            }
            // Anything a YAML reader could take for more than a plain string goes the slow way.
            guard let first = value.utf8.first, !"'|>&*!{[#%@`".utf8.contains(first), !value.contains(" #"), !value.contains(": ") else { return nil }
            return .text(value)
        }
        func text(_ f: Field) -> String? { if case let .text(s) = f { s } else { nil } }
        guard let idField = field("session_id"), let id = text(idField), Identifier.isSafeName(id, maxLength: 128),
              let startedField = field("started_at"), let started = text(startedField).flatMap(Timestamp.init(iso8601:)),
              let endedField = field("ended_at"), let updatedField = field("updated"),
              let wdField = field("working_directory"), let projectField = field("project") else { return nil }
        let ended = text(endedField).flatMap(Timestamp.init(iso8601:))
        let updated = text(updatedField).flatMap(Timestamp.init(iso8601:)) ?? ended ?? started
        return Entry(path: relative, id: id, workingDirectory: text(wdField) ?? "", project: text(projectField) ?? "",
                     lastActivity: max(ended ?? updated, updated))
    }

    /// A decision read straight from its note, found by the date in its ID (as the store finds it).
    static func readDecision(id: String, root: String) -> Decision? {
        guard Identifier.isSafeName(id, maxLength: 128) else { return nil }
        var candidates: [String] = []
        if let day = Identifier.day(of: id) { candidates.append("decisions/\(day.prefix(4))/\(day.dropFirst(5).prefix(2))/\(id).md") }
        let fm = FileManager.default
        if candidates.isEmpty || !fm.fileExists(atPath: root + "/" + candidates[0]) {
            // IDs without a date (imported ones): look month by month, newest first.
            let top = root + "/decisions"
            for year in ((try? fm.contentsOfDirectory(atPath: top)) ?? []).sorted().reversed() where year.count == 4 {
                for month in ((try? fm.contentsOfDirectory(atPath: "\(top)/\(year)")) ?? []).sorted().reversed() where month.count == 2 {
                    candidates.append("decisions/\(year)/\(month)/\(id).md")
                }
            }
        }
        for path in candidates {
            guard let bytes = try? AtomicFile.read(root + "/" + path), let text = String(validating: bytes, as: UTF8.self) else { continue }
            guard let doc = try? FrontMatterDocument.split(text, path: path), let values = try? doc.values(path: path) else { return nil }
            return try? Decision(values: values, path: path)
        }
        return nil
    }

    /// Reads a session note without the store (reads need no lock: notes are replaced by rename).
    static func read(_ full: String, relative: String) -> Session? {
        guard let bytes = try? AtomicFile.read(full), let text = String(validating: bytes, as: UTF8.self) else { return nil }
        guard let doc = try? FrontMatterDocument.split(text, path: relative), let values = try? doc.values(path: relative) else { return nil }
        return try? Session(values: values, path: relative)
    }
}
