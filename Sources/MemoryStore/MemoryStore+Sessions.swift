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
    func monthDirectories(_ top: String) -> [String] { MemoryStore.monthDirectories(root: root, top) }

    static func monthDirectories(root: String, _ top: String) -> [String] {
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
                guard let values = FrontMatterReader.canonicalValues(b), let doc = FrontMatterReader.canonicalDocument(b) else { return nil }
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
            return FrontMatterReader.canonicalValues(buffer)
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
            return FrontMatterReader.canonicalValues(buffer)
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
                if directoryChecked == nil { directoryChecked = (try? absolute(month)) != nil }
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
            try MemoryStore.refuseUnreadableKeys(of: old, text: text, path: path)
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

    /// Refuses to rewrite a session whose note holds a value cmem would replace (`Session.unreadableKeys`),
    /// naming the file, the line and the key.
    static func refuseUnreadableKeys(of session: Session, text: String, path: String) throws {
        guard let key = session.unreadableKeys.first else { return }
        let expected = key == "actions" ? " of actions, each with its detail" : key == "todo_list" ? " of todos" : ""
        throw StoreError.note(NoteError(path: path, line: lineOfKey(key, in: text), message: "`\(key)` holds a value cmem cannot keep "
            + "whole (it expects a list\(expected)); writing the session would replace it, so nothing was written. Make it such a "
            + "list, or remove the key, and try again"))
    }

    /// The 1-based line of the front-matter key `key` in a note's text (1 when it is not found).
    static func lineOfKey(_ key: String, in text: String) -> Int {
        var line = 1
        for l in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if l.hasPrefix(key + ":") { return line }
            line += 1
        }
        return 1
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
            followTask(from: old, to: session, in: &doc)
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
            "title": sessionTitle(s),
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

    /// A session's title, for its heading: its task, else (a session nobody has said anything about yet)
    /// its project and start time, never its id, so the graph and the quick switcher read as work.
    func sessionTitle(_ s: Session) -> String {
        if !s.currentTask.isEmpty { return oneLine(s.currentTask) }
        let iso = s.startedAt.iso8601
        return "\(s.project) session \(iso.prefix(10)) \(iso.dropFirst(11).prefix(5))"
    }

    /// When the task changes (the hooks set it from the first prompt, after the note was created), the
    /// title heading and the alias follow it, but only while they still say what cmem wrote: a heading or
    /// alias a person changed is theirs. Notes written before titles followed the task (`# Session <id>`,
    /// `aliases: []`) are brought along too.
    func followTask(from old: Session, to new: Session, in doc: inout FrontMatterDocument) {
        guard !new.currentTask.isEmpty else { return }
        var lines = doc.body.split(separator: "\n", omittingEmptySubsequences: false)
        let first = lines.firstIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let legacy = first.map { lines[$0] == "# Session \(old.id)" } ?? false
        guard old.currentTask != new.currentTask || legacy else { return }
        let task = oneLine(new.currentTask)
        let generatedAliases = [YAMLWriter.list("aliases", []), YAMLWriter.list("aliases", [oneLine(old.currentTask)])]
        if let raw = doc.raw("aliases"), generatedAliases.contains(raw) {
            doc.set("aliases", raw: YAMLWriter.list("aliases", [task]))
        }
        if let i = first, legacy || lines[i] == "# " + sessionTitle(old) {
            lines[i] = Substring("# " + task)
            doc.body = lines.joined(separator: "\n")
        }
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
