import Foundation
import MemoryModel
import MemoryStore
import Redaction
import Testing
import TestSupport
@testable import ClaudeHooks
@testable import MemoryCore

@Suite struct ToolCaptureTests {
    func payload(_ tool: String, _ input: JSONValue, event: String = "PostToolUse", extra: [(String, JSONValue)] = []) throws -> HookPayload {
        try HookPayload(json: .object([("session_id", .string("s")), ("cwd", .string("/w/demo")), ("hook_event_name", .string(event)),
                                       ("tool_name", .string(tool)), ("tool_input", input)] + extra))
    }

    @Test func mapsEachToolAsDocumented() throws {
        let r = Redactor()
        #expect(ToolCapture.change(for: try payload("Read", .object([("file_path", .string("/w/demo/a/b.swift"))])), projectRoot: "/w/demo", redactor: r) == .read("a/b.swift"))
        #expect(ToolCapture.change(for: try payload("MultiEdit", .object([("file_path", .string("/elsewhere/x"))])), projectRoot: "/w/demo", redactor: r) == .edit("/elsewhere/x", kind: "edit"))
        #expect(ToolCapture.change(for: try payload("NotebookEdit", .object([("notebook_path", .string("/w/demo/n.ipynb"))])), projectRoot: "/w/demo", redactor: r) == .edit("n.ipynb", kind: "edit"))
        #expect(ToolCapture.change(for: try payload("Glob", .object([("pattern", .string("**/*.swift"))])), projectRoot: "/w/demo", redactor: r) == .none)
        #expect(ToolCapture.change(for: try payload("mcp__github__create_issue", .object([])), projectRoot: "/w/demo", redactor: r) == .action(kind: "mcp", detail: "mcp__github__create_issue"))
        #expect(ToolCapture.change(for: try payload("mcp__cortex-memory__search", .object([])), projectRoot: "/w/demo", redactor: r) == .none)
        #expect(ToolCapture.change(for: try payload("WebFetch", .object([("url", .string("https://example.com/x?token=abc"))])), projectRoot: "/w/demo", redactor: r) != .none)
        #expect(ToolCapture.change(for: try payload("Bash", .object([("command", .string("make"))]), extra: [("tool_response", .object([("interrupted", .bool(true))]))]), projectRoot: "/w/demo", redactor: r) == .command("make", exitCode: nil))
        #expect(ToolCapture.change(for: try payload("Bash", .object([("command", .string("make"))]), event: "PostToolUseFailure", extra: [("error", .string("Command exited with non-zero status code 127"))]), projectRoot: "/w/demo", redactor: r) == .command("make", exitCode: 127))
        #expect(ToolCapture.change(for: try payload("Write", .object([("file_path", .string("/w/demo/x"))]), event: "PostToolUseFailure"), projectRoot: "/w/demo", redactor: r) == .none, "a failed write changed nothing")
    }

    @Test func aPathIsRedactedBeforeItIsStandardized() throws {
        // Standardizing first made `postgres://app:pw@db` into `postgres:/app:pw@db`, where no credential is recognised.
        let r = Redactor()
        let path = "/w/demo/notes/psql postgres://app:Sup3rS3cret!@db.internal:5432/app"
        for tool in ["Read", "Write", "Edit"] {
            let change = ToolCapture.change(for: try payload(tool, .object([("file_path", .string(path))])), projectRoot: "/w/demo", redactor: r)
            let recorded: String
            switch change {
            case let .read(p), let .edit(p, _): recorded = p
            default: Issue.record("\(tool): \(change)"); continue
            }
            #expect(!recorded.contains("Sup3rS3cret!"), "\(tool): \(recorded)")
            #expect(recorded.hasPrefix("notes/psql postgres:"), "\(tool): still relative to the project: \(recorded)")
            #expect(recorded.contains("[REDACTED:password]"), "\(tool): \(recorded)")
        }
    }

    @Test func theInstalledMatcherCoversExactlyTheCapturedTools() {
        for tool in ToolCapture.matcher.split(separator: "|") where !tool.contains("*") {
            #expect(ToolCapture.captures(toolName: String(tool)), "\(tool)")
        }
        #expect(!ToolCapture.captures(toolName: "Grep"))
        #expect(ToolCapture.captures(toolName: "mcp__github__x"))
    }

