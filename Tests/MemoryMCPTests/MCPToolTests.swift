import Foundation
import Logging
import MCP
import MemoryModel
import MemoryStore
import Testing
import TestSupport
@testable import MemoryMCP

/// The tools through the SDK's client, over an in-memory transport.
@Suite struct MCPToolTests {
    let f: MCPFixture
    let client: Client
    let server: Server

    init() async throws {
        f = try MCPFixture()
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let backend = MemoryBackend(repositoryPath: f.repo, defaultCWD: f.project, logger: logger)
        server = await MemoryMCPServer.makeServer(backend: backend, logger: logger)
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverSide)
        client = Client(name: "test", version: "1")
        try await client.connect(transport: clientSide)
    }

    /// Calls a tool; returns the parsed JSON result, or the error text.
    func call(_ name: String, _ args: [String: Value] = [:]) async throws -> (json: JSONValue?, error: String?) {
        try await MCPToolTests.call(client, name, args)
    }

    static func call(_ client: Client, _ name: String, _ args: [String: Value]) async throws -> (json: JSONValue?, error: String?) {
        let (content, isError) = try await client.callTool(name: name, arguments: args)
        guard case let .text(text, _, _)? = content.first else { return (nil, "no text content") }
        if isError == true { return (nil, text) }
        return (try JSONValue.parse(text), nil)
    }

    @Test func listsEveryToolWithinTheTokenBudget() async throws {
        let (tools, _) = try await client.listTools()
        #expect(tools.map(\.name) == ToolCatalog.all.map(\.name))
        let size = try JSONEncoder().encode(tools).count
        #expect(size < 16_000, "tools/list is \(size) bytes (≈\(size / 4) tokens)")
        for t in tools {
            #expect(t.name.count <= 20)
            #expect((t.description ?? "").count <= 140, "\(t.name)")
        }
    }

    @Test func sessionCurrentAndUpdate() async throws {
        let current = try await call("session_current")
        #expect(current.json?["session_id"]?.stringValue == f.sessionID)
        // Open and done todos alike, each with its status.
        #expect(current.json?["todo_list"]?.items.filter { $0["status"]?.stringValue != "done" }.map { $0["text"]?.stringValue } == ["add readiness probe"])
        #expect(current.json?["decision_records"]?.items.first?["rationale"]?.stringValue == "pip install races the main container")
        let token = "ghp_" + "R7sT2vX9kLm4Qw8Zp3Nb6Yc1Hd5Fj0Ga2Ek7"
        let updated = try await call("session_update", ["todo": ["deploy", "ask about GITHUB_TOKEN=\(token)"], "done": ["add readiness probe"], "unblock": ["registry down"]])
        #expect(updated.error == nil, "\(updated.error ?? "")")
        #expect(updated.json?["todo_list"]?.items.filter { $0["status"]?.stringValue != "done" }.count == 2)
        #expect(updated.json?["blockers"] == .array([]))
        #expect(try String(contentsOfFile: f.repo + "/" + (try MemoryStore(path: f.repo).sessionPath(id: f.sessionID))!, encoding: .utf8).contains(token) == false)
    }

    @Test func decisionsAndHandoff() async throws {
        let d = try await call("decision_record", ["decision": "Pin pip to 24.0", "rationale": "newer pip breaks the build", "components": ["github-mcp-server"]])
        #expect(d.json?["session_id"]?.stringValue == f.sessionID)
        let found = try await call("decisions_search", ["query": "pip"])
        #expect(found.json?["decisions"]?.items.count == 2)
        let h = try await call("handoff_write", ["summary": "Init container drafted", "next_steps": ["deploy to prod"], "blockers": [], "end": true])
        #expect(h.json?["status"]?.stringValue == "ended")
        #expect(h.json?["next_steps"] == .array([.string("deploy to prod")]))
        #expect(h.json?["summary"]?.stringValue == "Init container drafted")
        // Ending through MCP writes the handoff file, as every end does.
        let project = (f.project as NSString).lastPathComponent
        let handoff = try String(contentsOfFile: f.repo + "/handoff/\(project).md", encoding: .utf8)
        #expect(handoff.contains("deploy to prod") && handoff.contains("Init container drafted"), "\(handoff)")
        // With the session ended, a decision is refused as the CLI and REST refuse it, not written without a
        // session or a project.
        let decisions = try FileManager.default.subpathsOfDirectory(atPath: f.repo + "/decisions").filter { $0.hasSuffix(".md") }
        let orphan = try await call("decision_record", ["decision": "Retry the registry"])
        #expect(orphan.error?.contains("no active session") == true, "\(orphan.error ?? "written: \(orphan.json?.json ?? "")")")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: f.repo + "/decisions").filter { $0.hasSuffix(".md") } == decisions)
    }

    @Test func recordAnEventAnActionAndTodoChanges() async throws {
        let e = try await call("event_record", ["type": "deployment", "description": "Synced api to 1f2e3d", "components": ["api"],
                                                "details": ["sha": "1f2e3d", "replicas": 3], "severity": "info"])
        #expect(e.error == nil, "\(e.error ?? "")")
        #expect(e.json?["recorded"] == .number(1))
        #expect(e.json?["events"]?.items.first?["details"]?["replicas"] == .number(3))
        #expect(e.json?["events"]?.items.first?["source"]?.stringValue == "claude")
        let t = try await call("timeline", ["component": ["api"]])
        #expect(t.json?["events"]?.items.first?["description"]?.stringValue == "Synced api to 1f2e3d")
        let big = try await call("event_record", ["type": "deployment", "description": "x", "details": ["blob": .string(String(repeating: "a", count: 70_000))]])
        #expect(big.error?.contains("details is") == true && big.error?.contains("the limit is") == true, "\(big.error ?? "")")
        let notObject = try await call("event_record", ["type": "deployment", "description": "x", "details": ["a", "b"]])
        #expect(notObject.error?.contains("details must be a JSON object") == true)
        let badType = try await call("event_record", ["type": "not a token!", "description": "x"])
        #expect(badType.error != nil)

        let a = try await call("action_record", ["kind": "command", "detail": "make test", "exit_code": 2])
        #expect(a.error == nil, "\(a.error ?? "")")
        #expect(a.json?["actions"]?.items.last?["exit_code"] == .number(2))

        let added = try await call("todo_update", ["add": ["write the runbook"], "start": ["write the runbook"]])
        #expect(added.json?["todo_list"]?.items.last?["status"]?.stringValue == "in_progress", "\(added.error ?? "")")
        let done = try await call("todo_update", ["done": ["write the runbook"]])
        #expect(done.json?["todo_list"]?.items.last?["status"]?.stringValue == "done")
        let missing = try await call("todo_update", ["done": ["no such todo"]])
        #expect(missing.error?.contains("has no todo") == true)
        let token = "ghp_" + "R7sT2vX9kLm4Qw8Zp3Nb6Yc1Hd5Fj0Ga2Ek7"
        _ = try await call("action_record", ["kind": "note", "detail": "export GITHUB_TOKEN=\(token)"])
        _ = try await call("event_record", ["type": "config_change", "description": "rotated", "details": ["token": .string(token)]])
        let all = try ProcessRunner.run("/usr/bin/env", ["grep", "-r", token, f.repo, "--exclude-dir=.git"])
        #expect(all.stdout.isEmpty, "a secret reached the notes: \(all.stdout)")
    }

    @Test func searchTimelineEventAndHistory() async throws {
        let s = try await call("search", ["query": "CrashLoopBackOff", "limit": 5])
        #expect(s.json?["results"]?.items.first?["id"]?.stringValue == f.crashID)
        let t = try await call("timeline", ["component": ["github-mcp-server"], "since": "1d"])
        #expect(t.json?["events"]?.items.map { $0["event_id"]?.stringValue } == [f.deployID, f.crashID]) // oldest first, as everywhere
        let sev = try await call("timeline", ["severity": "error"])
        #expect(sev.json?["events"]?.items.count == 1)
        let e = try await call("event", ["id": .string(f.deployID)])
        #expect(e.json?["caused"]?.items.first?["event_id"]?.stringValue == f.crashID)
        let c = try await call("event", ["id": .string(f.crashID)])
        #expect(c.json?["caused_by"]?["event_id"]?.stringValue == f.deployID)
        let h = try await call("component_history", ["component": "github-mcp-server", "limit": 1])
        #expect(h.json?["events"]?.items.count == 1)
        #expect(h.json?["decisions"]?.items.first?["decision"]?.stringValue == "Use init container")
        let r = try await call("correlate", ["symptom": "github-mcp-server crashloop"])
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.json?["probable_cause"]?["event_id"]?.stringValue == f.deployID, "\(r.json?.json ?? "")")
    }

    @Test func infrastructure() async throws {
        let current = try await call("infra_current")
        #expect(current.json?["health"]?["critical"] == .number(1))
        let health = try await call("infra_health")
        #expect(health.json?["unhealthy"]?.items.first?["name"]?.stringValue == "github-mcp-server")
        let component = try await call("infra_component", ["name": "github-mcp-server"])
        #expect(component.json?["status"]?.stringValue == "critical" && component.json?["related"]?.items.isEmpty == true)
        let diff = try await call("infra_diff", ["since": "2026-02-01"])
        #expect(diff.json?["from_collected_at"]?.stringValue == "2026-01-05T10:00:00Z")
        #expect(diff.json?["changed"]?.items.contains { $0["field"]?.stringValue == "status" } == true, "\(diff.json?.json ?? "")")
        let missing = try await call("infra_component", ["name": "nope"])
        #expect(missing.error?.contains("no component") == true)
    }

    @Test func invalidArgumentsAreErrorResultsNotCrashes() async throws {
        let cases: [(String, [String: Value], String)] = [
            ("search", [:], "query is required"),
            ("search", ["query": 5], "query must be a string"),
            ("search", ["query": "x", "limit": 0], "limit must be a whole number"),
            ("search", ["query": "x", "kind": "nope"], "kind must be"),
            ("search", ["query": "x", "bogus": true], "unknown argument \"bogus\""),
            ("timeline", ["since": "yesterday-ish"], "is not a time"),
            ("timeline", ["severity": "loud"], "severity must be"),
            ("event", ["id": "../../etc/passwd"], "not valid"),
            ("event", ["id": "ev-20990101-000000-0000000000"], "no event"),
            ("session_current", ["session": "sess-nope"], "no session"),
            ("session_current", ["cwd": "relative/path"], "absolute path"),
            ("decision_record", ["decision": "  "], "decision is required"),
            ("decision_record", ["decision": "x", "components": ["a/b"]], "component name"),
            ("timeline", ["component": ["../x"]], "component name"),
            ("search", ["query": "x", "component": "../x"], "component name"),
            ("decisions_search", ["component": "../x"], "component name"),
            ("handoff_write", ["summary": "x", "end": "maybe"], "true or false"),
            ("correlate", ["symptom": "x", "window": "forever"], "not a duration"),
            ("no_such_tool", [:], "unknown tool"),
        ]
        for (tool, args, message) in cases {
            let r = try await call(tool, args)
            #expect(r.error?.contains(message) == true, "\(tool) \(args): \(r.error ?? "no error")")
        }
        // Still serving.
        #expect(try await call("session_current").json?["session_id"]?.stringValue == f.sessionID)
    }

    @Test func concurrentWritesAllLand() async throws {
        let client = self.client
        try await withThrowingTaskGroup(of: String?.self) { group in
            for i in 0..<20 {
                group.addTask { try await MCPToolTests.call(client, "session_update", ["todo": .array([.string("todo \(i)")])]).error }
            }
            for try await error in group { #expect(error == nil) }
        }
        let todos = try await call("session_current").json?["todo_list"]?.items.filter { $0["status"]?.stringValue != "done" } ?? []
        #expect(todos.count == 21)
        #expect(try ProcessRunner.git(["status", "--porcelain"], cwd: f.repo).trimmed == "")
    }
}
