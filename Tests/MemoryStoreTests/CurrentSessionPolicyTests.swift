import Foundation
import Testing
import MemoryModel
@testable import MemoryStore
import TestSupport

/// "The current session" by its one policy (docs/FORMAT.md): the project's active session if there is one;
/// else the one that ended last; an ended session never becomes current by being edited; a session note of
/// the project that cannot be read is an error naming its file and line.
@Suite struct CurrentSessionPolicyTests {
    func scope(_ f: StoreFixture) -> ProjectScope { ProjectScope.resolve(cwd: f.project, scope: f.store.config.projectScope) }

    @Test func editingAnEndedSessionDoesNotMakeItCurrent() throws {
        let f = try StoreFixture()
        let old = try f.store.startSession(task: "old work", cwd: f.project)
        _ = try f.store.endSession(id: old.id, summary: "done")
        let active = try f.store.startSession(task: "new work", cwd: f.project)
        // A late edit to the ended session: the most recently touched note, but not the current session.
        _ = try f.store.updateSession(id: old.id, message: "update") { s, _ in s.todoList.append(.init(text: "t1", status: "done")) }
        #expect(try f.store.currentSession(project: scope(f))?.id == active.id)
        // The same from a fresh store (no pointer written by this process's lookups).
        try? FileManager.default.removeItem(atPath: f.store.stateDir + "/projects")
        #expect(try MemoryStore(path: f.root).currentSession(project: scope(f))?.id == active.id)
    }

    @Test func withNoActiveSessionTheOneThatEndedLastIsWhereWeLeftOff() throws {
        let f = try StoreFixture()
        let t0 = Timestamp.now().adding(seconds: -3600)
        let first = try f.store.startSession(task: "first", cwd: f.project, at: t0)
        _ = try f.store.endSession(id: first.id, summary: "first done", at: t0.adding(seconds: 60))
        let second = try f.store.startSession(task: "second", cwd: f.project, at: t0.adding(seconds: 120))
        _ = try f.store.endSession(id: second.id, summary: "second done", at: t0.adding(seconds: 180))
        // Touch the first: it ended earlier, so it stays behind.
        _ = try f.store.updateSession(id: first.id, message: "update") { s, _ in s.nextSteps.append("later") }
        let current = try f.store.currentSession(project: scope(f))
        #expect(current?.id == second.id)
        #expect(current?.isActive == false)
    }

    @Test func endingTheActiveSessionHandsCurrentToAnotherActiveOne() throws {
        let f = try StoreFixture()
        let a = try f.store.startSession(task: "a", cwd: f.project)
        let b = try f.store.startSession(task: "b", cwd: f.project)
        #expect(try f.store.currentSession(project: scope(f))?.id == b.id)
        _ = try f.store.endSession(id: b.id, summary: "b done")
        #expect(try f.store.currentSession(project: scope(f))?.id == a.id)
    }

    @Test func aTypoInTheActiveSessionNoteIsAnErrorNotAnotherSession() throws {
        let f = try StoreFixture()
        let old = try f.store.startSession(task: "old", cwd: f.project)
        _ = try f.store.endSession(id: old.id, summary: "old done")
        let active = try f.store.startSession(task: "active", cwd: f.project)
        // A human breaks the YAML of the active note.
        var text = try f.read(active.path)
        text = text.replacingOccurrences(of: "current_task: active", with: "current_task: [unclosed")
        try f.write(active.path, text)
        let fresh = try MemoryStore(path: f.root)
        do {
            let s = try fresh.currentSession(project: scope(f))
            Issue.record("expected an error naming \(active.path), got \(s?.id ?? "nil")")
        } catch let error as StoreError {
            #expect("\(error)".contains(active.path), "\(error)")
            #expect("\(error)".contains(":"), "the error names a line: \(error)")
        }
    }

    @Test func aBrokenNoteOfAnotherProjectIsSkipped() throws {
        let f = try StoreFixture()
        try FileManager.default.createDirectory(atPath: f.dir.file("other/.git"), withIntermediateDirectories: true)
        let other = try f.store.startSession(task: "elsewhere", cwd: f.dir.file("other"))
        let mine = try f.store.startSession(task: "mine", cwd: f.project)
        var text = try f.read(other.path)
        text = text.replacingOccurrences(of: "current_task: elsewhere", with: "current_task: [unclosed")
        try f.write(other.path, text)
        #expect(try MemoryStore(path: f.root).currentSession(project: scope(f))?.id == mine.id)
    }

