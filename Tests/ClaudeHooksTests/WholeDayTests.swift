import Foundation
import MemoryModel
import Testing
import TestSupport

/// A whole day with Claude Code: start, prompts, tool uses, a decision, compaction, end; then a new
/// conversation whose SessionStart output is the handoff.
@Suite struct WholeDayTests {
    @Test func aWholeDayEndsInAHandoffTheNextSessionReceives() throws {
        let f = try HookFixture(claudeSession: "9f3c2a10-morning")
        func file(_ p: String) -> JSONValue { .string(f.project + "/" + p) }
        func tool(_ name: String, _ input: JSONValue) throws -> String {
            try f.payload("claude_hook_post_tool_use_write.json", [("tool_name", .string(name)), ("tool_input", input)])
        }

        // The component map, and an incident on a component the project touches.
        try f.dir.write("memory/.cmem/components.yaml", """
        components:
          github-mcp-server:
            depends_on: [redis-cache]
            paths: ["k8s/**"]
          redis-cache: {}
        """)
        #expect(try f.git("commit", "-qam", "components").status == 0)
        #expect(try f.cmem(["event", "record", "--type", "incident", "--source", "alertmanager", "--component", "redis-cache",
                            "--severity", "error", "--description", "redis-cache evicting keys under memory pressure"]).status == 0)
        #expect(try f.cmem(["event", "record", "--type", "deployment", "--source", "argocd", "--component", "unrelated-service",
                            "--description", "Synced unrelated-service to 9d8e7f"]).status == 0)

        // Morning: start, first prompt, work.
        let start = try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        #expect(start.status == 0 && start.stdout.isEmpty)
        try f.hook("user-prompt", try f.payload("claude_hook_user_prompt_submit_DERIVED.json",
                                                [("prompt", .string("Fix the MCP servers: github-mcp-server crashloops after deploy\nlogs attached"))]))
        try f.hook("user-prompt", try f.payload("claude_hook_user_prompt_submit_DERIVED.json", [("prompt", .string("also check redis"))]))
        try f.hook("post-tool-use", try tool("Read", .object([("file_path", file("k8s/deployment.yaml"))])))
        let logs = try f.payload("claude_hook_post_tool_use_bash_DERIVED.json",
                                 [("tool_input", .object([("command", .string("kubectl -n cortex-mcp logs deploy/github-mcp-server --tail=50"))]))])
        try f.hook("post-tool-use", logs)
        try f.hook("post-tool-use", try tool("Edit", .object([("file_path", file("k8s/deployment.yaml")), ("old_string", .string("a")), ("new_string", .string("b"))])))
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_failure_bash.json",
                                                  [("tool_input", .object([("command", .string("kubectl apply -f k8s/deployment.yaml --dry-run=server"))])),
                                                   ("error", .string("Command exited with non-zero status code 2"))]))
        try f.hook("post-tool-use", try tool("TodoWrite", .object([("todos", .array([
            .object([("content", .string("add readiness probe")), ("status", .string("pending")), ("activeForm", .string("Adding readiness probe"))]),
            .object([("content", .string("move pip install to an init container")), ("status", .string("completed")), ("activeForm", .string("Moving"))]),
        ]))])))
        let id = try f.current()["session_id"]!.stringValue!
        #expect(try f.cmem(["session", "decide", "--session", id, "Use init container", "--rationale", "pip install races the main container",
                            "--alternative", "bake deps into image", "--component", "github-mcp-server"]).status == 0)
        #expect(try f.cmem(["session", "update", "--session", id, "--blocker", "registry down", "--next", "deploy to prod"]).status == 0)

        // Compaction in the middle of the day.
        #expect(try f.hook("pre-compact", try f.payload("claude_hook_pre_compact.json")).stdout.isEmpty)
        let compacted = try f.hook("session-start", try f.payload("claude_hook_session_start.json", [("source", .string("compact"))]))
        #expect(compacted.stdout.contains("Fix the MCP servers"))
        #expect(compacted.stdout.contains("Use init container"))
        #expect(compacted.stdout.contains("add readiness probe"))

        // Afternoon: more work, then the session ends.
        try f.hook("post-tool-use", try tool("Write", .object([("file_path", file("k8s/init-container.yaml")), ("content", .string("kind: Pod"))])))
        // Stop as Claude Code sends it once the reply is in the transcript (the fixture's own text is not in ours).
        try f.hook("stop", try f.payload("claude_hook_stop.json", [("last_assistant_message", .null)]))
        #expect(try f.hook("session-end", try f.payload("claude_hook_session_end.json")).stdout.isEmpty)

        let morning = try f.current()
        #expect(morning["session_id"]?.stringValue == id)
        #expect(morning["status"]?.stringValue == "ended")
        #expect(morning["current_task"]?.stringValue == "Fix the MCP servers: github-mcp-server crashloops after deploy")
        #expect(morning["active_files"]?.items == [.string("k8s/deployment.yaml"), .string("k8s/init-container.yaml")])
        let commands = (morning["actions"]?.items ?? []).filter { $0["kind"]?.stringValue == "command" }
        #expect(commands.map { $0["exit_code"] } == [.number(0), .number(2)])
        #expect(morning["summary"]?.stringValue?.contains("Next I would handle negative input") == true)

        let handoffFile = try String(contentsOfFile: f.repo + "/handoff/demo.md", encoding: .utf8)
        for text in ["Fix the MCP servers", "Use init container", "pip install races the main container", "add readiness probe",
                     "registry down", "deploy to prod", "redis-cache evicting keys"] {
            #expect(handoffFile.contains(text), "\(text) missing from the handoff file:\n\(handoffFile)")
        }
        #expect(!handoffFile.contains("move pip install to an init container"), "done todos are not open todos")
        #expect(!handoffFile.contains("unrelated-service"), "events on components the project does not touch stay out")

        // The next morning: a new conversation receives the handoff.
        let g = HookFixtureView(f, claudeSession: "4be1d7e2-next-day")
        let next = try f.hook("session-start", try g.payload("claude_hook_session_start.json"))
        #expect(next.status == 0)
        let out = next.stdout
        for text in ["# Handoff: demo", "Fix the MCP servers", "Next I would handle negative input", "Use init container",
                     "pip install races the main container", "add readiness probe", "registry down", "deploy to prod",
                     "redis-cache evicting keys", "k8s/deployment.yaml"] {
            #expect(out.contains(text), "\(text) missing from the SessionStart output:\n\(out)")
        }
        // Most useful first: the open work, then the decisions, the next steps and the progress.
        let order = ["Fix the MCP servers", "add readiness probe", "registry down", "Use init container", "deploy to prod", "Next I would handle negative input"]
        let positions = order.map { out.range(of: $0)?.lowerBound.utf16Offset(in: out) ?? -1 }
        #expect(positions == positions.sorted(), "\(positions)")
        #expect(out.count <= 1500 * 4, "within the default budget of about 1,500 tokens")
        let fresh = try f.current()
        #expect(fresh["claude_session_id"]?.stringValue == "4be1d7e2-next-day")
        #expect(fresh["session_id"]?.stringValue != id)

        // A smaller budget keeps the most useful parts.
        let small = try f.hook("session-start", try HookFixtureView(f, claudeSession: "c0ffee-small").payload("claude_hook_session_start.json"), extra: ["--budget", "150"])
        #expect(small.stdout.count <= 150 * 4)
        #expect(small.stdout.contains("Fix the MCP servers"))

        #expect(f.hookLog.isEmpty, "\(f.hookLog)")
        #expect(try f.git("status", "--porcelain").trimmed == "")
        let fsck = try f.git("fsck", "--strict")
        #expect(fsck.status == 0, "\(fsck.stderr)")
    }
}

/// The same fixture seen from another Claude session.
struct HookFixtureView {
    let fixture: HookFixture
    let claudeSession: String
    init(_ f: HookFixture, claudeSession: String) {
        fixture = f
        self.claudeSession = claudeSession
    }

    func payload(_ name: String) throws -> String {
        try fixture.payload(name, [("session_id", .string(claudeSession))])
    }
}
