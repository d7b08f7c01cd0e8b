import Foundation
import MemoryModel

extension MemoryStore {
    // MARK: Reading

    /// Finds a session's file by ID: our IDs carry their start date; others are looked up month by month.
    public func sessionPath(id: String) throws -> String? {
        try Identifier.validate(id, what: "session id")
        if let day = Identifier.day(of: id) {
            let path = "sessions/\(day.prefix(4))/\(day.dropFirst(5).prefix(2))/\(id).md"
            if FileManager.default.fileExists(atPath: root + "/" + path) { return path }
        }
        for month in monthDirectories("sessions").reversed() {
            let path = "\(month)/\(id).md"
            if FileManager.default.fileExists(atPath: root + "/" + path) { return path }
        }
        return nil
    }

    /// `sessions/2026/01`-style directories, oldest first.
    func monthDirectories(_ top: String) -> [String] {
        let fm = FileManager.default
        var result: [String] = []
        for year in ((try? fm.contentsOfDirectory(atPath: root + "/" + top)) ?? []).sorted() where year.count == 4 && year.allSatisfy(\.isNumber) {
            for month in ((try? fm.contentsOfDirectory(atPath: "\(root)/\(top)/\(year)")) ?? []).sorted() where month.count == 2 {
                result.append("\(top)/\(year)/\(month)")
            }
        }
        return result
    }

    public func session(id: String) throws -> Session {
        guard let path = try sessionPath(id: id) else { throw StoreError.notFound(kind: "session", id: id) }
        return try readSession(path: path).session
    }

    public func readSession(path: String) throws -> (session: Session, document: FrontMatterDocument) {
        guard let text = try readText(path) else { throw StoreError.notFound(kind: "session file", id: path) }
        return try MemoryStore.parseSession(text, path: path)
    }

    static func parseSession(_ text: String, path: String) throws -> (session: Session, document: FrontMatterDocument) {
        do {
            let doc = try FrontMatterDocument.split(text, path: path)
            let session = try Session(values: try doc.values(path: path), path: path)
            return (session, doc)
        } catch let error as NoteError {
            throw StoreError.note(error)
        }
    }

    /// The most recent session of `project` that ended or was active within the configured window.
    /// Sessions whose file has not changed within the window cannot qualify, so only those are parsed.
    public func currentSession(project: ProjectScope, window: Int64? = nil, now: Timestamp = .now()) throws -> Session? {
        let window = window ?? config.currentWindow
        let cutoff = now.adding(seconds: -window)
        if let pointed = try pointer(project: project), let s = try? session(id: pointed),
           s.workingDirectory == project.root, s.lastActivity >= cutoff {
            // The pointer is only a hint: a newer session may have arrived by git pull.
            if let newer = try scanSessions(project: project, cutoff: cutoff, newerThan: s.lastActivity) { return newer }
            return s
        }
        return try scanSessions(project: project, cutoff: cutoff, newerThan: nil)
    }

