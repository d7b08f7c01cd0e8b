import Foundation
import MemoryModel

extension MemoryStore {
    // MARK: Reading

    /// Finds a session's file by ID: our IDs carry their start date; others are looked up month by month.
    /// `includingMoved: false` looks only where cmem puts notes: for a check that a freshly made id is
    /// free, which must not read every note in every new process (the hooks start one per call).
    public func sessionPath(id: String, includingMoved: Bool = true) throws -> String? {
        try Identifier.validate(id, what: "session id")
        if let day = Identifier.day(of: id) {
            let path = "sessions/\(day.prefix(4))/\(day.dropFirst(5).prefix(2))/\(id).md"
            if FileManager.default.fileExists(atPath: root + "/" + path) { return path }
        }
        for month in monthDirectories("sessions").reversed() {
            let path = "\(month)/\(id).md"
            if FileManager.default.fileExists(atPath: root + "/" + path) { return path }
        }
        return includingMoved ? movedNote(in: "sessions", key: "session_id", id: id) : nil
    }

    /// A note a human renamed or moved within `top`: the one whose front matter says `key: id`. Only a
    /// lookup that missed every path cmem would use gets here. The notes are read once and the answer kept
    /// (`MovedNotes`) until a folder under `top` changes, so an import checking thousands of new ids
    /// reads them once per batch, not once per id.
    func movedNote(in top: String, key: String, id: String) -> String? {
        if let known = movedNotes[top], known.isCurrent { return known.paths[id] }
        let found = MovedNotes.scan(root: root, top: top, key: key) { try? absolute($0) }
        movedNotes[top] = found
        return found.paths[id]
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
        return try lookupSession(path: path, directoryChecked: false)
    }

    public func readSession(path: String) throws -> (session: Session, document: FrontMatterDocument) {
        guard let text = try readText(path) else { throw StoreError.notFound(kind: "session file", id: path) }
        return try MemoryStore.parseSession(text, path: path)
    }

    static func parseSession(_ text: String, path: String) throws -> (session: Session, document: FrontMatterDocument) {
        do {
            // A note in the shape cmem writes is read from its bytes: values and document, as below.
            let fast = text.utf8.withContiguousStorageIfAvailable { b -> ([(String, JSONValue)], FrontMatterDocument)? in
                guard let values = CanonicalFrontMatter.values(b), let doc = CanonicalFrontMatter.document(b) else { return nil }
                return (values, doc)
            }
            if let (values, doc) = fast ?? nil {
                return (try Session(values: values, path: path), doc)
            }
            let doc = try FrontMatterDocument.split(text, path: path)
            let session = try Session(values: try doc.values(path: path), path: path)
            return (session, doc)
        } catch let error as NoteError {
            throw StoreError.note(error)
        }
    }

    /// The session in the note at `path` (repository-relative), as `readSession(path:)` reads it.
    public func session(atPath path: String) throws -> Session {
        try lookupSession(path: path, directoryChecked: false)
    }

    /// A decision, as `decision(id:)` returns it (errors included), without a YAML parser for notes in the
    /// shape cmem writes: session notes, handoffs and `session current` show their decisions' titles.
    public func lookupDecision(id: String) throws -> Decision {
        guard let path = try decisionPath(id: id), let bytes = try AtomicFile.read(try absolute(path)) else {
            throw StoreError.notFound(kind: "decision", id: id)
        }
        let values: [(String, JSONValue)]? = bytes.withUnsafeBufferPointer { buffer in
            guard String(validating: buffer, as: UTF8.self) != nil else { return nil }
            return CanonicalFrontMatter.values(buffer)
        }
        guard let values else { return try decision(id: id) }
        do {
            return try Decision(values: values, path: path)
        } catch let error as NoteError {
            throw StoreError.note(error)
        }
    }

    /// A session note read for a lookup: what `readSession(path:)` returns, without the document, and
    /// without a YAML parser for notes in the shape cmem writes. `directoryChecked`: the caller has already
    /// checked (with `absolute`) that the note's directory lies inside the repository.
    func lookupSession(path: String, directoryChecked: Bool) throws -> Session {
        let full = directoryChecked ? root + "/" + path : try absolute(path)
        guard let bytes = try AtomicFile.read(full) else { throw StoreError.notFound(kind: "session file", id: path) }
        let values: [(String, JSONValue)]? = bytes.withUnsafeBufferPointer { buffer in
            // The same refusal of invalid UTF-8 as readText.
            guard String(validating: buffer, as: UTF8.self) != nil else { return nil }
            return CanonicalFrontMatter.values(buffer)
        }
        guard let values else { return try readSession(path: path).session }
        do {
            return try Session(values: values, path: path)
        } catch let error as NoteError {
            throw StoreError.note(error)
        }
    }

