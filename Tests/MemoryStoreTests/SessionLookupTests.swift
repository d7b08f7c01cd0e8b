import Foundation
import Testing
import MemoryModel
@testable import MemoryStore
import TestSupport

/// The session lookups that run on every hook and `session current`: the front-matter reader that skips
/// YAML for notes in cmem's own shape, and `currentSession` on a repository whose notes all look freshly
/// modified (after a clone or an import), with and without the project's pointer.
@Suite struct SessionLookupTests {
    // MARK: The front-matter reader

    /// What the YAML path reads, or nil when it refuses the note.
    static func yaml(_ text: String) -> [(String, JSONValue)]? {
        guard let doc = try? FrontMatterDocument.split(text, path: "n.md") else { return nil }
        return try? doc.values(path: "n.md")
    }

    static func same(_ a: [(String, JSONValue)], _ b: [(String, JSONValue)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// The fast reader either declines or agrees with YAML exactly.
    static func agrees(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let fast = FrontMatterReader.canonicalValues(Array(text.utf8)) else { return false }
        guard let slow = yaml(text) else {
            Issue.record("the fast reader accepted a note YAML refuses:\n\(text)", sourceLocation: sourceLocation)
            return true
        }
        #expect(same(fast, slow), "fast \(fast) != yaml \(slow) for:\n\(text)", sourceLocation: sourceLocation)
        let document = Array(text.utf8).withUnsafeBufferPointer { FrontMatterReader.canonicalDocument($0) }
        #expect(document == (try? FrontMatterDocument.split(text, path: "n.md")), "the document differs for:\n\(text)", sourceLocation: sourceLocation)
        return true
    }

    @Test func notesCmemWritesAreReadWithoutYAMLAndAsYAMLReadsThem() throws {
        let f = try StoreFixture()
        var s = try f.store.startSession(task: "Fix the \"MCP\" servers: all of them", cwd: f.project)
        s = try f.store.updateSession(id: s.id, message: "update") { s, _ in
            s.summary = "Line one\nline two with a tab\tand ünïcödé, emoji 🚀, NEL \u{85}, LS \u{2028}, ESC \u{1B}[0m"
            s.activeFiles = ["k8s/deployment.yaml", "src/a b.swift", "-leading-dash", "#hash", "trailing:", "yes", "007", "1e3", "~"]
            s.filesRead = ["x: y", "a #b", "[not a list]", "{not: a map}", "'single'", "@at", "`tick`", "%pct", "!bang", "|pipe", ">gt"]
            s.todoList = [.init(text: "add readiness probe"), .init(text: "done thing", status: "done")]
            s.blockers = ["null", "true", "-5", "+7", "0x1F", "12:30"]
            s.nextSteps = ["deploy to prod"]
            s.actions = [
                Session.Action(time: .now(), kind: "command", detail: "kubectl -n cortex-mcp logs deploy/github-mcp-server", exitCode: 0),
                Session.Action(time: .now(), kind: "command", detail: "npm test", exitCode: 1),
                Session.Action(time: .now(), kind: "edit", detail: "src/main.swift"),
                Session.Action(time: .now(), kind: "command", detail: "echo \"quoted\" \\ backslash", exitCode: -1),
            ]
            s.claudeSessionID = "9f3c2a10-morning"
        }
        let text = try f.read(s.path)
        #expect(Self.agrees(text), "a note cmem wrote should take the fast path:\n\(text)")
        #expect(try f.store.session(id: s.id) == s)
        // Ended, with a null that became a time.
        let ended = try f.store.endSession(id: s.id, summary: "done")
        #expect(Self.agrees(try f.read(ended.path)))
        #expect(try f.store.session(id: s.id) == ended)
    }

    @Test func anythingYAMLMightReadDifferentlyGoesToYAML() {
        let head = "---\nsession_id: sess-1\nstarted_at: 2026-01-19T10:00:00Z\n"
        let declined = [
            "an alias": head + "current_task: *x\n---\n",
            "an anchor": head + "current_task: &x task\n---\n",
            "an alias after a comma": head + "current_task: a, *b\n---\n",
            "a block scalar": head + "summary: |\n  two\n  lines\n---\n",
            "a folded plain scalar": head + "summary: one\n  two\n---\n",
            "a comment after a value": head + "project: demo # the demo\n---\n",
            "a flow list": head + "tags: [a, b]\n---\n",
            "a flow map": head + "author: {name: x}\n---\n",
            "a single-quoted value": head + "current_task: 'it''s'\n---\n",
            "a duplicate key": head + "project: a\nproject: b\n---\n",
            "a duplicate key in a record": head + "actions:\n  - time: 2026-01-19T10:00:00Z\n    time: 2026-01-19T11:00:00Z\n---\n",
            "CR line ends": "---\r\nsession_id: sess-1\r\n---\r\n",
            "CR in the middle": head + "project: a\r\n---\n",
            "a tab": head + "project:\tdemo\n---\n",
            "a raw NEL": head + "summary: a\u{85}b\n---\n",
            "a raw line separator": head + "summary: a\u{2028}b\n---\n",
            "a raw BOM inside": head + "summary: a\u{FEFF}b\n---\n",
            "a raw control character": head + "summary: a\u{1B}b\n---\n",
            "a float": head + "count: 1.5\n---\n",
            "hex": head + "count: 0x1F\n---\n",
            "a key with nothing under it": head + "todo_list:\n---\n",
            "a quoted key": head + "\"project\": demo\n---\n",
            "a list at column 0": head + "blockers:\n- a\n---\n",
            "deeper nesting": head + "actions:\n  - time: x\n    more:\n      - y\n---\n",
            "an escape YAML reads differently": head + "summary: \"a\\u0000b\"\n---\n",
            "a surrogate pair escape": head + "summary: \"\\ud83d\\ude80\"\n---\n",
            "an escape only YAML knows": head + "summary: \"a\\x41\"\n---\n",
            "never closed": head + "project: demo\n",
            "no front matter": "# Just a note\n",
            "a plain scalar starting with an indicator": head + "project: :demo\n---\n",
        ]
        for (what, text) in declined {
            #expect(FrontMatterReader.canonicalValues(Array(text.utf8)) == nil, "\(what) should go to YAML")
        }
    }

    @Test func valuesInTheSubsetAgreeWithYAML() {
        let notes = [
            "---\n---\n",
            "---\n# only a comment\n\n---\nbody\n",
            "\u{FEFF}---\nsession_id: sess-1\n---\n",
            "---\nsession_id: sess-1\nended_at: null\nupdated: ~\nproject: demo\n---\n",
            "---\nkey: value with spaces and:no-colon-space\n...\nbody\n",
            "---\nn: 42\nneg: -7\nb: True\nc: FALSE\nz: Null\ns: \"quoted \\\"with\\\" escapes \\u00e9 \\n \\t\"\n---\n",
            "---\nlist:\n  - a\n  - \"b c\"\n  - 3\n  - null\nrecords:\n  - time: 2026-01-19T10:00:00Z\n    kind: command\n    exit_code: 0\n  - time: 2026-01-19T11:00:00Z\n    kind: read\nafter: x\n---\n",
            "---\nmixed:\n  - a\n  - k: v\n  - b\n---\n",
            "---\nurl: https://example.com/a?b=c#frag\npath: a/b*c&d\nratio: 3:4\n---\n",
            "---\ntags: []\nx: \"\"\n---\n",
            "---\na: 1\n\n# a comment between keys\nb:\n  - x\n\nc: 2\n---\n\n# Title\r\nbody with CRLF\r\n",
            "---\na: 1\n---",
            // `*` and `&` that are text to the anchor check as well: inside quotes, after `--`, mid-word.
            "---\nsession_id: sess-1\nactions:\n  - time: 2026-01-19T10:00:00Z\n    detail: git add -- *\n---\n",
            "---\ndecision: \"+7 git add -- *\"\nrationale: \"*star\"\nx: a & b * c\n---\n",
        ]
        for text in notes {
            #expect(Self.agrees(text), "should take the fast path:\n\(text)")
        }
    }

    // MARK: currentSession after a clone

    /// Sets every note's modification time to now, as a clone or an import does.
    static func touchAll(_ root: String) throws {
        let r = try ProcessRunner.run("/usr/bin/env", ["sh", "-c", "find '\(root)/sessions' -name '*.md' -exec touch {} +"])
        #expect(r.status == 0)
    }

    static func dropPointers(_ store: MemoryStore) {
        try? FileManager.default.removeItem(atPath: store.stateDir + "/projects")
    }

    /// `currentSession` as the definition reads: every note parsed with YAML, the latest of the project.
    static func reference(_ store: MemoryStore, project: ProjectScope, cutoff: Timestamp) -> Session? {
        var best: Session?
        for month in store.monthDirectories("sessions") {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: store.root + "/" + month)) ?? [] where name.hasSuffix(".md") {
                guard let text = try? store.readText(month + "/" + name), let doc = try? FrontMatterDocument.split(text, path: name),
                      let values = try? doc.values(path: name), let s = try? Session(values: values, path: name) else { continue }
                // The policy, written out plainly: active beats ended; active by last activity, ended by its end.
                let key = s.endedAt ?? s.lastActivity
                guard s.workingDirectory == project.root || (s.workingDirectory.isEmpty && s.project == project.name), key >= cutoff else { continue }
                guard let b = best else { best = s; continue }
                if s.isActive != b.isActive {
                    if s.isActive { best = s }
                } else if key > (b.endedAt ?? b.lastActivity) {
                    best = s
                }
            }
        }
        return best
    }

