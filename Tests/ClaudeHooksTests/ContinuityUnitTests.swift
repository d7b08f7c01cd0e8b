import Foundation
import MemoryModel
import MemoryStore
import Redaction
import Testing
import TestSupport
@testable import ClaudeHooks
@testable import MemoryCore

@Suite struct ContinuityUnitTests {
    @Test func theTaskIsAShortTitleOfTheFirstPrompt() {
        let r = Redactor()
        #expect(HookHandler.task(fromPrompt: "Fix the flaky deploy of the api service. It fails on every second run with a timeout.", redactor: r)
            == "Fix the flaky deploy of the api service")
        #expect(HookHandler.task(fromPrompt: "## Why does the importer drop rows?\nSee the log below", redactor: r) == "Why does the importer drop rows?")
        #expect(HookHandler.task(fromPrompt: "Fix the MCP servers: github-mcp-server crashloops after deploy", redactor: r)
            == "Fix the MCP servers: github-mcp-server crashloops after deploy", "a line that fits stays whole")
        let long = HookHandler.task(fromPrompt: String(repeating: "refactor the session store and ", count: 20), redactor: r)!
        #expect(long.count <= HookHandler.maxTitle && long.hasSuffix("…"))
        #expect(HookHandler.task(fromPrompt: "/compact", redactor: r) == nil)
    }

    @Test func blockersAndNextStepsAreReadFromWhatTheMessageStates() {
        let found = StatedWork.parse("""
        Done with the retry.

        **Blockers:**
        - Waiting for staging credentials

        ## Next steps
        1. Run the deploy twice
        2. Remove the sleep workaround

        Blocked on the ops review of the pipeline change.
        Some closing words.
        - not a next step, the list ended
        """)
        #expect(found.blockers == ["Waiting for staging credentials", "Blocked on the ops review of the pipeline change."])
        #expect(found.nextSteps == ["Run the deploy twice", "Remove the sleep workaround"])
        #expect(StatedWork.parse("All tests pass. Nothing else to do.") == StatedWork.Found())
        #expect(StatedWork.parse("Next steps: tag the release").nextSteps == ["tag the release"])
    }

    @Test func aSummaryBuiltWithoutTheMessageKeepsTheLastReply() {
        var s = Session(id: "ses-20261201-000000-0000000001", project: "demo", workingDirectory: "/w/demo", startedAt: .now())
        let first = SessionSummary.build(s, lastAssistantMessage: "The retry is in place.", redactor: Redactor())
        s.summary = first
        s.actions.append(.init(time: .now(), kind: "command", detail: "make test", exitCode: 0))
        let later = SessionSummary.build(s, lastAssistantMessage: nil, redactor: Redactor(), previous: s.summary)
        #expect(later.contains("Last reply: The retry is in place."))
        #expect(later.contains("1 command run"))
    }

    @Test func carryingOverKeepsStatesAndOrigins() {
        var a = Session(id: "ses-20261201-000000-000000000a", project: "demo", workingDirectory: "/w/demo", startedAt: .now())
        a.todoList = [.init(text: "one", status: "in_progress"), .init(text: "two"), .init(text: "three", status: "completed")]
        a.blockers = ["creds"]
        a.nextSteps = ["deploy"]
        a.carriedOver = [.init(kind: "todo", text: "two", from: "ses-20261130-000000-0000000000")]
        var b = Session(id: "ses-20261201-000000-000000000b", project: "demo", workingDirectory: "/w/demo", startedAt: .now())
        Continuity.carryOver(from: a, into: &b)
        #expect(b.previousSession == a.id)
        #expect(b.todoList == [.init(text: "one", status: "in_progress"), .init(text: "two")])
        #expect(b.carriedFrom("todo", "one") == a.id)
        #expect(b.carriedFrom("todo", "two") == "ses-20261130-000000-0000000000")
        #expect(b.blockers == ["creds"] && b.nextSteps == ["deploy"] && b.carriedOver.count == 4)
        // Claude's TodoWrite list does not drop a carried todo it leaves out; it takes the state of one it names.
        let merged = SessionChange.merge(claudeTodos: [.init(text: "one", status: "completed"), .init(text: "new")], into: b)
        #expect(merged == [.init(text: "one", status: "completed"), .init(text: "new"), .init(text: "two")])
    }

    @Test func theCarriedFieldsRoundTripAndOldNotesStillRead() throws {
        let dir = TemporaryDirectory()
        _ = try MemoryStore.initialize(at: dir.file("memory"))
        let store = try MemoryStore(path: dir.file("memory"))
        var s = try store.startSession(task: "t", cwd: dir.file("proj"))
        s = try store.updateSession(id: s.id, message: "x") { s, _ in
            s.todoList = [.init(text: "carry me")]
            s.previousSession = "ses-20261130-000000-0000000000"
            s.carriedOver = [.init(kind: "todo", text: "carry me", from: "ses-20261130-000000-0000000000")]
            s.codeHeadAtStart = String(repeating: "a", count: 40)
        }
        let read = try store.session(id: s.id)
        #expect(read.previousSession == s.previousSession && read.carriedOver == s.carriedOver && read.codeHeadAtStart == s.codeHeadAtStart)
        let text = try String(contentsOfFile: store.root + "/" + s.path, encoding: .utf8)
        #expect(text.contains("previous_session:") && text.contains("carried_over:") && text.contains("code_head_start:"))
        // A note written before these keys: none of them, and nothing breaks.
        let old = try store.startSession(task: "old", cwd: dir.file("proj"))
        let oldText = try String(contentsOfFile: store.root + "/" + old.path, encoding: .utf8)
        #expect(!oldText.contains("carried_over") && !oldText.contains("previous_session"))
        #expect(try store.session(id: old.id).carriedOver.isEmpty)
    }

    @Test func theHandoffHasNoLineForHumansOnly() throws {
        let dir = TemporaryDirectory()
        _ = try MemoryStore.initialize(at: dir.file("memory"))
        let store = try MemoryStore(path: dir.file("memory"))
        let s = try store.startSession(task: "Ship it", cwd: dir.file("proj"))
        let text = HandoffBuilder(store: store).build(session: s, project: ProjectScope.resolve(cwd: dir.file("proj")))
        #expect(text.contains("Ship it"))
        #expect(!text.contains("CLAUDE.md") && !text.contains("regenerated"), "\(text)")
    }

    @Test func toolCallsAreSessionChangesThatFoldRepeats() throws {
        var s = Session(id: "ses-20261201-000000-000000000c", project: "demo", workingDirectory: "/w/demo", startedAt: .now())
        var c = SessionChange()
        c.readFiles = ["a.swift"]
        try c.apply(to: &s, at: .now())
        c = SessionChange()
        c.toolActions = [SessionAction(kind: "edit", detail: "a.swift"), SessionAction(kind: "edit", detail: "a.swift"),
                         SessionAction(kind: "command", detail: "make", exitCode: 0), SessionAction(kind: "command", detail: "make", exitCode: 0)]
        c.maxActions = 2
        try c.apply(to: &s, at: .now())
        #expect(s.activeFiles == ["a.swift"] && s.filesRead.isEmpty, "an edited file is no longer only read")
        #expect(s.actions.map(\.kind) == ["command", "command"], "two edits fold into one; each command counts; the oldest goes past maxActions")
        var big = SessionChange()
        big.toolActions = [SessionAction(kind: "not a token!", detail: "x")]
        #expect(throws: (any Error).self) { try big.validate() }
    }
}
