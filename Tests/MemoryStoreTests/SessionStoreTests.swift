import Foundation
import Testing
import MemoryModel
@testable import MemoryStore
import TestSupport

@Suite struct SessionStoreTests {
    @Test func lifecycleIsCommittedAndReadBack() throws {
        let f = try StoreFixture()
        let s = try f.store.startSession(task: "Fix the MCP servers", cwd: f.project + "/src")
        #expect(s.project == "project")
        #expect(s.workingDirectory == f.project)
        let d = try f.store.recordDecision(sessionID: s.id, decision: "Use init container", rationale: "pip races",
                                           alternatives: ["bake deps into image", "sidecar"])
        try f.store.updateSession(id: s.id, message: "update") { s, _ in
            s.todoList.append(.init(text: "add readiness probe"))
            s.blockers.append("registry down")
        }
        let ended = try f.store.endSession(id: s.id, summary: "Found the pip race")
        #expect(ended.endedAt != nil)
        let back = try f.store.session(id: s.id)
        #expect(back.decisions == [d.id])
        #expect(back.todoList.map(\.text) == ["add readiness probe"])
        #expect(back.summary == "Found the pip race")
        #expect(try f.store.decision(id: d.id).alternatives == ["bake deps into image", "sidecar"])
        // The decision and the session link to each other.
        #expect(try f.read(d.path).contains("[[\(s.id)]]"))
        #expect(try f.read(s.path).contains("[[\(d.id)]]"))
        let messages = try f.store.git.log().map(\.summary)
        #expect(messages.contains("decision \(d.id) \"Use init container\" (\(s.id))"))
        #expect(messages.count == 5)
        #expect(try f.git("status", "--porcelain").trimmed == "")
    }