    @Test func payloadDecodingIsTolerant() throws {
        let p = try HookPayload(bytes: Array(#"{"session_id": 42, "cwd": 7, "extra": {"a": [1, 2]}}"#.utf8), fallbackCWD: "/fallback")
        #expect(p.claudeSessionID == "42")
        #expect(p.cwd == "/fallback")
        #expect(p.toolName == nil)
        #expect(p.toolInput == .object([]))
        #expect(throws: HookError.self) { try HookPayload(bytes: Array("[1]".utf8)) }
        #expect(throws: HookError.self) { try HookPayload(bytes: Array("{}".utf8)) }
    }
}

@Suite struct TranscriptTests {
    @Test func findsTheLastAssistantTextSkippingToolOnlyAndSystemLines() throws {
        let path = HookFixture.fixtures.appendingPathComponent("transcript_factorial.jsonl").path
        let text = Transcript.lastAssistantMessage(path: path)
        #expect(text == "Done: `factorial` is in src/factorial.js and its test passes.\nNext I would handle negative input, which currently returns 1.")
    }

    @Test func readsOnlyTheTailOfALongTranscript() throws {
        let dir = TemporaryDirectory()
        var lines = String(repeating: #"{"type":"user","message":{"role":"user","content":"padding padding padding padding"}}"# + "\n", count: 20_000)
        lines += #"{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"the end"}]}}"# + "\n"
        try dir.write("t.jsonl", lines)
        #expect(Transcript.lastAssistantMessage(path: dir.file("t.jsonl")) == "the end")
        #expect(Transcript.lastAssistantMessage(path: dir.file("missing.jsonl")) == nil)
        try dir.write("bad.jsonl", "not json\n{\"type\":\"assistant\"\n")
        #expect(Transcript.lastAssistantMessage(path: dir.file("bad.jsonl")) == nil)
    }
}

@Suite struct HandoffBuilderTests {
    func store() throws -> (TemporaryDirectory, MemoryStore) {
        let dir = TemporaryDirectory()
        _ = try MemoryStore.initialize(at: dir.file("memory"))
        return (dir, try MemoryStore(path: dir.file("memory")))
    }

    @Test func staysWithinTheBudgetAndKeepsTheMostUsefulFirst() throws {
        let (dir, store) = try store()
        try FileManager.default.createDirectory(atPath: dir.file("proj/.git"), withIntermediateDirectories: true)
        var s = try store.startSession(task: "Migrate the billing service to Postgres 16", cwd: dir.file("proj"))
        s = try store.updateSession(id: s.id, message: "fill") { s, _ in
            s.summary = String(repeating: "Long progress notes. ", count: 200)
            s.todoList = (1...40).map { Session.Todo(text: "todo number \($0) with some words") }
            s.blockers = ["staging database is read-only"]
            s.nextSteps = (1...30).map { "next step \($0)" }
            s.activeFiles = (1...50).map { "src/file\($0).swift" }
        }
        for i in 1...10 {
            try store.recordDecision(sessionID: s.id, decision: "Decision \(i)", rationale: String(repeating: "because ", count: 60), alternatives: [])
        }
        s = try store.session(id: s.id)
        let scope = ProjectScope.resolve(cwd: dir.file("proj"))
        for budget in [100, 300, 800, 1500] {
            let text = HandoffBuilder(store: store, tokenBudget: budget).build(session: s, project: scope)
            #expect(text.count <= budget * 4, "budget \(budget): \(text.count) characters")
            #expect(text.contains("Migrate the billing service to Postgres 16"), "budget \(budget)")
        }
        let mid = HandoffBuilder(store: store, tokenBudget: 800).build(session: s, project: scope)
        #expect(mid.contains("staging database is read-only"))
        #expect(mid.contains("todo number 1 "))
        #expect(!mid.contains("src/file50.swift"), "files go first")
        let big = HandoffBuilder(store: store, tokenBudget: 100_000).build(session: s, project: scope)
        #expect(big.contains("src/file50.swift"))
        #expect(big.contains("Decision 10"))
    }

    @Test func anEmptySessionIsSkippedWhenLookingForTheLastOne() throws {
        let (dir, store) = try store()
        try FileManager.default.createDirectory(atPath: dir.file("proj/.git"), withIntermediateDirectories: true)
        let real = try store.startSession(task: "Real work", cwd: dir.file("proj"))
        _ = try store.startSession(task: "", cwd: dir.file("proj"))
        let scope = ProjectScope.resolve(cwd: dir.file("proj"))
        #expect(try Continuity.previousSession(store: store, project: scope)?.id == real.id)
        #expect(try Continuity.previousSession(store: store, project: scope, excluding: real.id) == nil)
    }

    @Test func handoffFileNamesAreSafe() {
        #expect(HandoffBuilder.path(project: "demo") == "handoff/demo.md")
        #expect(HandoffBuilder.path(project: "my project") == "handoff/my-project.md")
        #expect(HandoffBuilder.path(project: "a..b") == "handoff/project.md")
        #expect(HandoffBuilder.path(project: "..") == "handoff/project.md")
    }
}

@Suite struct ClaudeSettingsTests {
    @Test func mergeIsIdempotentAndUninstallRestores() throws {
        let original = try JSONValue.parse(#"{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"say done"}]}]},"x":1}"#)
        let once = ClaudeSettings.mergingHooks(into: original, executable: "/opt/cmem/bin/cmem", repo: nil)
        let twice = ClaudeSettings.mergingHooks(into: once, executable: "/opt/cmem/bin/cmem", repo: nil)
        #expect(once == twice)
        #expect(once["hooks"]?["Stop"]?.items.count == 2)
        // Reinstalling from another path updates our hooks in place instead of adding more.
        let moved = ClaudeSettings.mergingHooks(into: once, executable: "/usr/local/bin/cmem", repo: "/data/memory")
        #expect(moved["hooks"]?["Stop"]?.items.count == 2)
        #expect(moved["hooks"]?["Stop"]?.items[1]["hooks"]?.items[0]["command"]?.stringValue == "/usr/local/bin/cmem hook stop --repo /data/memory")
        #expect(ClaudeSettings.removingHooks(from: moved) == original)
    }

    @Test func recognisesOurCommandsOnly() {
        #expect(ClaudeSettings.isOurs("cmem hook stop"))
        #expect(ClaudeSettings.isOurs("'/home/a b/bin/cmem' hook session-start --repo '/x y'"))
        #expect(!ClaudeSettings.isOurs("cmem-other hook stop"))
        #expect(!ClaudeSettings.isOurs("echo cmem hook"))
        #expect(ClaudeSettings.shellWords(#"a 'b c' "d \"e\"" f\ g"#) == ["a", "b c", "d \"e\"", "f g"])
    }
}