    @Test func currentSessionFindsTheLatestAmongManyMonthsAfterAClone() throws {
        let f = try StoreFixture()
        let other = f.dir.file("other")
        try FileManager.default.createDirectory(atPath: other + "/.git", withIntermediateDirectories: true)
        let now = Timestamp.now()
        let mine = ProjectScope.resolve(cwd: f.project)
        let window: Int64 = 500 * 86400
        // Fourteen months of sessions, alternating projects; some end, one old one is resumed recently.
        var sessions: [Session] = []
        for i in 0..<28 {
            let start = now.adding(seconds: -Int64(420 - i * 15) * 86400)
            let s = try f.store.startSession(task: "task \(i)", cwd: i % 2 == 0 ? f.project : other, at: start)
            if i % 3 == 0 {
                sessions.append(try f.store.endSession(id: s.id, summary: "s\(i)", at: start.adding(seconds: 3600)))
            } else {
                sessions.append(s)
            }
        }
        let resumed = sessions[6] // ended months ago, resumed yesterday
        _ = try f.store.updateSession(id: resumed.id, message: "resume", at: now.adding(seconds: -86400)) { s, _ in s.endedAt = nil }
        // Other projects' sessions are newer still.
        _ = try f.store.startSession(task: "theirs", cwd: other, at: now.adding(seconds: -3600))
        // A hand-broken note of a third project, apparently the newest: skipped, never fatal here. (One of
        // the project asked about is an error: CurrentSessionPolicyTests.)
        let brokenPath = "sessions/\(now.day.prefix(4))/\(now.day.dropFirst(5).prefix(2))/sess-broken.md"
        try f.write(brokenPath, "---\nsession_id: sess-broken\nworking_directory: \(f.dir.file("third"))\nstarted_at: \(now.iso8601)\nupdated: \(now.iso8601)\nsummary: [unclosed\n---\n")
        try Self.touchAll(f.root)
        let cutoff = now.adding(seconds: -window)

        Self.dropPointers(f.store)
        let expected = Self.reference(f.store, project: mine, cutoff: cutoff)
        #expect(expected?.id == resumed.id)
        #expect(try f.store.currentSession(project: mine, window: window, now: now)?.id == resumed.id, "without a pointer")
        #expect(try f.store.currentSession(project: mine, window: window, now: now)?.id == resumed.id, "with the pointer the scan left")
        #expect(try f.store.currentSession(project: .resolve(cwd: other), window: window, now: now)?.currentTask == "theirs")

        // A pointer to an older session of the project (written last), then a newer session arriving by
        // `git pull`: a note written by someone else, in an older month, that the pointer knows nothing of.
        _ = try f.store.updateSession(id: sessions[2].id, message: "touch", at: sessions[2].startedAt) { s, _ in s.blockers = ["x"] }
        #expect(try f.store.currentSession(project: mine, window: window, now: now)?.id == resumed.id)
        let pulledID = "sess-pulled-1"
        let pulledPath = "sessions/\(sessions[0].startedAt.day.prefix(4))/\(sessions[0].startedAt.day.dropFirst(5).prefix(2))/\(pulledID).md"
        try f.write(pulledPath, "---\nsession_id: \(pulledID)\nproject: project\nworking_directory: \(f.project)\nstatus: active\nstarted_at: \(sessions[0].startedAt.iso8601)\nupdated: \(now.adding(seconds: -60).iso8601)\n---\n")
        #expect(try f.store.currentSession(project: mine, window: window, now: now)?.id == pulledID)
        #expect(Self.reference(f.store, project: mine, cutoff: cutoff)?.id == pulledID)

        // The lookups above left a pointer that says what they checked; later changes are still seen.
        let checked = f.store.projectPointer(mine)
        #expect(checked.session == pulledID && checked.checkedAt != nil && checked.bound != nil)
        let later = try f.store.startSession(task: "later", cwd: f.project + "/src")
        try FileManager.default.removeItem(atPath: f.store.pointerPath(mine)) // as if another clone wrote it
        f.store.setPointer(project: mine, checked)
        #expect(try f.store.currentSession(project: mine, window: window, now: now.adding(seconds: 60))?.id == later.id)
        // The found session changed by hand so that it no longer counts: the check no longer applies.
        try f.write(later.path, try f.read(later.path).replacingOccurrences(of: "working_directory: \(f.project)\n", with: "working_directory: /elsewhere\n"))
        #expect(try f.store.currentSession(project: mine, window: window, now: now.adding(seconds: 60))?.id == pulledID)
        #expect(Self.reference(f.store, project: mine, cutoff: cutoff)?.id == pulledID)

        // Outside the window: nothing, pointer or not.
        #expect(try f.store.currentSession(project: mine, window: 1, now: now.adding(seconds: 7 * 86400)) == nil)
        Self.dropPointers(f.store)
        #expect(try f.store.currentSession(project: mine, window: 1, now: now.adding(seconds: 7 * 86400)) == nil)
    }