    @Test func currentSessionIsScopedToTheProjectAndTheWindow() throws {
        let f = try StoreFixture()
        let other = f.dir.file("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        let now = Timestamp.now()
        let old = try f.store.startSession(task: "old", cwd: f.project, at: now.adding(seconds: -3 * 86400))
        _ = try f.store.endSession(id: old.id, summary: nil, at: now.adding(seconds: -2 * 86400))
        #expect(try f.store.currentSession(project: .resolve(cwd: f.project)) == nil)
        let mine = try f.store.startSession(task: "mine", cwd: f.project + "/deep/dir")
        _ = try f.store.startSession(task: "theirs", cwd: other)
        #expect(try f.store.currentSession(project: .resolve(cwd: f.project))?.id == mine.id)
        #expect(try f.store.currentSession(project: .resolve(cwd: f.project), window: 1, now: now.adding(seconds: 3600)) == nil)
    }

    @Test func humanEditsSurviveARewrite() throws {
        let f = try StoreFixture()
        let s = try f.store.startSession(task: "Fix it", cwd: f.project)
        var text = try f.read(s.path)
        // A human adds a key with a comment, reformats an owned key, and writes prose inside and after the note.
        text = text.replacingOccurrences(of: "status: active\n", with: "status: active\nreviewer: dana  # asked on Slack\npriority:\n  - p1\n")
        text = text.replacingOccurrences(of: "current_task: Fix it\n", with: "current_task: 'Fix it'\n")
        text += "My own notes: the registry is flaky on Mondays.\n"
        try f.write(s.path, text)
        try f.store.updateSession(id: s.id, message: "update") { s, _ in s.nextSteps.append("deploy to prod") }
        let after = try f.read(s.path)
        #expect(after.contains("reviewer: dana  # asked on Slack\npriority:\n  - p1\n"))
        #expect(after.contains("current_task: 'Fix it'\n"), "an unchanged owned key keeps the human's formatting")
        #expect(after.contains("My own notes: the registry is flaky on Mondays.\n"))
        #expect(after.contains("next_steps:\n  - deploy to prod\n"))
        #expect(after.contains("- deploy to prod\n\n<!-- cmem:end -->") || after.contains("## Next steps\n- deploy to prod"))
        // Key order: the human's keys stay where they were.
        let keys = try FrontMatterDocument.split(after, path: s.path).keys
        #expect(keys.firstIndex(of: "reviewer")! == keys.firstIndex(of: "status")! + 1)
    }

    @Test func bodyWithoutMarkersIsLeftAlone() throws {
        let f = try StoreFixture()
        let s = try f.store.startSession(task: "Fix it", cwd: f.project)
        let doc = try FrontMatterDocument.split(try f.read(s.path), path: s.path)
        try f.write(s.path, "---\n" + doc.frontMatterText + "---\nEntirely my own body.\n")
        try f.store.updateSession(id: s.id, message: "update") { s, _ in s.blockers.append("x") }
        #expect(try f.read(s.path).hasSuffix("---\nEntirely my own body.\n"))
    }

    @Test func brokenSessionNoteNamesTheFileAndOthersStillRead() throws {
        let f = try StoreFixture()
        let good = try f.store.startSession(task: "good", cwd: f.project)
        let bad = try f.store.startSession(task: "bad", cwd: f.dir.path)
        try f.write(bad.path, "---\nsession_id: \(bad.id)\nstarted_at: [oops\n---\n")
        do {
            _ = try f.store.session(id: bad.id)
            Issue.record("expected an error")
        } catch let StoreError.note(error) {
            #expect(error.path == bad.path)
            #expect(error.line >= 3)
        }
        #expect(try f.store.session(id: good.id).currentTask == "good")
        #expect(try f.store.currentSession(project: .resolve(cwd: f.project))?.id == good.id)
        // Updating the broken note fails and does not rewrite it.
        #expect(throws: StoreError.self) { try f.store.updateSession(id: bad.id, message: "x") { s, _ in s.blockers = ["y"] } }
        #expect(try f.read(bad.path) == "---\nsession_id: \(bad.id)\nstarted_at: [oops\n---\n")
    }

    @Test func invalidUTF8AndBinaryFilesAreReportedNotFatal() throws {
        let f = try StoreFixture()
        let s = try f.store.startSession(task: "x", cwd: f.project)
        var bytes = Array(try f.read(s.path).utf8)
        bytes.insert(contentsOf: [0xC3, 0x28], at: 20)
        try Data(bytes).write(to: URL(fileURLWithPath: f.root + "/" + s.path))
        try Data((0..<4096).map { UInt8($0 % 256) }).write(to: URL(fileURLWithPath: f.root + "/sessions/blob.bin"))
        do {
            _ = try f.store.session(id: s.id)
            Issue.record("expected an error")
        } catch let StoreError.note(error) {
            #expect(error.path == s.path)
            #expect(error.message.contains("UTF-8"))
        }
        let other = try f.store.startSession(task: "still works", cwd: f.project)
        #expect(try f.store.session(id: other.id).currentTask == "still works")
    }

    @Test func hostileIDsNeverWriteOutsideTheRepository() throws {
        let f = try StoreFixture()
        let before = try FileManager.default.contentsOfDirectory(atPath: f.dir.path)
        for id in ["../x", "../../escape", "a/b", "x\u{0}y", "new\nline", "..", "."] {
            #expect(throws: (any Error).self) { _ = try f.store.startSession(task: "t", cwd: f.project, id: id) }
            #expect(throws: (any Error).self) { _ = try f.store.session(id: id) }
        }
        #expect(throws: (any Error).self) { try f.store.absolute("../outside.md") }
        #expect(throws: (any Error).self) { try f.store.absolute("/etc/passwd") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.dir.path) == before)
    }

    @Test func symlinkedDirectoryOutsideTheRepositoryIsRefused() throws {
        let f = try StoreFixture()
        let outside = f.dir.file("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: f.root + "/timeline/2026", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: f.root + "/timeline/2026/01", withDestinationPath: outside)
        #expect(throws: StoreError.self) { try f.store.recordEvents([StoreFixture.event("2026-01-19T10:00:00Z")]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
    }

    @Test func hugeValuesAreRefusedWithAClearError() throws {
        let f = try StoreFixture()
        let huge = String(repeating: "x", count: 100_000)
        #expect(throws: (any Error).self) { _ = try f.store.startSession(task: huge, cwd: f.project) }
        let s = try f.store.startSession(task: "ok", cwd: f.project)
        #expect(throws: (any Error).self) { _ = try f.store.recordDecision(sessionID: s.id, decision: "d", rationale: huge, alternatives: []) }
        #expect(try f.store.git.log().count == 2)
    }
}