    /// The project's current session, by one policy (docs/FORMAT.md, "The current session"):
    /// - the active (not ended) session of the project with the latest activity within the window;
    /// - else the session that ended last, if it ended within the window: where we left off. Editing an
    ///   ended session later does not make it current: ended sessions rank by when they ended.
    /// A session note of the project that cannot be read is an error naming its file and line, never a
    /// reason to answer with another session.
    ///
    /// A note is rewritten whenever its session changes, so a note last modified before a time cannot hold
    /// a session active after it: only notes modified within the window are read. The project's pointer
    /// narrows that further: to notes modified since the session it names was last active, and, when a
    /// lookup left it, to notes modified since that lookup. After a clone or an import every note looks
    /// freshly modified; the first lookup of a project reads them all, later ones only what changed.
    public func currentSession(project: ProjectScope, window: Int64? = nil, now: Timestamp = .now()) throws -> Session? {
        let window = window ?? config.currentWindow
        let cutoff = now.adding(seconds: -window)
        // The wall clock before any note is listed: a note changed from here on has a later mtime.
        let started = Timestamp.now()
        let hint = projectPointer(project)
        if let id = hint.session, let s = try? session(id: id), s.workingDirectory == project.root,
           let since = hintScanStart(s, hint, cutoff: cutoff) {
            let scan = try scanSessions(project: project, cutoff: cutoff, modifiedSince: since)
            let result = SessionRank.better(s, scan.best)
            if scan.read > 0 || result.id != s.id {
                setPointer(project: project, ProjectPointer(session: result.id, checkedAt: started, bound: SessionRank.key(result),
                                                            ended: !result.isActive))
            }
            return result
        }
        var since = cutoff
        if hint.session == nil, let checked = hint.checkedAt, let bound = hint.bound, bound <= cutoff { since = max(since, checked) }
        let scan = try scanSessions(project: project, cutoff: cutoff, modifiedSince: since)
        // Remember what this lookup established, so the next one reads only what changed since.
        if let found = scan.best {
            if found.workingDirectory == project.root {
                setPointer(project: project, ProjectPointer(session: found.id, checkedAt: started, bound: SessionRank.key(found),
                                                            ended: !found.isActive))
            }
        } else if scan.read > 0 || since == cutoff {
            setPointer(project: project, ProjectPointer(session: nil, checkedAt: started, bound: cutoff))
        }
        return scan.best
    }

    /// From when notes must be read to know whether a session better than the pointer's exists; nil when
    /// the pointer proves nothing and every note of the window must be read.
    /// - An active session is beaten only by an active session with later activity, whose note was then
    ///   modified after this session's last activity (and after the lookup that left the pointer, if the
    ///   session has not changed since).
    /// - An ended session left by a lookup was the best of every note modified before that lookup; one
    ///   left by a write proves nothing (an active session may have been active all along).
    private func hintScanStart(_ s: Session, _ hint: ProjectPointer, cutoff: Timestamp) -> Timestamp? {
        guard SessionRank.qualifies(s, cutoff: cutoff) else { return nil }
        if s.isActive {
            var since = s.lastActivity
            if let checked = hint.checkedAt, hint.bound == s.lastActivity { since = max(since, checked) }
            return since
        }
        guard hint.ended, let checked = hint.checkedAt, hint.bound == SessionRank.key(s) else { return nil }
        return checked
    }

