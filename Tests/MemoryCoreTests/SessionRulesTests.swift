import Foundation
import Logging
import MemoryCore
import MemoryModel
import MemoryStore
import Testing
import TestSupport

/// The session rules the core applies for every front end.
@Suite struct SessionRulesTests {
    final class Fixture {
        let dir = TemporaryDirectory("cmem-core")
        let memory: Memory
        var project: String { dir.file("project") }

        init() throws {
            _ = try MemoryStore.initialize(at: dir.file("memory"))
            try FileManager.default.createDirectory(atPath: dir.file("project/.git"), withIntermediateDirectories: true)
            memory = try Memory(path: dir.file("memory"), logger: Logger(label: "test"))
        }
    }

    @Test func markingDoneATodoThatDoesNotExistIsAnError() throws {
        let f = try Fixture()
        let s = try f.memory.startSession(task: "work", cwd: f.project)
        var add = SessionChange()
        add.addTodos = ["write the test"]
        try f.memory.change(session: s.id, add)
        var done = SessionChange()
        done.doneTodos = ["text that is no todo"]
        #expect(throws: CoreError.self) { try f.memory.change(session: s.id, done) }
        // Nothing was written: the list is as it was.
        #expect(try f.memory.session(id: s.id).session.todoList == [.init(text: "write the test")])
        done.doneTodos = ["write the test"]
        try f.memory.change(session: s.id, done)
        #expect(try f.memory.session(id: s.id).session.todoList == [.init(text: "write the test", status: "done")])
    }

    @Test func writesWithoutAnIDNeverGoToAnEndedSession() throws {
        let f = try Fixture()
        let old = try f.memory.startSession(task: "old", cwd: f.project)
        var end = SessionChange()
        end.end = true
        end.summary = "done"
        try f.memory.change(session: old.id, end)
        // Touching the ended session by id is allowed and does not make it the target of later writes.
        var touch = SessionChange()
        touch.addNextSteps = ["later"]
        try f.memory.change(session: old.id, touch)
        #expect(throws: CoreError.self) { try f.memory.targetSession(id: nil, cwd: f.project) }
        let new = try f.memory.startSession(task: "new", cwd: f.project)
        #expect(try f.memory.targetSession(id: nil, cwd: f.project) == new.id)
        try f.memory.change(session: old.id, touch)
        #expect(try f.memory.targetSession(id: nil, cwd: f.project) == new.id)
        #expect(try f.memory.currentSession(cwd: f.project)?.session.id == new.id)
    }

    @Test func anUnknownSessionIDIsNotFound() throws {
        let f = try Fixture()
        #expect(throws: CoreError.notFound(kind: "session", id: "sess-nope")) { try f.memory.targetSession(id: "sess-nope", cwd: f.project) }
        #expect(throws: (any Error).self) { try f.memory.targetSession(id: "../x", cwd: f.project) }
    }
}

@Suite struct SessionRedactionRulesTests {
    @Test func aTodoWithASecretIsMarkedDoneByTheTextItWasAddedWith() throws {
        let f = try SessionRulesTests.Fixture()
        let s = try f.memory.startSession(task: "rotate", cwd: f.project)
        let text = "rotate GITHUB_TOKEN=ghp_" + String(repeating: "a1B2c3D4e5", count: 4).prefix(36)
        var add = SessionChange()
        add.addTodos = [text]
        try f.memory.change(session: s.id, add)
        var done = SessionChange()
        done.doneTodos = [text]
        try f.memory.change(session: s.id, done)
        let todos = try f.memory.session(id: s.id).session.todoList
        #expect(todos.count == 1)
        #expect(todos.first?.status == "done")
        #expect(todos.first?.text.contains("[REDACTED:") == true)
        // An unknown todo's error never quotes a secret back.
        done.doneTodos = ["also GITHUB_TOKEN=ghp_" + String(repeating: "z9Y8x7W6v5", count: 4).prefix(36)]
        do {
            try f.memory.change(session: s.id, done)
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("z9Y8x7W6v5"))
        }
    }
}
