import Foundation
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

@Suite struct SessionAPITests {
    @Test func sessionLifecycleThroughTheAPI() async throws {
        let f = try ServerFixture()
        let project = f.project
        try await f.withClient { api in
            // Start: 201 with the seed's field names.
            let started = try await api.post("/memory/sessions", #"{"working_directory": "\#(project)/src", "current_task": "Fix the MCP servers"}"#)
            #expect(started.status == 201)
            let id = try #require(started["session_id"]?.stringValue)
            #expect(started["project"] == .string("project"))
            #expect(started["working_directory"] == .string(project))
            #expect(started["status"] == .string("active"))
            #expect(started["current_task"] == .string("Fix the MCP servers"))

            // Update: the fields sent replace the stored ones.
            let updated = try await api.put("/memory/sessions/\(id)", """
                {"todo_list": ["add readiness probe", {"text": "check registry", "status": "done"}],
                 "blockers": ["registry down"], "next_steps": ["deploy to prod"], "active_files": ["k8s/deployment.yaml"]}
                """)
            #expect(updated.status == 200)
            #expect(updated["todo_list"] == .array([
                .object([("text", .string("add readiness probe")), ("status", .string("pending"))]),
                .object([("text", .string("check registry")), ("status", .string("done"))]),
            ]))
            #expect(updated["blockers"] == .array([.string("registry down")]))

            // Decision and action.
            let decision = try await api.post("/memory/sessions/\(id)/decision", """
                {"decision": "Use init container", "rationale": "pip install races the main container",
                 "alternatives": ["bake deps into image", "sidecar"], "components": ["github-mcp-server"]}
                """)
            #expect(decision.status == 201)
            let decisionID = try #require(decision["decision_id"]?.stringValue)
            #expect(decision["session_id"] == .string(id))
            let action = try await api.post("/memory/sessions/\(id)/action",
                                            #"{"kind": "command", "detail": "kubectl -n cortex-mcp logs deploy/github-mcp-server", "exit_code": 1}"#)
            #expect(action.status == 201)
            #expect(action["actions"]?.json.contains("\"exit_code\": 1") == true)

            // Current, scoped by project: any directory inside the project finds it.
            let current = try await api.get("/memory/sessions/current?working_directory=\(q(project + "/docs"))")
            #expect(current.status == 200)
            #expect(current["session_id"] == .string(id))
            #expect(current["decisions"] == .array([.string(decisionID)]))
            #expect(current["decision_records"]?.json.contains("Use init container") == true)

            // One session by id.
            let one = try await api.get("/memory/sessions/\(id)")
            #expect(one.status == 200)
            #expect(one["session_id"] == .string(id))

            // Summary: store it (ending the session), then read the handoff.
            let stored = try await api.post("/memory/sessions/\(id)/summary",
                                            #"{"summary": "Found the pip race; fix drafted, not deployed", "next_steps": ["deploy the fix"]}"#)
            #expect(stored.status == 200)
            #expect(stored["status"] == .string("ended"))
            #expect(stored["next_steps"] == .array([.string("deploy the fix")]))
            let summary = try await api.get("/memory/sessions/\(id)/summary")
            #expect(summary.status == 200)
            #expect(summary["summary"] == .string("Found the pip race; fix drafted, not deployed"))
            #expect(summary["key_decisions"]?.json.contains("Use init container") == true)
            #expect(summary["open_todos"] == .array([.string("add readiness probe")]))
            #expect(summary["last_action"]?["exit_code"] == .number(1))
            // An ended session is still the current one within the window.
            let after = try await api.get("/memory/sessions/current?working_directory=\(q(project))")
            #expect(after["session_id"] == .string(id))
        }
        // Every write was a commit through the store, like the CLI's.
        let log = try f.git("log", "--format=%s").stdout
        #expect(log.contains("session "))
        #expect(log.contains("decision "))
        #expect(try f.git("status", "--porcelain").trimmed.isEmpty)
    }