    /// The project's best session (by `SessionRank`) in notes modified at or after `modifiedSince` (1 s of
    /// slack for rounding) that qualify at `cutoff`, and how many notes were read. Every note is looked at
    /// (a hand edit in place changes no directory), with one `fstatat` each.
    private func scanSessions(project: ProjectScope, cutoff: Timestamp, modifiedSince: Timestamp) throws -> (best: Session?, read: Int) {
        var best: Session?
        var read = 0
        var unreadable: StoreError?
        let sinceSeconds = modifiedSince.seconds
        for month in monthDirectories("sessions").reversed() {
            var directoryChecked: Bool?
            MemoryStore.forEachNote(in: root + "/" + month, modifiedSince: sinceSeconds - 1) { name in
                read += 1
                // Whether the directory lies inside the repository, checked once for all its notes.
                if directoryChecked == nil { directoryChecked = (try? absolute(month + "/" + name)) != nil }
                guard directoryChecked == true else { return }
                let s: Session
                do {
                    s = try lookupSession(path: month + "/" + name, directoryChecked: true)
                } catch {
                    if unreadable == nil, mayBelong(month + "/" + name, to: project) {
                        unreadable = error as? StoreError ?? StoreError.invalid("\(month)/\(name): \(error)")
                    } else {
                        logger.warning("skipping unreadable session note", metadata: ["path": "\(month)/\(name)"])
                    }
                    return
                }
                guard s.workingDirectory == project.root || (s.workingDirectory.isEmpty && s.project == project.name),
                      SessionRank.qualifies(s, cutoff: cutoff) else { return }
                best = best.map { SessionRank.better($0, s) } ?? s
            }
        }
        if let unreadable { throw unreadable }
        return (best, read)
    }

