import Foundation
import MemoryModel
import Testing
import TestSupport

/// The real hook payloads fed to the real binary; the repository is checked afterwards.
@Suite struct HookEndToEndTests {
    @Test func sessionStartStartsASessionForTheClaudeSession() throws {
        let f = try HookFixture()
        let r = try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty, "no earlier session, nothing to hand off: \(r.stdout)")
        let s = try f.current()
        #expect(s["claude_session_id"]?.stringValue == "abc123")
        #expect(s["working_directory"]?.stringValue == f.project)
        #expect(s["status"]?.stringValue == "active")
        // Running it again (e.g. a second SessionStart hook) continues the same session.
        #expect(try f.hook("session-start", try f.payload("claude_hook_session_start.json")).status == 0)
        #expect(try f.current()["session_id"] == s["session_id"])
        #expect(f.hookLog.isEmpty)
    }

    @Test func userPromptSetsTheTaskOnlyOnce() throws {
        let f = try HookFixture()
        try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        let r = try f.hook("user-prompt", try f.payload("claude_hook_user_prompt_submit_DERIVED.json"))
        #expect(r.status == 0 && r.stdout.isEmpty)
        #expect(try f.current()["current_task"]?.stringValue == "Write a function to calculate the factorial of a number")
        try f.hook("user-prompt", try f.payload("claude_hook_user_prompt_submit_DERIVED.json", [("prompt", .string("now make it iterative"))]))
        #expect(try f.current()["current_task"]?.stringValue == "Write a function to calculate the factorial of a number")
    }

    @Test func aHookSessionIsTitledByItsTaskNotItsID() throws {
        let f = try HookFixture()
        try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        let id = try #require(try f.current()["session_id"]?.stringValue)
        let found = (FileManager.default.subpaths(atPath: f.repo + "/sessions") ?? []).first { $0.hasSuffix("/\(id).md") }
        let path = "sessions/" + (try #require(found))
        let note = { try String(contentsOfFile: f.repo + "/" + path, encoding: .utf8) }
        // Before any prompt: the project and the start time, not the id.
        #expect(try !note().contains("# Session \(id)"))
        #expect(try note().contains("\n# demo session "))
        try f.hook("user-prompt", try f.payload("claude_hook_user_prompt_submit_DERIVED.json"))
        let text = try note()
        #expect(text.contains("\n# Write a function to calculate the factorial of a number\n"))
        #expect(text.contains("aliases:\n  - Write a function to calculate the factorial of a number\n"))
        // A heading a person wrote is theirs: a later task change leaves it.
        try text.replacingOccurrences(of: "# Write a function to calculate the factorial of a number\n", with: "# Factorial, by hand\n")
            .write(toFile: f.repo + "/" + path, atomically: true, encoding: .utf8)
        #expect(try f.cmem(["session", "update", "--task", "Factorials, iteratively", "--cwd", f.project]).status == 0)
        let after = try note()
        #expect(after.contains("\n# Factorial, by hand\n"))
        #expect(after.contains("aliases:\n  - \"Factorials, iteratively\"\n") || after.contains("aliases:\n  - Factorials, iteratively\n"))
    }

    @Test func aNoteTitledByItsIDBeforeTitlesFollowedTheTaskIsBroughtAlong() throws {
        let f = try HookFixture()
        let id = try #require(f.cmem(["session", "start", "--task", "Fix the flaky deploy", "--cwd", f.project]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").first.map(String.init))
        let found = (FileManager.default.subpaths(atPath: f.repo + "/sessions") ?? []).first { $0.hasSuffix("/\(id).md") }
        let path = f.repo + "/sessions/" + (try #require(found))
        // As an older cmem wrote a hook session whose task came later.
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "\n# Fix the flaky deploy\n", with: "\n# Session \(id)\n")
            .replacingOccurrences(of: "aliases:\n  - Fix the flaky deploy\n", with: "aliases: []\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(text.contains("# Session \(id)") && text.contains("aliases: []"))
        #expect(try f.cmem(["session", "update", "--todo", "retry the job", "--cwd", f.project]).status == 0)
        let after = try String(contentsOfFile: path, encoding: .utf8)
        #expect(after.contains("\n# Fix the flaky deploy\n") && after.contains("aliases:\n  - Fix the flaky deploy\n"))
    }

    @Test func postToolUseWriteRecordsTheFileRelativeToTheProject() throws {
        let f = try HookFixture()
        try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        let input: JSONValue = .object([("file_path", .string(f.project + "/path/to/file.txt")), ("content", .string("file content"))])
        let r = try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_write.json", [("tool_input", input)]))
        #expect(r.status == 0 && r.stdout.isEmpty)
        let s = try f.current()
        #expect(s["active_files"]?.items == [.string("path/to/file.txt")])
        #expect(s["actions"]?.items.last?["kind"]?.stringValue == "write")
        // The fixture as it is (a path outside the project) is kept absolute.
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_write.json"))
        #expect(try f.current()["active_files"]?.items.contains(.string("/path/to/file.txt")) == true)
    }

    @Test func bashCommandsAreRecordedWithTheirExitStatus() throws {
        let f = try HookFixture()
        try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_bash_DERIVED.json"))
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_failure_bash.json"))
        let actions = try f.current()["actions"]?.items ?? []
        #expect(actions.count == 2)
        #expect(actions[0]["detail"]?.stringValue == "npm test")
        #expect(actions[0]["exit_code"] == .number(0))
        #expect(actions[1]["kind"]?.stringValue == "command")
        #expect(actions[1]["exit_code"] == .number(1))
    }

    @Test func hooksInstalledMidSessionStartASession() throws {
        let f = try HookFixture()
        let r = try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_bash_DERIVED.json"))
        #expect(r.status == 0)
        let s = try f.current()
        #expect(s["claude_session_id"]?.stringValue == "abc123")
        #expect(s["actions"]?.items.count == 1)
    }

    @Test func readsAndEditsFillTheFileLists() throws {
        let f = try HookFixture()
        let shapes = try HookFixture.fixture("claude_hook_tool_input_shapes_DERIVED.json")
        func input(_ tool: String) -> JSONValue {
            guard case var .object(p) = shapes[tool]! else { return .null }
            p[p.firstIndex(where: { $0.0 == "file_path" })!].1 = .string(f.project + "/src/factorial.js")
            return .object(p)
        }
        let read = try f.payload("claude_hook_post_tool_use_write.json", [("tool_name", .string("Read")), ("tool_input", input("Read"))])
        try f.hook("post-tool-use", read)
        try f.hook("post-tool-use", read)   // read twice: no second commit
        let commitsAfterReads = try f.git("rev-list", "--count", "HEAD").trimmed
        #expect(try f.current()["files_read"]?.items == [.string("src/factorial.js")])
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_write.json", [("tool_name", .string("Edit")), ("tool_input", input("Edit"))]))
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_write.json", [("tool_name", .string("Edit")), ("tool_input", input("Edit"))]))
        let s = try f.current()
        #expect(s["active_files"]?.items == [.string("src/factorial.js")])
        #expect(s["files_read"]?.items == [], "an edited file is no longer 'only read'")
        #expect(s["actions"]?.items.count == 1, "two edits of one file in a row fold into one action")
        #expect(Int(commitsAfterReads)! == 3, "init, session start, first read")
        // Noisy read-only tools record nothing and do not even open the repository.
        let grep = try f.payload("claude_hook_post_tool_use_write.json", [("tool_name", .string("Grep")), ("tool_input", .object([("pattern", .string("x"))]))])
        let before = try f.git("rev-list", "--count", "HEAD").trimmed
        #expect(try f.hook("post-tool-use", grep).status == 0)
        #expect(try f.git("rev-list", "--count", "HEAD").trimmed == before)
    }

    @Test func todoWriteReplacesTheTodoList() throws {
        let f = try HookFixture()
        let todos: JSONValue = .object([("todos", .array([
            .object([("content", .string("handle negative input")), ("status", .string("pending")), ("activeForm", .string("Handling negative input"))]),
            .object([("content", .string("write the helper")), ("status", .string("completed")), ("activeForm", .string("Writing the helper"))]),
        ]))])
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_write.json", [("tool_name", .string("TodoWrite")), ("tool_input", todos)]))
        let list = try f.current()["todo_list"]?.items ?? []
        #expect(list.map { $0["text"]?.stringValue } == ["handle negative input", "write the helper"])
        #expect(list.map { $0["status"]?.stringValue } == ["pending", "completed"])
    }

    @Test func secretsInCommandsAndPromptsNeverReachTheRepository() throws {
        let f = try HookFixture()
        let token = "ghp_" + "R7sT2vX9kLm4Qw8Zp3Nb6Yc1Hd5Fj0Ga2Ek7"
        let aws = "AKIA" + "QZ7KX2M4RB6TN3WP"
        try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        try f.hook("user-prompt", try f.payload("claude_hook_user_prompt_submit_DERIVED.json",
                                                [("prompt", .string("use GITHUB_TOKEN=\(token) to push the release"))]))
        let bash: JSONValue = .object([("command", .string("curl -H 'Authorization: token \(token)' https://api.github.com/user && AWS_ACCESS_KEY_ID=\(aws) aws s3 ls")),
                                       ("description", .string("check"))])
        let r = try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_bash_DERIVED.json", [("tool_input", bash)]))
        #expect(r.status == 0)
        let s = try f.current()
        let command = s["actions"]?.items.last?["detail"]?.stringValue ?? ""
        #expect(command.contains("[REDACTED:"), "\(command)")
        #expect(command.contains("api.github.com/user"))
        #expect(s["current_task"]?.stringValue?.contains("[REDACTED:") == true)
        try f.hook("session-end", try f.payload("claude_hook_session_end.json"))
        let all = try f.everything()
        #expect(!all.contains(token))
        #expect(!all.contains(aws))
        #expect(!all.contains("R7sT2vX9kLm4Qw8Zp3Nb6Yc1Hd5Fj0Ga2Ek7"))
    }

    @Test func longCommandsAreCapped() throws {
        let f = try HookFixture()
        let long = "echo " + String(repeating: "word ", count: 400)
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_bash_DERIVED.json", [("tool_input", .object([("command", .string(long))]))]))
        let detail = try f.current()["actions"]?.items.last?["detail"]?.stringValue ?? ""
        #expect(detail.count <= 501)
        #expect(detail.hasSuffix("…"))
    }

    @Test func preCompactSavesAndSessionStartCompactReinjects() throws {
        let f = try HookFixture()
        try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        try f.hook("user-prompt", try f.payload("claude_hook_user_prompt_submit_DERIVED.json"))
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_bash_DERIVED.json"))
        let r = try f.hook("pre-compact", try f.payload("claude_hook_pre_compact.json"))
        #expect(r.status == 0 && r.stdout.isEmpty, "PreCompact cannot inject context")
        let s = try f.current()
        #expect(s["status"]?.stringValue == "active")
        #expect(s["summary"]?.stringValue?.contains("negative input") == true, "the last assistant message of the transcript")
        let handoff = try String(contentsOfFile: f.repo + "/handoff/demo.md", encoding: .utf8)
        #expect(handoff.contains("Write a function to calculate the factorial of a number"))
        let again = try f.hook("session-start", try f.payload("claude_hook_session_start.json", [("source", .string("compact"))]))
        #expect(again.status == 0)
        #expect(again.stdout.contains("Write a function to calculate the factorial of a number"))
        #expect(again.stdout.contains("negative input"))
        #expect(try f.current()["session_id"] == s["session_id"], "compaction continues the session")
    }

    @Test func sessionEndWritesSummaryAndHandoffAndEnds() throws {
        let f = try HookFixture()
        try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        try f.hook("user-prompt", try f.payload("claude_hook_user_prompt_submit_DERIVED.json"))
        try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_failure_bash.json"))
        let r = try f.hook("session-end", try f.payload("claude_hook_session_end.json"))
        #expect(r.status == 0 && r.stdout.isEmpty)
        let s = try f.current()
        #expect(s["status"]?.stringValue == "ended")
        let summary = s["summary"]?.stringValue ?? ""
        #expect(summary.contains("Next I would handle negative input"))
        #expect(summary.contains("1 command"))
        let handoff = try String(contentsOfFile: f.repo + "/handoff/demo.md", encoding: .utf8)
        #expect(handoff.hasPrefix("# Handoff: demo"))
        #expect(!handoff.contains("CLAUDE.md"), "no line for humans only in what the agent reads")
        #expect(handoff.contains(summary.components(separatedBy: "\n")[0]))
        #expect(try f.git("status", "--porcelain").trimmed == "")
        #expect(try f.git("log", "-1", "--name-only").stdout.contains("handoff/demo.md"), "handoff and end are one commit")
    }

    @Test func aSummaryWrittenByAPersonIsNotReplaced() throws {
        let f = try HookFixture()
        try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        try f.hook("stop", try f.payload("claude_hook_stop.json"))
        #expect(try f.current()["summary"]?.stringValue?.contains("I've completed the refactoring") == true)
        let id = try f.current()["session_id"]!.stringValue!
        #expect(try f.cmem(["session", "update", "--session", id, "--summary", "Refactor done; release blocked on review"]).status == 0)
        try f.hook("session-end", try f.payload("claude_hook_session_end.json"))
        #expect(try f.current()["summary"]?.stringValue == "Refactor done; release blocked on review")
    }

    /// SessionEnd reads the last reply from the transcript. A transcript that does not yet hold the reply
    /// Stop was handed ends with an older one: the summary keeps Stop's rather than stepping back. Once
    /// the transcript holds it and a newer reply, the newer one is the summary's.
    @Test func sessionEndDoesNotStepBackToAnOlderReply() throws {
        let f = try HookFixture()
        try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        try f.hook("stop", try f.payload("claude_hook_stop.json"))
        let stopSaw = "I've completed the refactoring"
        #expect(try f.current()["summary"]?.stringValue?.contains(stopSaw) == true)
        try f.hook("pre-compact", try f.payload("claude_hook_pre_compact.json"))
        try f.hook("session-end", try f.payload("claude_hook_session_end.json"))
        let summary = try f.current()["summary"]?.stringValue ?? ""
        #expect(summary.contains(stopSaw) && !summary.contains("Next I would handle negative input"), "\(summary)")

        // The transcript catches up and goes on: the newer reply wins.
        func reply(_ text: String) -> String {
            JSONValue.object([("type", .string("assistant")), ("message", .object([("role", .string("assistant")),
                ("content", .array([.object([("type", .string("text")), ("text", .string(text))])]))]))]).json
        }
        let handle = try #require(FileHandle(forWritingAtPath: f.transcript))
        handle.seekToEndOfFile()
        handle.write(Data((reply("I've completed the refactoring. Here's a summary...") + "\n" + reply("Now the tests pass on CI too.") + "\n").utf8))
        handle.closeFile()
        try f.hook("session-start", try f.payload("claude_hook_session_start.json", [("source", .string("resume"))]))
        try f.hook("session-end", try f.payload("claude_hook_session_end.json"))
        let later = try f.current()["summary"]?.stringValue ?? ""
        #expect(later.contains("Now the tests pass on CI too."), "\(later)")
    }

    @Test func resumeReopensAnEndedSession() throws {
        let f = try HookFixture()
        try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        try f.hook("user-prompt", try f.payload("claude_hook_user_prompt_submit_DERIVED.json"))
        try f.hook("session-end", try f.payload("claude_hook_session_end.json"))
        let ended = try f.current()
        #expect(ended["status"]?.stringValue == "ended")
        let r = try f.hook("session-start", try f.payload("claude_hook_session_start.json", [("source", .string("resume"))]))
        #expect(r.stdout.contains("Write a function to calculate the factorial of a number"))
        let resumed = try f.current()
        #expect(resumed["session_id"] == ended["session_id"])
        #expect(resumed["status"]?.stringValue == "active")
    }

    // MARK: Never breaking Claude Code

    @Test(arguments: ["session-start", "user-prompt", "post-tool-use", "pre-compact", "session-end", "stop"])
    func garbageOnStdinExitsZeroSilentlyAndLogsOneLine(event: String) throws {
        let f = try HookFixture()
        let r = try f.hook(event, "{not json")
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        let lines = f.hookLog.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains(event) == true)
        #expect(lines.first?.contains("not JSON") == true)
    }

    @Test func aPayloadWithoutSessionIDIsLoggedNotFatal() throws {
        let f = try HookFixture()
        let r = try f.hook("post-tool-use", #"{"hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#)
        #expect(r.status == 0 && r.stdout.isEmpty)
        #expect(f.hookLog.contains("no session_id"))
    }

    @Test func aMissingRepositoryExitsZeroSilentlyAndLogsInHome() throws {
        let f = try HookFixture(initialize: false)
        let r = try f.hook("session-start", try f.payload("claude_hook_session_start.json"))
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.isEmpty)
        let log = try String(contentsOfFile: f.home + "/.cortex/hooks.log", encoding: .utf8)
        #expect(log.split(separator: "\n").count == 1)
        #expect(log.contains("cmem init"))
    }

    @Test func unknownPayloadFieldsAreIgnored() throws {
        let f = try HookFixture()
        let r = try f.hook("post-tool-use", try f.payload("claude_hook_post_tool_use_bash_DERIVED.json", [
            ("brand_new_field", .object([("nested", .array([.null, .bool(true)]))])), ("permission_mode", .number(3)),
        ]))
        #expect(r.status == 0)
        #expect(try f.current()["actions"]?.items.count == 1)
        #expect(f.hookLog.isEmpty)
    }
}