    private func scanSessions(project: ProjectScope, cutoff: Timestamp, newerThan: Timestamp?) throws -> Session? {
        let fm = FileManager.default
        var best: Session?
        let cutoffSeconds = Double(cutoff.seconds)
        for month in monthDirectories("sessions").reversed() {
            let dir = root + "/" + month
            for name in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] where name.hasSuffix(".md") {
                var st = stat()
                guard stat(dir + "/" + name, &st) == 0, Double(st.st_mtim.tv_sec) >= cutoffSeconds - 1 else { continue }
                guard let (s, _) = try? readSession(path: month + "/" + name) else {
                    logger.warning("skipping unreadable session note", metadata: ["path": "\(month)/\(name)"])
                    continue
                }
                guard s.workingDirectory == project.root || (s.workingDirectory.isEmpty && s.project == project.name),
                      s.lastActivity >= cutoff else { continue }
                if let newerThan, s.lastActivity <= newerThan { continue }
                if best == nil || s.lastActivity > best!.lastActivity { best = s }
            }
        }
        return best
    }

    // MARK: Pointers (machine-local hints in .git/cmem, rebuilt from the notes when missing)

    func pointer(project: ProjectScope) throws -> String? {
        let path = "\(stateDir)/projects/\(String(fnv1a64(project.root), radix: 16))"
        guard let bytes = try? AtomicFile.read(path, limit: 4096) else { return nil }
        let id = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Identifier.isSafeName(id, maxLength: 128) ? id : nil
    }

    func setPointer(project: ProjectScope, session: String) {
        try? AtomicFile.write(session, to: "\(stateDir)/projects/\(String(fnv1a64(project.root), radix: 16))", durable: false)
    }

    /// The memory session that follows a Claude Code session, if one was started for it.
    public func sessionID(claudeSession: String) -> String? {
        let key = String(fnv1a64(claudeSession), radix: 16)
        guard let bytes = try? AtomicFile.read("\(stateDir)/claude/\(key)", limit: 4096) else { return nil }
        let id = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Identifier.isSafeName(id, maxLength: 128) ? id : nil
    }

    func setClaudePointer(_ claudeSession: String, session: String) {
        let key = String(fnv1a64(claudeSession), radix: 16)
        try? AtomicFile.write(session, to: "\(stateDir)/claude/\(key)", durable: false)
    }

    // MARK: Writing

    @discardableResult
    public func startSession(task: String, cwd: String, claudeSessionID: String? = nil, at time: Timestamp = .now(),
                             id: String? = nil) throws -> Session {
        try Limits.checkText(task, what: "task")
        let project = ProjectScope.resolve(cwd: cwd, scope: config.projectScope)
        var session = Session(id: id ?? Identifier.make(.session, at: time), project: project.name,
                              workingDirectory: project.root, startedAt: time, currentTask: task)
        try Identifier.validate(session.id, what: "session id")
        session.claudeSessionID = claudeSessionID
        try transaction { tx in
            if let existing = try sessionPath(id: session.id) {
                throw StoreError.invalid("session \(session.id) already exists at \(existing)")
            }
            try tx.write(session.path, renderSession(session, existing: nil))
            tx.describe("session \(session.id) start \(JSONValue.quoted(oneLine(task.isEmpty ? project.name : task)))")
        }
        setPointer(project: project, session: session.id)
        if let claudeSessionID { setClaudePointer(claudeSessionID, session: session.id) }
        return session
    }

    /// Reads a session under the lock, lets `mutate` change it, and writes it back, keeping the human's
    /// keys, formatting of unchanged keys, and prose.
    @discardableResult
    public func updateSession(id: String, message: String, at time: Timestamp = .now(),
                              _ mutate: (inout Session, Transaction) throws -> Void) throws -> Session {
        let (session, _) = try transaction { tx -> Session in
            guard let path = try sessionPath(id: id) else { throw StoreError.notFound(kind: "session", id: id) }
            guard let text = try tx.read(path) else { throw StoreError.notFound(kind: "session", id: id) }
            let (old, doc) = try MemoryStore.parseSession(text, path: path)
            var new = old
            try mutate(&new, tx)
            new.updatedAt = max(time, old.updatedAt)
            try tx.write(path, renderSession(new, existing: (old, doc)))
            tx.describe("session \(id) \(message)")
            return new
        }
        let project = ProjectScope(root: session.workingDirectory, name: session.project)
        setPointer(project: project, session: session.id)
        return session
    }

    /// The note text for `session`. With an existing note, only front-matter keys whose value changed are
    /// rewritten and only the generated part of the body is replaced.
    func renderSession(_ session: Session, existing: (Session, FrontMatterDocument)?, decisionTitles: [String: String] = [:]) -> String {
        let fresh = session.frontMatterEntries()
        var doc: FrontMatterDocument
        if let (old, oldDoc) = existing {
            doc = oldDoc
            let before = Dictionary(old.frontMatterEntries(), uniquingKeysWith: { a, _ in a })
            for (key, raw) in fresh where before[key] != raw || doc.raw(key) == nil {
                doc.set(key, raw: raw)
            }
            if session.claudeSessionID == nil { doc.remove("claude_session_id") }
            let body = templates.render("session", sessionContext(session, decisionTitles: decisionTitles))
            if let generated = extractGenerated(body), let replaced = ManagedSection.replace(in: doc.body, with: generated) {
                doc.body = replaced
            }
        } else {
            doc = FrontMatterDocument()
            for (key, raw) in fresh { doc.set(key, raw: raw) }
            doc.set("tags", raw: YAMLWriter.list("tags", ["cmem/session", "project/\(tagSafe(session.project))"]))
            doc.set("aliases", raw: YAMLWriter.list("aliases", session.currentTask.isEmpty ? [] : [oneLine(session.currentTask)]))
            doc.body = "\n" + templates.render("session", sessionContext(session, decisionTitles: decisionTitles))
        }
        return doc.text
    }

    func sessionContext(_ s: Session, decisionTitles: [String: String] = [:]) -> [String: Any] {
        let files = s.activeFiles + s.filesRead.filter { !s.activeFiles.contains($0) }
        let recent = s.actions.suffix(20).map { a -> [String: Any] in
            var d: [String: Any] = ["time": a.time.iso8601, "kind": a.kind, "detail": oneLine(a.detail)]
            if let e = a.exitCode { d["exit_code"] = "\(e)" }
            return d
        }
        var ctx: [String: Any] = [
            "id": s.id, "project": s.project, "status": s.isActive ? "active" : "ended",
            "title": s.currentTask.isEmpty ? "Session \(s.id)" : oneLine(s.currentTask),
            "started_at": s.startedAt.iso8601,
            // Every item carries "title" so Mustache never falls back to the session's own title.
            "decisions": s.decisions.map { id -> [String: Any] in
                ["id": id, "title": decisionTitles[id] ?? (try? decision(id: id))?.decision ?? ""]
            },
            "has_decisions": !s.decisions.isEmpty,
            "todos": s.todoList.map { ["text": $0.text, "done": !$0.isOpen] },
            "has_todos": !s.todoList.isEmpty,
            "blockers": s.blockers, "has_blockers": !s.blockers.isEmpty,
            "next_steps": s.nextSteps, "has_next_steps": !s.nextSteps.isEmpty,
            "files": files, "has_files": !files.isEmpty,
            "recent_actions": recent, "has_actions": !s.actions.isEmpty,
        ]
        if let e = s.endedAt { ctx["ended_at"] = e.iso8601 }
        if !s.summary.isEmpty { ctx["summary"] = s.summary }
        if s.actions.count > 20 { ctx["more_actions"] = "\(s.actions.count - 20)" }
        return ctx
    }

    /// The text between the markers of a freshly rendered body.
    func extractGenerated(_ rendered: String) -> String? {
        guard let b = rendered.range(of: "<!-- cmem:begin"), let e = rendered.range(of: ManagedSection.end, range: b.upperBound..<rendered.endIndex),
              let lineEnd = rendered[b.lowerBound...].firstIndex(of: "\n"), lineEnd < e.lowerBound else { return nil }
        return String(rendered[rendered.index(after: lineEnd)..<e.lowerBound])
    }

    public func endSession(id: String, summary: String?, at time: Timestamp = .now()) throws -> Session {
        if let summary { try Limits.checkText(summary, what: "summary") }
        return try updateSession(id: id, message: "end", at: time) { s, _ in
            if let summary { s.summary = summary }
            s.endedAt = time
        }
    }
}

func oneLine(_ s: String, max: Int = 120) -> String {
    var out = ""
    for ch in s {
        if out.count >= max { out += "…"; break }
        out.append(ch.isNewline ? " " : ch)
    }
    return out
}

func tagSafe(_ s: String) -> String {
    String(s.lowercased().map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
}
