import Foundation
import MemoryCore
import MemoryModel
import MemoryStore
import Testing
import TestSupport

/// Two Claude Code sessions on one project, through the real `cmem hook …` binary, with a real code
/// repository in which someone else commits between them and a deploy recorded in between: the second
/// SessionStart hands over the first session's open work and what changed, within the budget, and
/// `session_current` gives the same carried-over state over MCP, REST and the CLI.
@Suite struct ContinuityEndToEndTests {
    /// A HookFixture whose project is a real git repository with one commit, and whose memory knows the
    /// `api` component by its paths.
    static func fixture() throws -> HookFixture {
        let f = try HookFixture(claudeSession: "claude-one")
        try FileManager.default.removeItem(atPath: f.project + "/.git")
        try git(f, ["init", "-q", "-b", "main"])
        try FileManager.default.createDirectory(atPath: f.project + "/src/api", withIntermediateDirectories: true)
        try "kubectl rollout status deploy/api\n".write(toFile: f.project + "/src/api/deploy.sh", atomically: true, encoding: .utf8)
        try git(f, ["add", "-A"])
        try git(f, ["commit", "-q", "-m", "api: deploy script"], author: "Dev One")
        try FileManager.default.createDirectory(atPath: f.repo + "/.cmem", withIntermediateDirectories: true)
        try "components:\n  api:\n    paths: [\"src/api/**\"]\n".write(toFile: f.repo + "/.cmem/components.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: HookFixture.fixtures.appendingPathComponent("transcript_flaky_deploy.jsonl").path,
                                         toPath: f.dir.file("flaky.jsonl"))
        return f
    }

    @discardableResult
    static func git(_ f: HookFixture, _ args: [String], author: String = "Dev One") throws -> ProcessResult {
        let email = author.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.com"
        let r = try ProcessRunner.git(args, cwd: f.project, environment: [
            "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": email,
        ])
        precondition(r.status == 0, "git \(args): \(r.stderr)")
        return r
    }

    /// The first conversation: a prompt, an edit, Claude's todo list, a command, Stop reading the
    /// transcript, and SessionEnd with no readable transcript.
    static func firstSession(_ f: HookFixture, claude: String = "claude-one") throws -> String {
        let sid: JSONValue = .string(claude)
        let transcript: JSONValue = .string(f.dir.file("flaky.jsonl"))
        #expect(try f.hook("session-start", try f.payload("claude_hook_session_start.json", [("session_id", sid)])).status == 0)
        let prompt = "Fix the flaky deploy of the api service. It fails on every second run with a timeout; look at src/api/deploy.sh and the logs."
        try f.hook("user-prompt", try f.payload("claude_hook_user_prompt_submit_DERIVED.json", [("session_id", sid), ("prompt", .string(prompt))]))
        let edit: JSONValue = .object([("file_path", .string(f.project + "/src/api/deploy.sh")), ("content", .string("retry 3 kubectl rollout status deploy/api\n"))])
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_write.json", [("session_id", sid), ("tool_input", edit)]))
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_todowrite_DERIVED.json", [("session_id", sid)]))
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_bash_DERIVED.json", [("session_id", sid)]))
        try f.hook("stop", try f.payload("claude_hook_stop.json", [("session_id", sid), ("transcript_path", transcript), ("last_assistant_message", .null)]))
        try f.hook("session-end", try f.payload("claude_hook_session_end.json", [("session_id", sid), ("transcript_path", .string(f.dir.file("gone.jsonl")))]))
        #expect(f.hookLog.isEmpty, "\(f.hookLog)")
        let r = try f.cmem(["session", "current", "--json", "--cwd", f.project])
        return try JSONValue.parse(r.stdout)["session_id"]?.stringValue ?? ""
    }