    /// Whether a note that cannot be parsed may be a session of `project`: its raw text names the
    /// project's directory as its working directory, or, naming none, the project's name. A note that
    /// names neither cannot be told apart from another project's and is skipped with a warning.
    private func mayBelong(_ path: String, to project: ProjectScope) -> Bool {
        guard let bytes = try? AtomicFile.read(root + "/" + path, limit: 1 << 20) else { return false }
        let text = String(decoding: bytes, as: UTF8.self)
        func value(_ line: Substring, _ key: String) -> String? {
            guard line.hasPrefix(key + ":") else { return nil }
            var v = line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
            if v.count >= 2, v.first == "\"" || v.first == "'", v.last == v.first { v = String(v.dropFirst().dropLast()) }
            return v
        }
        var directory: String?
        var name: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).prefix(200) {
            directory = directory ?? value(line, "working_directory")
            name = name ?? value(line, "project")
        }
        if let directory, !directory.isEmpty { return directory == project.root }
        return name == project.name
    }

    /// Calls `body` with the name of each `*.md` entry of `directory` last modified at or after `seconds`
    /// (since the epoch), in directory order (the order `FileManager.contentsOfDirectory` lists them in),
    /// skipping entries that cannot be stat'ed and names that are not valid UTF-8 (FileManager could not
    /// name them either).
    static func forEachNote(in directory: String, modifiedSince seconds: Int64, _ body: (String) -> Void) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        guard let dir = fdopendir(fd) else {
            close(fd)
            return
        }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            withUnsafePointer(to: &entry.pointee.d_name) { raw in
                raw.withMemoryRebound(to: CChar.self, capacity: 256) { cName in
                    let length = strlen(cName)
                    guard length > 3 else { return }
                    let bytes = UnsafeRawPointer(cName).assumingMemoryBound(to: UInt8.self)
                    guard bytes[length - 3] == 46, bytes[length - 2] == 109, bytes[length - 1] == 100 else { return } // ".md"
                    var st = stat()
                    guard fstatat(fd, cName, &st, 0) == 0, Int64(st.st_mtim.tv_sec) >= seconds else { return }
                    guard let name = String(validating: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self),
                          name.hasSuffix(".md") else { return }
                    body(name)
                }
            }
        }
    }

    // MARK: Pointers (machine-local hints in .git/cmem, rebuilt from the notes when missing)

    /// `.git/cmem/projects/<hash of the root>`: the session the project last wrote, or what the last lookup
    /// found. A lookup also records what it established: that no note last modified before `checkedAt`
    /// (other than the session's own) holds a session of the project active after `bound` (the session's
    /// last activity), or, with no session, active at or after `bound` (that lookup's cutoff).
    ///
    /// When the lookup found an ended session (`ended`), or none, it also established that no note last
    /// modified before `checkedAt` held an active session of the project. Writes keep such a pointer: every
    /// note written since is newer than `checkedAt`, so the next lookup reads it anyway; writes replace
    /// any other pointer with the session written, or, writing an ended session, remove it.
    ///
    /// The file is the session ID, then optionally a line `checked <ms> <ms>` (and ` ended`); an older
    /// cmem reads a file with that line as no pointer, which only costs it a full scan.
    struct ProjectPointer: Equatable {
        var session: String?
        var checkedAt: Timestamp?
        var bound: Timestamp?
        var ended = false

        /// Proof, lasting through later writes, that no note older than `checkedAt` held an active session.
        var provesNoActiveSession: Bool { checkedAt != nil && (session == nil || ended) }
    }

    func pointerPath(_ project: ProjectScope) -> String {
        "\(stateDir)/projects/\(String(fnv1a64(project.root), radix: 16))"
    }

    func projectPointer(_ project: ProjectScope) -> ProjectPointer {
        guard let bytes = try? AtomicFile.read(pointerPath(project), limit: 4096) else { return ProjectPointer() }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var pointer = ProjectPointer()
        let id = lines.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if Identifier.isSafeName(id, maxLength: 128) { pointer.session = id }
        if lines.count > 1 {
            let words = lines[1].split(separator: " ")
            if words.count == 3 || (words.count == 4 && words[3] == "ended"), words[0] == "checked",
               let checked = Int64(words[1]), let bound = Int64(words[2]) {
                pointer.checkedAt = Timestamp(milliseconds: checked)
                pointer.bound = Timestamp(milliseconds: bound)
                pointer.ended = words.count == 4
            } else if pointer.session == nil || !lines[1].trimmingCharacters(in: .whitespaces).isEmpty {
                return ProjectPointer() // not a pointer this version wrote: no hint
            }
        } else if pointer.session == nil {
            return ProjectPointer()
        }
        return pointer
    }

    func clearPointer(project: ProjectScope) {
        unlink(pointerPath(project))
    }

    /// After writing `session`: only an active session may become the pointer by being written; writing an
    /// ended one (ending it, or a late edit) leaves the next lookup to find the project's best session by
    /// policy, from the last lookup's proof if there is one.
    func pointerAfterWrite(_ session: Session) {
        let project = ProjectScope(root: session.workingDirectory, name: session.project)
        if projectPointer(project).provesNoActiveSession { return }
        if session.isActive { setPointer(project: project, session: session.id) } else { clearPointer(project: project) }
    }

    func setPointer(project: ProjectScope, session: String) {
        setPointer(project: project, ProjectPointer(session: session))
    }

    func setPointer(project: ProjectScope, _ pointer: ProjectPointer) {
        var text = pointer.session ?? ""
        if let checked = pointer.checkedAt, let bound = pointer.bound {
            text += "\nchecked \(checked.milliseconds) \(bound.milliseconds)\(pointer.ended ? " ended" : "")\n"
        }
        try? AtomicFile.write(text, to: pointerPath(project), durable: false)
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
    /// `prepare` fills in what the core decides for a new session (work carried over, the code's HEAD)
    /// before the note is first written, so a session starts in one commit.
    public func startSession(task: String, cwd: String, claudeSessionID: String? = nil, at time: Timestamp = .now(),
                             id: String? = nil, prepare: (inout Session) -> Void = { _ in }) throws -> Session {
        try Limits.checkText(task, what: "task")
        let project = ProjectScope.resolve(cwd: cwd, scope: config.projectScope)
        var session = Session(id: id ?? Identifier.make(.session, at: time), project: project.name,
                              workingDirectory: project.root, startedAt: time, currentTask: task)
        try Identifier.validate(session.id, what: "session id")
        session.claudeSessionID = claudeSessionID
        prepare(&session)
        session = redaction.session(session)
        try transaction { tx in
            if let existing = try sessionPath(id: session.id, includingMoved: id != nil) {
                throw StoreError.invalid("session \(session.id) already exists at \(existing)")
            }
            try tx.write(session.path, renderSession(session, existing: nil))
            tx.describe("session \(session.id) start \(JSONValue.quoted(oneLine(session.currentTask.isEmpty ? project.name : session.currentTask)))")
        }
        pointerAfterWrite(session)
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
            new = redaction.session(new)
            new.updatedAt = max(time, old.updatedAt)
            try tx.write(path, renderSession(new, existing: (old, doc)))
            tx.describe("session \(id) \(message)")
            return new
        }
        pointerAfterWrite(session)
        return session
    }

    /// The note text for `session`. With an existing note, only front-matter keys whose value changed are
    /// rewritten and only the generated part of the body is replaced.
    /// `session` and `decisionTitles` must already have passed `redaction` (every caller redacts what it
    /// hands in, once).
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
            if session.previousSession == nil { doc.remove("previous_session") }
            if session.carriedOver.isEmpty { doc.remove("carried_over") }
            if session.codeHeadAtStart == nil { doc.remove("code_head_start") }
            if session.codeHeadAtEnd == nil { doc.remove("code_head_end") }
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
                ["id": id, "title": decisionTitles[id] ?? (try? lookupDecision(id: id))?.decision ?? ""]
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