    @Test func summaryCanBeStoredWithoutEnding() async throws {
        let f = try ServerFixture()
        let project = f.project
        try await f.withClient { api in
            let id = try #require(try await api.post("/memory/sessions", #"{"working_directory": "\#(project)"}"#)["session_id"]?.stringValue)
            let r = try await api.post("/memory/sessions/\(id)/summary", #"{"summary": "halfway", "end": false}"#)
            #expect(r.status == 200)
            #expect(r["status"] == .string("active"))
            #expect(r["summary"] == .string("halfway"))
        }
    }

    @Test func currentSessionIsNotFoundForAnotherProjectOrOutsideTheWindow() async throws {
        let f = try ServerFixture()
        let project = f.project
        let other = f.dir.file("other")
        try FileManager.default.createDirectory(atPath: other + "/.git", withIntermediateDirectories: true)
        try await f.withClient { api in
            _ = try await api.post("/memory/sessions", #"{"working_directory": "\#(project)"}"#)
            let r = try await api.get("/memory/sessions/current?working_directory=\(q(other))")
            #expect(r.status == 404)
            #expect(r.errorMessage?.contains("no session for project other") == true, "\(r.text)")
            let inWindow = try await api.get("/memory/sessions/current?working_directory=\(q(project))&window=1h")
            #expect(inWindow.status == 200)
        }
    }

    @Test func badSessionRequestsAreClearFourHundreds() async throws {
        let f = try ServerFixture()
        let project = f.project
        try await f.withClient { api in
            let cases: [(String, String, String, Int, String)] = [
                ("POST", "/memory/sessions", "{}", 400, "working_directory is required"),
                ("POST", "/memory/sessions", #"{"working_directory": "relative/dir"}"#, 400, "absolute path"),
                ("POST", "/memory/sessions", #"{"working_directory": 42}"#, 400, "must be a string, not a number"),
                ("POST", "/memory/sessions", #"{"working_directory": "/x", "current_task": ["a"]}"#, 400, "current_task must be a string"),
                ("POST", "/memory/sessions", #"{"working_directory": "/x", "curent_task": "typo"}"#, 400, "unknown field \"curent_task\""),
                ("POST", "/memory/sessions", #"{"working_directory": "/x\u0000y"}"#, 400, "NUL"),
                ("POST", "/memory/sessions", "[1, 2]", 400, "must be a JSON object"),
                ("POST", "/memory/sessions", #"{"working_directory": "/x""#, 400, "not valid JSON"),
                ("POST", "/memory/sessions", "", 400, "body is empty"),
                ("GET", "/memory/sessions/current", "", 400, "working_directory is required"),
                ("GET", "/memory/sessions/current?working_directory=\(q(project))&window=soon", "", 400, "window"),
                ("PUT", "/memory/sessions/sess-20260101-000000-0000000000", #"{"summary": "x"}"#, 404, "no session with id"),
                ("PUT", "/memory/sessions/sess-20260101-000000-0000000000", "{}", 400, "nothing to update"),
                ("PUT", "/memory/sessions/sess-1", #"{"todo_list": [{"status": "done"}]}"#, 400, "text is required"),
                ("PUT", "/memory/sessions/sess-1", #"{"todo_list": "buy milk"}"#, 400, "todo_list must be an array"),
                ("PUT", "/memory/sessions/sess-1", #"{"blockers": [1]}"#, 400, "blockers[0] must be a string"),
                ("GET", "/memory/sessions/..%2F..%2Fetc%2Fpasswd/summary", "", 400, "session id"),
                ("GET", "/memory/sessions/.hidden", "", 400, "session id"),
                ("GET", "/memory/sessions/sess-nope/summary", "", 404, "no session with id sess-nope"),
                ("POST", "/memory/sessions/sess-nope/decision", #"{"decision": "x"}"#, 404, "no session"),
                ("POST", "/memory/sessions/sess-nope/decision", #"{"decision": "   "}"#, 400, "blank"),
                ("POST", "/memory/sessions/sess-nope/decision", #"{"rationale": "why"}"#, 400, "decision is required"),
                ("POST", "/memory/sessions/sess-nope/decision", #"{"decision": "x", "components": ["../etc"]}"#, 400, "component"),
                ("POST", "/memory/sessions/sess-nope/action", #"{"detail": "ls", "exit_code": 1.5}"#, 400, "exit_code must be an integer"),
                ("POST", "/memory/sessions/sess-nope/action", #"{"detail": "ls", "kind": "rm -rf"}"#, 400, "kind"),
                ("POST", "/memory/sessions/sess-nope/action", #"{"detail": "ls"}"#, 404, "no session"),
                ("POST", "/memory/sessions/sess-nope/summary", #"{"next_steps": []}"#, 400, "summary is required"),
                ("POST", "/memory/sessions/sess-nope/summary", #"{"summary": "s", "end": "yes"}"#, 400, "end must be a boolean"),
            ]
            for (method, uri, body, status, message) in cases {
                let r = try await api.request(method == "GET" ? .get : method == "PUT" ? .put : .post, uri,
                                              body: method == "GET" ? nil : Array(body.utf8))
                #expect(r.status == status, "\(method) \(uri) \(body): \(r.status) \(r.text)")
                #expect(r.errorMessage?.contains(message) == true, "\(method) \(uri) \(body): \(r.text)")
            }
        }
        // Nothing half-written: only the init commit exists.
        #expect(try f.commitCount() == 1)
        #expect(try f.git("status", "--porcelain").trimmed.isEmpty)
    }
}