    @Test func aLookupThatFoundNothingStillSeesWhatArrivesLaterOrALargerWindow() throws {
        let f = try StoreFixture()
        let now = Timestamp.now()
        let mine = ProjectScope.resolve(cwd: f.project)
        let old = try f.store.startSession(task: "old", cwd: f.project, at: now.adding(seconds: -3 * 86400))
        _ = try f.store.endSession(id: old.id, summary: nil, at: now.adding(seconds: -3 * 86400 + 60))
        try Self.touchAll(f.root)
        Self.dropPointers(f.store)
        #expect(try f.store.currentSession(project: mine, now: now) == nil)
        #expect(f.store.projectPointer(mine).session == nil && f.store.projectPointer(mine).checkedAt != nil)
        #expect(try f.store.currentSession(project: mine, now: now) == nil)
        // A larger window than the lookup that found nothing: the old session counts again.
        #expect(try f.store.currentSession(project: mine, window: 7 * 86400, now: now)?.id == old.id)
        Self.dropPointers(f.store)
        #expect(try f.store.currentSession(project: mine, now: now) == nil)
        // A session arriving later (by git pull: a note the store never wrote) is found.
        let pulled = "sess-pulled-2"
        try f.write("sessions/\(now.day.prefix(4))/\(now.day.dropFirst(5).prefix(2))/\(pulled).md",
                    "---\nsession_id: \(pulled)\nproject: project\nworking_directory: \(f.project)\nstarted_at: \(now.iso8601)\n---\n")
        #expect(try f.store.currentSession(project: mine, now: now.adding(seconds: 1))?.id == pulled)
    }

    @Test func pointersOfEarlierVersionsStillWork() throws {
        let f = try StoreFixture()
        let mine = ProjectScope.resolve(cwd: f.project)
        let s = try f.store.startSession(task: "mine", cwd: f.project)
        try FileManager.default.createDirectory(atPath: f.store.stateDir + "/projects", withIntermediateDirectories: true)
        try s.id.write(toFile: f.store.pointerPath(mine), atomically: true, encoding: .utf8)
        #expect(f.store.projectPointer(mine) == MemoryStore.ProjectPointer(session: s.id))
        #expect(try f.store.currentSession(project: mine)?.id == s.id)
        try "not a pointer\nat all".write(toFile: f.store.pointerPath(mine), atomically: true, encoding: .utf8)
        #expect(f.store.projectPointer(mine) == MemoryStore.ProjectPointer())
        #expect(try f.store.currentSession(project: mine)?.id == s.id)
    }
}