    @Test func theSecondSessionStartsWithTheOpenWorkAndWhatChanged() throws {
        let f = try ContinuityEndToEndTests.fixture()
        let first = try ContinuityEndToEndTests.firstSession(f)
        let ended = try JSONValue.parse(try f.cmem(["session", "show", first, "--json"]).stdout)
        #expect(ended["status"]?.stringValue == "ended")
        #expect(ended["current_task"]?.stringValue == "Fix the flaky deploy of the api service")
        #expect(ended["actions"]?.items.first?["kind"]?.stringValue == "prompt")
        #expect(ended["actions"]?.items.first?["detail"]?.stringValue?.contains("every second run") == true)
        #expect(ended["blockers"]?.items == [.string("Waiting for staging credentials from the ops team")])
        #expect(ended["next_steps"]?.items.count == 2)
        // SessionEnd found no transcript: the reply Stop saw stays in the summary.
        #expect(ended["summary"]?.stringValue?.contains("Last reply: The retry is in place") == true, "\(ended["summary"] ?? .null)")
        #expect(ended["code_head_end"]?.stringValue?.count == 40)
        #expect(FileManager.default.fileExists(atPath: f.repo + "/handoff/demo.md"))

        // Between the sessions: someone else commits, and a deploy is recorded.
        try FileManager.default.createDirectory(atPath: f.project + "/src/api", withIntermediateDirectories: true)
        try "export const health = () => 'ok'\n".write(toFile: f.project + "/src/api/health.js", atomically: true, encoding: .utf8)
        try ContinuityEndToEndTests.git(f, ["add", "-A"], author: "Alice Other")
        try ContinuityEndToEndTests.git(f, ["commit", "-q", "-m", "api: add a health endpoint"], author: "Alice Other")
        let deploy = try f.cmem(["event", "record", "--type", "deployment", "--source", "argocd", "--component", "api",
                                 "--description", "Synced api to the health endpoint build"])
        #expect(deploy.status == 0, "\(deploy.stderr)")

        let second = try f.hook("session-start", try f.payload("claude_hook_session_start.json", [("session_id", .string("claude-two"))]))
        #expect(second.status == 0)
        let text = second.stdout
        #expect(text.contains("Add a retry to the api deploy script"), "\(text)")
        #expect(text.contains("Write a test for the deploy retry"))
        #expect(!text.contains("Read the failing pipeline logs"), "a completed todo is not carried")
        #expect(text.contains("Waiting for staging credentials from the ops team"))
        #expect(text.contains("Run the deploy twice on staging"))
        #expect(text.contains("Last session: Fix the flaky deploy of the api service ([[\(first)]]"))
        #expect(text.contains("- [ ] Write a test for the deploy retry (carried over)"))
        #expect(text.contains("api: add a health endpoint") && text.contains("Alice Other") && text.contains("src/api/health.js"))
        #expect(text.contains("Synced api to the health endpoint build"))
        #expect(!text.contains("Import it into CLAUDE.md") && !text.contains("regenerated by"))
        let tokens = HandoffBuilder.estimatedTokens(text)
        #expect(tokens <= 1500)
        print("handoff for the test conversation: \(tokens) tokens (\(text.count) characters)")
        // Most useful first: open work before what changed, before the decisions and the summary.
        let inProgress = text.range(of: "## In progress")!.lowerBound, changed = text.range(of: "## Changed since")!.lowerBound
        #expect(inProgress < changed)
        #expect(f.hookLog.isEmpty, "\(f.hookLog)")

        // The same carried-over state over the CLI, MCP and REST.
        let cli = try f.current()
        #expect(cli["previous_session"]?.stringValue == first)
        #expect(cli["carried_over"]?.items.count == 5, "two todos, one blocker, two next steps: \(cli["carried_over"] ?? .null)")
        #expect(cli["todo_list"]?.items.map { $0["status"]?.stringValue ?? "" } == ["in_progress", "pending"])
        #expect(cli["since_previous"]?["commits"]?.items.first?["subject"]?.stringValue == "api: add a health endpoint")
        #expect(cli["since_previous"]?["commits"]?.items.first?["components"]?.items == [.string("api")])
        #expect(cli["since_previous"]?["events"]?.items.first?["description"]?.stringValue == "Synced api to the health endpoint build")
        // The text a person reads says it too: the in-progress todo marked, the commit and the deploy since.
        let plain = try f.cmem(["session", "current", "--cwd", f.project]).stdout
        #expect(plain.contains("  - [~] ") && plain.contains("Since \(first)"), "\(plain)")
        #expect(plain.contains("api: add a health endpoint") && plain.contains("Synced api to the health endpoint build"), "\(plain)")
        let mcp = try MCPConnection(repo: f.repo, cwd: f.project)
        try mcp.initialize()
        let (mcpText, isError) = try mcp.call("session_current", .object([("cwd", .string(f.project))]))
        _ = mcp.process.finish()
        #expect(!isError, "\(mcpText)")
        #expect(try JSONValue.parse(mcpText) == cli)
        let server = try ServerProcess(repo: f.repo, arguments: ["--host", "127.0.0.1"])
        let query = f.project.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let rest = try ProcessRunner.run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(server.port)/memory/sessions/current?working_directory=\(query)"])
        _ = server.stop()
        #expect(try JSONValue.parse(rest.stdout) == cli, "\(rest.stdout) \(rest.stderr)")

        // Closing a carried todo closes it once: the next session does not bring it back.
        let done = try f.cmem(["session", "update", "--cwd", f.project, "--done", "Write a test for the deploy retry"])
        #expect(done.status == 0, "\(done.stderr)")
        try f.hook("session-end", try f.payload("claude_hook_session_end.json", [("session_id", .string("claude-two")), ("transcript_path", .string(f.dir.file("gone.jsonl")))]))
        let third = try f.hook("session-start", try f.payload("claude_hook_session_start.json", [("session_id", .string("claude-three"))]))
        #expect(!third.stdout.contains("Write a test for the deploy retry"), "\(third.stdout)")
        #expect(third.stdout.contains("carried over from [[\(first)]]"), "an item carried twice names where it was written")
        let now = try f.current()
        #expect(now["todo_list"]?.items.map { $0["text"]?.stringValue ?? "" } == ["Add a retry to the api deploy script"])
    }