// MARK: Reading front matter without a YAML parser

/// Reads the front matter `cmem` writes (`YAMLWriter`'s subset of YAML: `key: scalar`, `key: []`, and
/// `key:` followed by `  - scalar` items or `  - k: v` records) straight from the bytes, about fifty times
/// faster than Yams. For a note in that subset it returns exactly what `FrontMatterDocument.values` returns;
/// for anything else, and for anything the YAML path might refuse (text `YAMLSafety.rejectAnchorsAndAliases`
/// could take for an anchor or alias, characters YAML does not allow, duplicate keys, CR line ends), it
/// returns nil and the caller reads the note with YAML, errors included. Hooks and `session current` read
/// session notes on every call, and a large repository has thousands.
///
/// The subset and its value rules are those of MemoryIndex's `NoteReader` (which this module cannot
/// import), made stricter so that a nil here never hides an error the YAML path would report.
enum CanonicalFrontMatter {
    private struct NotCanonical: Error {}

    static func values(_ bytes: [UInt8]) -> [(String, JSONValue)]? {
        bytes.withUnsafeBufferPointer { values($0) }
    }

    static func values(_ b: UnsafeBufferPointer<UInt8>) -> [(String, JSONValue)]? {
        try? parse(b)
    }

    /// For a note `values` accepts, what `FrontMatterDocument.split` returns, built from the bytes: one entry
    /// per top-level key with its indented lines, blank and comment lines as entries of their own, and the
    /// body after the closing line. nil for any other note.
    static func document(_ b: UnsafeBufferPointer<UInt8>) -> FrontMatterDocument? {
        let n = b.count
        guard let (start, close) = bounds(b) else { return nil }
        var i = start
        func text(_ from: Int, _ to: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self) }
        var entries: [FrontMatterDocument.Entry] = []
        // The key and first byte of the entry being collected.
        var current: (key: String, start: Int)?
        i = start
        while i < close {
            var e = i
            while b[e] != 10 { e += 1 }
            let first: UInt8? = e > i ? b[i] : nil
            if let first, first != 32, first != 9, first != 35, first != 45 {
                if let c = current { entries.append(.init(key: c.key, raw: text(c.start, i))) }
                var colon = i
                while colon < e, b[colon] != 58 { colon += 1 }
                guard colon < e else { return nil } // not a `key:` line: not a note `values` accepts
                current = (text(i, colon), i)
            } else if current != nil, first == 32 || first == 9 || first == 45 {
                // An indented line: part of the current entry.
            } else {
                if let c = current { entries.append(.init(key: c.key, raw: text(c.start, i))) }
                current = nil
                entries.append(.init(key: nil, raw: text(i, e + 1)))
            }
            i = e + 1
        }
        if let c = current { entries.append(.init(key: c.key, raw: text(c.start, close))) }
        let body = close + 3 < n ? text(close + 4, n) : ""
        return FrontMatterDocument(entries: entries, body: body)
    }

    /// Where the front matter's first line starts and where its closing `---` / `...` line starts, after an
    /// opening `---` line (a UTF-8 BOM is tolerated, as FrontMatterDocument.split does).
    private static func bounds(_ b: UnsafeBufferPointer<UInt8>) -> (start: Int, close: Int)? {
        let n = b.count
        var pos = 0
        if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { pos = 3 }
        guard n - pos >= 4, b[pos] == 45, b[pos + 1] == 45, b[pos + 2] == 45, b[pos + 3] == 10 else { return nil }
        var i = pos + 4
        while i < n {
            var e = i
            while e < n, b[e] != 10 { e += 1 }
            if e - i == 3, (b[i] == 45 && b[i + 1] == 45 && b[i + 2] == 45) || (b[i] == 46 && b[i + 1] == 46 && b[i + 2] == 46) {
                return (pos + 4, i)
            }
            i = e + 1
        }
        return nil
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) throws -> [(String, JSONValue)] {
        // No front matter, an opening line with CR or trailing text, or no closing line: the YAML path decides.
        guard let (start, close) = bounds(b) else { throw NotCanonical() }
        try checkCharacters(b, start, close)

        var result: [(String, JSONValue)] = []
        var seen = Set<String>()
        var openKey: String?
        var items: [JSONValue] = []
        var record: [(String, JSONValue)]?
        var recordKeys = Set<String>()

        func finishRecord() {
            if let r = record { items.append(.object(r)) }
            record = nil
            recordKeys.removeAll(keepingCapacity: true)
        }
        func finishBlock() throws {
            guard let key = openKey else { return }
            finishRecord()
            if items.isEmpty { throw NotCanonical() } // `key:` with nothing under it: let YAML decide
            result.append((key, .array(items)))
            items = []
            openKey = nil
        }
        func addToRecord(_ key: String, _ value: JSONValue) throws {
            guard recordKeys.insert(key).inserted else { throw NotCanonical() } // YAML refuses duplicate keys
            record!.append((key, value))
        }

        var pos = start
        while pos < close {
            var e = pos
            while b[e] != 10 { e += 1 }
            let s = pos
            pos = e + 1
            if e == s { continue }
            if b[s] == 35 { continue } // a comment line
            if b[s] == 32 {
                guard openKey != nil else { throw NotCanonical() }
                if e - s > 4, b[s + 1] == 32, b[s + 2] == 45, b[s + 3] == 32 { // "  - "
                    finishRecord()
                    let itemStart = s + 4
                    if let colon = keyColon(b, itemStart, e) {
                        record = []
                        try addToRecord(try key(b, itemStart, colon), try scalar(b, colon + 2, e))
                    } else {
                        items.append(try scalar(b, itemStart, e))
                    }
                } else if e - s > 4, b[s + 1] == 32, b[s + 2] == 32, b[s + 3] == 32, b[s + 4] != 32, record != nil {
                    guard let colon = keyColon(b, s + 4, e) else { throw NotCanonical() }
                    try addToRecord(try key(b, s + 4, colon), try scalar(b, colon + 2, e))
                } else {
                    throw NotCanonical()
                }
                continue
            }
            try finishBlock()
            // key: value  |  key:
            var c = s
            while c < e, b[c] != 58 { c += 1 }
            guard c < e, c > s else { throw NotCanonical() }
            let k = try key(b, s, c)
            guard seen.insert(k).inserted else { throw NotCanonical() }
            if c + 1 == e {
                openKey = k
                continue
            }
            guard b[c + 1] == 32 else { throw NotCanonical() }
            result.append((k, try scalar(b, c + 2, e)))
        }
        try finishBlock()
        return result
    }

    /// Refuses what YAML reads differently from plain bytes or refuses outright: CR, tabs and other control
    /// characters, C1 controls (NEL is a YAML line break), U+2028/U+2029, byte-order marks and U+FFFE/U+FFFF;
    /// and any `&` or `*` where `YAMLSafety.rejectAnchorsAndAliases` could see the start of a node (checked
    /// without its quote and comment tracking, so this refuses whenever it might).
    private static func checkCharacters(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws {
        var i = start
        while i < end {
            let c = b[i]
            if c < 0x20 {
                if c != 10 { throw NotCanonical() }
            } else if c == 0x7F {
                throw NotCanonical()
            } else if c == 0xC2 {
                if i + 1 < end, b[i + 1] >= 0x80, b[i + 1] <= 0x9F { throw NotCanonical() }
            } else if c == 0xE2 {
                if i + 2 < end, b[i + 1] == 0x80, b[i + 2] == 0xA8 || b[i + 2] == 0xA9 { throw NotCanonical() }
            } else if c == 0xEF {
                if i + 2 < end, (b[i + 1] == 0xBB && b[i + 2] == 0xBF) || (b[i + 1] == 0xBF && (b[i + 2] == 0xBE || b[i + 2] == 0xBF)) {
                    throw NotCanonical()
                }
            } else if c == 38 || c == 42 { // & *
                let raw: UInt8 = i > start ? b[i - 1] : 10
                if raw == 32 || raw == 10 || raw == 91 || raw == 123 || raw == 44 {
                    var j = i - 1
                    while j >= start, b[j] == 32 { j -= 1 }
                    let previous: UInt8 = j >= start ? b[j] : 10
                    // "\n:-[{,?"
                    if previous == 10 || previous == 58 || previous == 45 || previous == 91 || previous == 123 || previous == 44 || previous == 63 {
                        throw NotCanonical()
                    }
                }
            }
            i += 1
        }
    }

    /// Where `key: ` ends in a record line, if the line is one.
    private static func keyColon(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int? {
        var c = s
        while c < e {
            let ch = b[c]
            if ch == 58 { return c > s && c + 1 < e && b[c + 1] == 32 ? c : nil }
            guard isKeyByte(ch) else { return nil }
            c += 1
        }
        return nil
    }

    private static func isKeyByte(_ ch: UInt8) -> Bool {
        (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || (ch >= 48 && ch <= 57) || ch == 95 || ch == 45
    }

    private static func key(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) throws -> String {
        guard e > s, b[s] != 45 else { throw NotCanonical() }
        for i in s..<e where !isKeyByte(b[i]) { throw NotCanonical() }
        return String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
    }

    private static func scalar(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) throws -> JSONValue {
        guard s <= e else { throw NotCanonical() }
        if s == e { return .null }
        let first = b[s]
        if first == 34 { // "…": a JSON string that ends the line
            try checkEscapes(b, s, e)
            let v = try JSONValue.parse(bytes: UnsafeBufferPointer(rebasing: b[s..<e]), maxDepth: 2)
            guard case .string = v else { throw NotCanonical() }
            return v
        }
        if first == 91 { // [ ]
            if e - s == 2, b[s + 1] == 93 { return .array([]) }
            throw NotCanonical()
        }
        // Plain scalars: refuse anything YAML might read differently.
        if first == 39 || first == 123 || first == 38 || first == 42 || first == 33 || first == 124 || first == 62 || first == 37
            || first == 64 || first == 96 || first == 35 || first == 32 || first == 63 || first == 58 || first == 44 || first == 93 || first == 125
            || (first == 45 && (e - s == 1 || b[s + 1] == 32)) {
            throw NotCanonical()
        }
        if b[e - 1] == 32 || b[e - 1] == 58 { throw NotCanonical() }
        var previous: UInt8 = 0
        for i in s..<e {
            let c = b[i]
            if (c == 32 && previous == 58) || (c == 35 && previous == 32) { throw NotCanonical() }
            previous = c
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
        switch text {
        case "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default:
            if let i = Int64(text) { return .number(Double(i)) }
            if first == 45 || first == 43 || first == 46 || (first >= 48 && first <= 57) {
                // YAML's core schema has floats, octals, hex…: leave numbers that are not plain integers to it.
                if Double(text) != nil || text.hasPrefix("0x") || text.hasPrefix("0o") || text.hasPrefix(".") { throw NotCanonical() }
            }
            return .string(text)
        }
    }

    /// Escapes JSON and YAML read alike: not `\u0000` (YAML readers may cut the text there) and no surrogate
    /// halves (JSON pairs them, YAML refuses them).
    private static func checkEscapes(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) throws {
        var i = s + 1
        while i < e {
            if b[i] == 92 {
                guard i + 1 < e else { throw NotCanonical() }
                let c = b[i + 1]
                if c == 117 { // \uXXXX
                    guard i + 5 < e else { throw NotCanonical() }
                    var v: UInt32 = 0
                    for k in 2...5 {
                        let h = b[i + k]
                        let d: UInt32
                        switch h {
                        case 48...57: d = UInt32(h - 48)
                        case 97...102: d = UInt32(h - 87)
                        case 65...70: d = UInt32(h - 55)
                        default: throw NotCanonical()
                        }
                        v = v << 4 | d
                    }
                    if v == 0 || (v >= 0xD800 && v <= 0xDFFF) { throw NotCanonical() }
                    i += 6
                    continue
                }
                guard c == 34 || c == 92 || c == 47 || c == 98 || c == 102 || c == 110 || c == 114 || c == 116 else { throw NotCanonical() }
                i += 2
                continue
            }
            i += 1
        }
    }
}
