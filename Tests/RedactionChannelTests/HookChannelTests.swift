import Foundation
import MemoryModel
import Testing
import TestSupport

/// Every corpus secret written through the Claude Code hooks (`cmem hook EVENT`, the real payloads of
/// Tests/ClaudeHooksTests/Fixtures on stdin): prompts (`user-prompt`), Bash commands, Write calls (file
/// path and content) and TodoWrite todos (`post-tool-use`), and the assistant's last reply in the
/// transcript (`stop`, `pre-compact`, `session-end`, which also write the handoff file).
@Suite struct HookChannelTests {
    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ClaudeHooksTests/Fixtures")

    /// A fixture payload with `session_id`, `cwd` and `transcript_path` set, fields replaced or added, and
    /// `remove` taken out.
    static func payload(_ name: String, session: String, cwd: String, transcript: String,
                        _ overrides: [(String, JSONValue)] = [], remove: [String] = []) throws -> String {
        let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
        guard case var .object(pairs) = try JSONValue.parse(text) else { throw ChannelFailure("\(name) is not an object") }
        pairs.removeAll { remove.contains($0.0) }
        for (key, value) in [("session_id", JSONValue.string(session)), ("cwd", .string(cwd)), ("transcript_path", .string(transcript))] + overrides {
            if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        }
        return JSONValue.object(pairs).json
    }

    /// The factorial transcript with one more assistant message saying `text`, as the last line.
    static func transcript(endingWith text: String) throws -> String {
        let base = try String(contentsOf: fixtures.appendingPathComponent("transcript_factorial.jsonl"), encoding: .utf8)
        let line = JSONValue.object([
            ("parentUuid", .string("u9")), ("isSidechain", .bool(false)), ("type", .string("assistant")),
            ("message", .object([
                ("id", .string("msg_99")), ("type", .string("message")), ("role", .string("assistant")),
                ("content", .array([.object([("type", .string("text")), ("text", .string(text))])])),
            ])),
            ("uuid", .string("a99")), ("timestamp", .string("2026-11-25T09:10:00.000Z")),
        ]).json
        return (base.hasSuffix("\n") ? base : base + "\n") + line + "\n"
    }

    @Test func everySecretWrittenThroughTheHooksIsGone() throws {
        let repo = try ChannelRepo("hooks")
        let transcript = repo.dir.file("transcript.jsonl")
        try FileManager.default.copyItem(atPath: HookChannelTests.fixtures.appendingPathComponent("transcript_factorial.jsonl").path, toPath: transcript)
        @Sendable func hook(_ event: String, _ payload: String) throws {
            let r = try repo.cmem(["hook", event], stdin: payload)
            guard r.status == 0 else { throw ChannelFailure("hook \(event) exited \(r.status): \(r.stderr)") }
        }
        func payload(_ name: String, session: String = "main-session", _ overrides: [(String, JSONValue)] = [],
                     remove: [String] = []) throws -> String {
            try HookChannelTests.payload(name, session: session, cwd: repo.project, transcript: transcript, overrides, remove: remove)
        }

        // Prompts: the first prompt of a Claude session sets its task, so each case opens a Claude session.
        // Three at a time, as Claude sessions running side by side in one project do.
        let prompts = try Channel.cases.enumerated().map { i, c in
            try payload("claude_hook_user_prompt_submit_DERIVED.json", session: "prompt-\(i)", [("prompt", .string(c.text))])
        }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            for p in stride(from: worker, to: prompts.count, by: 3) {
                do { try hook("user-prompt", prompts[p]) } catch { failures.add("\(error)") }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")

        // One working Claude session: tool calls, replies, compaction, the end.
        try hook("session-start", try payload("claude_hook_session_start.json"))
        let commands = Channel.groups(maxLength: 300)
        for (i, command) in commands.enumerated() {
            let input = JSONValue.object([("command", .string(command)), ("description", .string("Run step \(i)"))])
            if i % 4 == 3 {
                try hook("post-tool-use", try payload("claude_hook_post_tool_use_failure_bash.json", [("tool_input", input)]))
            } else {
                try hook("post-tool-use", try payload("claude_hook_post_tool_use_bash_DERIVED.json", [("tool_input", input)]))
            }
        }
        let writes = Channel.groups(maxLength: 250)
        for text in writes {
            let input = JSONValue.object([("file_path", .string(repo.project + "/notes/" + text)), ("content", .string(text))])
            try hook("post-tool-use", try payload("claude_hook_post_tool_use_write.json", [("tool_input", input)]))
        }
        let todoGroups = stride(from: 0, to: Channel.cases.count, by: 10).map { Array(Channel.cases[$0..<min($0 + 10, Channel.cases.count)]) }
        for group in todoGroups {
            let todos = JSONValue.array(group.enumerated().map { j, c in
                .object([("content", .string(c.text)), ("status", .string(j == 0 ? "completed" : "pending")), ("activeForm", .string(c.text))])
            })
            try hook("post-tool-use", try payload("claude_hook_post_tool_use_write.json",
                                                  [("tool_name", .string("TodoWrite")), ("tool_input", .object([("todos", todos)]))]))
        }
        let replies = Channel.groups(maxLength: 500)
        for reply in replies {
            try HookChannelTests.transcript(endingWith: reply).write(toFile: transcript, atomically: true, encoding: .utf8)
            try hook("stop", try payload("claude_hook_stop.json", remove: ["last_assistant_message"]))
        }
        try HookChannelTests.transcript(endingWith: replies[0]).write(toFile: transcript, atomically: true, encoding: .utf8)
        try hook("pre-compact", try payload("claude_hook_pre_compact.json"))
        try hook("session-start", try payload("claude_hook_session_start.json", [("source", .string("compact"))]))
        try HookChannelTests.transcript(endingWith: replies[1]).write(toFile: transcript, atomically: true, encoding: .utf8)
        try hook("session-end", try payload("claude_hook_session_end.json"))

        // The hooks exit 0 whatever happens; their failures are in the log.
        let log = (try? String(contentsOfFile: repo.path + "/.git/cmem/hooks.log", encoding: .utf8)) ?? ""
        #expect(log.isEmpty, "the hooks failed:\n\(log.suffix(3000))")

        // A prompt whose first line is a path with no space reads as a slash command: it sets no task and
        // starts no session. Every other prompt starts a session with its first line, redacted, as the task.
        let slash = Channel.cases.filter { c in
            let first = c.text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty } ?? ""
            return first.hasPrefix("/") && !first.contains(" ")
        }.count
        #expect(slash == 1)
        let sessions = try repo.notes(under: "sessions")
        #expect(sessions.count == Channel.cases.count - slash + 1, "a session per prompt, one for the working session")
        let tasks = sessions.values.filter { $0.contains("\ncurrent_task: ") && !$0.contains("\ncurrent_task: \"\"\n") }
        #expect(tasks.count == Channel.cases.count - slash, "\(tasks.count) prompts set a task")
        let handoffs = try repo.notes(under: "handoff")
        #expect(handoffs.count == 1)
        #expect(handoffs.values.allSatisfy { $0.contains(Channel.marker) })
        // Commands, files, todos and the reply, all kept in history: at least one marker per case in each.
        let history = try repo.git("log", "-p", "--all", "--", "sessions").stdout
        #expect(occurrences(of: Channel.marker, in: history) >= Channel.cases.count * 4)

        let leaks = try repo.leaks()
        #expect(leaks.isEmpty, "secrets survive the hooks:\n\(leaks.joined(separator: "\n"))")
        #expect(try repo.uncommitted().isEmpty)
    }
}