    @Test func endingASessionThroughTheCLIWritesTheHandoffFile() throws {
        let f = try HookFixture()
        #expect(try f.cmem(["session", "start", "--task", "Rotate the registry credentials"]).status == 0)
        #expect(try f.cmem(["session", "update", "--todo", "update the pull secret", "--blocker", "vault is sealed"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: f.repo + "/handoff/demo.md"))
        let end = try f.cmem(["session", "end", "--summary", "Half done"])
        #expect(end.status == 0, "\(end.stderr)")
        let text = try String(contentsOfFile: f.repo + "/handoff/demo.md", encoding: .utf8)
        #expect(text.contains("update the pull secret") && text.contains("vault is sealed") && text.contains("Half done"), "\(text)")
        #expect(try f.git("status", "--porcelain").trimmed.isEmpty, "written in the commit that ends the session")
        // The next session started through the CLI carries the open work over.
        let next = try f.cmem(["session", "start", "--task", "Finish the rotation", "--json"])
        let s = try JSONValue.parse(next.stdout)
        #expect(s["todo_list"]?.items.first?["text"]?.stringValue == "update the pull secret")
        #expect(s["carried_over"]?.items.count == 2)
    }

    /// The project's last session note, broken by a hand edit: starting the next session through the CLI
    /// refuses, naming the file and line, rather than carrying over from an older session and dropping the
    /// open work; the SessionStart hook (which must not stop the agent) starts one and says so in its context.
    @Test func aBrokenLastSessionIsNamedNotSilentlySkipped() throws {
        let f = try HookFixture()
        #expect(try f.cmem(["session", "start", "--task", "Older work"]).status == 0)
        #expect(try f.cmem(["session", "end", "--summary", "old"]).status == 0)
        let id = try f.cmem(["session", "start", "--task", "Rotate the registry credentials"]).trimmed
        #expect(try f.cmem(["session", "update", "--todo", "update the pull secret"]).status == 0)
        let path = try #require(try MemoryStore(path: f.repo).sessionPath(id: id))
        var text = try String(contentsOfFile: f.repo + "/" + path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\nstatus: ", with: "\npriority: [3, 4\nstatus: ")
        try text.write(toFile: f.repo + "/" + path, atomically: true, encoding: .utf8)
        let files = try FileManager.default.subpathsOfDirectory(atPath: f.repo + "/sessions").count

        let start = try f.cmem(["session", "start", "--task", "third"])
        #expect(start.status != 0 && start.stderr.contains(path + ":"), "\(start.status) \(start.stdout) \(start.stderr)")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: f.repo + "/sessions").count == files, "nothing was written")

        let hook = try f.hook("session-start", try f.payload("claude_hook_session_start.json", [("session_id", .string("claude-two"))]))
        #expect(hook.status == 0)
        #expect(hook.stdout.contains("cannot be read") && hook.stdout.contains(path), "\(hook.stdout)")
    }

    @Test func statusShowsHookErrorsAndUnreadableNotes() throws {
        let f = try HookFixture()
        #expect(try f.hook("post-tool-use", "this is not JSON").status == 0)
        try FileManager.default.createDirectory(atPath: f.repo + "/sessions/2026/12", withIntermediateDirectories: true)
        try "---\nsession_id: [unclosed\n---\n".write(toFile: f.repo + "/sessions/2026/12/broken.md", atomically: true, encoding: .utf8)
        let r = try f.cmem(["status"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("hook errors in the last 24h: 1"), "\(r.stdout)")
        #expect(r.stdout.contains("invalid hook payload"))
        #expect(r.stdout.contains("sessions/2026/12/broken.md:"), "\(r.stdout)")
        let json = try JSONValue.parse(try f.cmem(["status", "--json"]).stdout)
        #expect(json["hook_errors_24h"]?.items.count == 1)
        #expect(json["unreadable_notes"]?.items.first?["path"]?.stringValue == "sessions/2026/12/broken.md")
    }
}