    @Test func aRenamedNoteIsFoundByItsID() throws {
        let f = try StoreFixture()
        let s = try f.store.startSession(task: "Fix the MCP servers", cwd: f.project)
        let d = try f.store.recordDecision(sessionID: s.id, decision: "Use init container", rationale: "pip race", alternatives: [])
        let dir = (s.path as NSString).deletingLastPathComponent
        _ = try f.git("mv", s.path, dir + "/Fix the MCP servers.md")
        _ = try f.git("mv", d.path, "decisions/Use init container.md")
        _ = try f.git("commit", "-qm", "rename notes")
        let store = try MemoryStore(path: f.root)
        let found = try store.session(id: s.id)
        #expect(found.path == dir + "/Fix the MCP servers.md")
        #expect(try store.decision(id: d.id).path == "decisions/Use init container.md")
        // Writes go to the renamed note, not to a new one at the old path.
        let updated = try store.updateSession(id: s.id, message: "update") { s, _ in s.blockers.append("registry down") }
        #expect(updated.path == dir + "/Fix the MCP servers.md")
        #expect(!FileManager.default.fileExists(atPath: f.root + "/" + s.path))
        #expect(try f.read(dir + "/Fix the MCP servers.md").contains("registry down"))
        #expect(try store.log(target: s.id).commits.isEmpty == false)
    }
}

/// Every text and details value is redacted on the store's write path, whoever calls it; nothing of a
/// secret reaches the working tree, an object or a commit message.
@Suite struct RedactionOnWriteTests {
    @Test func eventsSessionsAndDecisionsAreRedactedBeforeDisk() throws {
        let f = try StoreFixture()
        let ghp = Fake.github("ghp", seed: 42)
        let password = "SuperSecret123456789abc"
        let t = Timestamp.now()
        let e = TimelineEvent(id: Identifier.make(.event, at: t), timestamp: t, type: "config_change", source: "cli",
                              description: "password=\(password)",
                              details: .object([("password", .string("Hunter2Secret9")), ("nested", .object([("token", .string(ghp))])),
                                                ("note", .string("rotate \(ghp)"))]))
        let written = try f.store.recordEvents([e])
        #expect(written.first?.event.description == "password=[REDACTED:password]")
        let s = try f.store.startSession(task: "rotate \(ghp)", cwd: f.project)
        _ = try f.store.updateSession(id: s.id, message: "update") { s, _ in
            s.todoList.append(.init(text: "rotate \(ghp)"))
            s.blockers.append("export API_KEY=\(Fake.opaque(seed: 9))")
            s.summary = "curl -H 'Authorization: Bearer \(Fake.opaque(seed: 10))'"
        }
        _ = try f.store.recordDecision(sessionID: s.id, decision: "use \(ghp)", rationale: "password: \(password)", alternatives: ["token=\(ghp)"])
        let leaks = try SecretLeaks.find([ghp, password, "Hunter2Secret9", Fake.opaque(seed: 9), Fake.opaque(seed: 10)], in: f.root)
        #expect(leaks.isEmpty, "\(leaks)")
        #expect(try f.store.event(id: e.id)?.details["password"]?.stringValue == "[REDACTED:password]")
    }
}

/// The pointer left by a lookup that found no active session keeps proving it through later writes, so
/// the next session start (after one that ended) reads only the notes written since.
@Suite struct PointerThroughWritesTests {
    @Test func aStartAndEndCycleKeepsTheLookupsProof() throws {
        let f = try StoreFixture()
        let scope = ProjectScope.resolve(cwd: f.project, scope: f.store.config.projectScope)
        let first = try f.store.startSession(task: "first", cwd: f.project)
        _ = try f.store.endSession(id: first.id, summary: "done")
        #expect(try f.store.currentSession(project: scope)?.id == first.id)
        #expect(f.store.projectPointer(scope).provesNoActiveSession)
        // A new session comes and goes, as the hooks do between two session starts.
        let second = try f.store.startSession(task: "second", cwd: f.project)
        _ = try f.store.updateSession(id: second.id, message: "update") { s, _ in s.todoList = [.init(text: "t")] }
        #expect(f.store.projectPointer(scope).provesNoActiveSession, "writes keep the proof")
        #expect(try f.store.currentSession(project: scope)?.id == second.id, "the active session written since the proof")
        _ = try f.store.endSession(id: second.id, summary: "done too")
        #expect(try f.store.currentSession(project: scope)?.id == second.id, "the one that ended last")
        #expect(f.store.projectPointer(scope).provesNoActiveSession)
        // And the answer is what a lookup without any pointer gives.
        f.store.clearPointer(project: scope)
        #expect(try f.store.currentSession(project: scope)?.id == second.id)
    }
}
