import Foundation
import MemoryModel
import Redaction

/// What one tool call changes in the session, decided from the PostToolUse payload alone.
///
/// | tool | recorded as |
/// |---|---|
/// | `Bash` | action `command`: the command line (at most 500 characters) and its exit status |
/// | `Edit`, `MultiEdit`, `Write`, `NotebookEdit` | the file in `active_files`, and an action `edit` / `write` |
/// | `Read` | the file in `files_read` (no action: reads are many and the list says it all) |
/// | `TodoWrite` | the session's `todo_list` (Claude's own todo list replaces it) |
/// | `WebFetch`, `WebSearch` | action `web`: the URL or the query |
/// | `Task` / `Agent` | action `task`: the description |
/// | `mcp__server__tool` | action `mcp`: the tool name |
/// | `Grep`, `Glob`, `LS`, `TodoRead`, `BashOutput`, `KillShell`, `ExitPlanMode`, others | nothing: read-only and noisy |
///
/// Paths inside the project are made relative to its root. Every string passes through the redactor
/// before it is returned, so nothing here can put a secret on disk; a path is redacted before it is
/// standardized, which would otherwise turn `postgres://app:pw@db` into `postgres:/app:pw@db`, a text
/// in which no credential can be recognised any more.
public enum ToolCapture {
    public static let maxCommand = 500
    public static let maxDetail = 300
    /// The PostToolUse matcher installed in Claude Code's settings: only tools that are recorded start
    /// `cmem` at all (Grep and Glob, the most frequent, do not).
    public static let matcher = "Bash|Read|Edit|MultiEdit|Write|NotebookEdit|TodoWrite|WebFetch|WebSearch|Task|Agent|mcp__.*"
    /// Our own MCP server's tools write to the memory themselves; recording the call would be noise.
    public static let ownMCPPrefix = "mcp__cortex-memory__"

    /// Whether a tool call can change anything, decided from its name alone (before the store is opened).
    public static func captures(toolName: String?) -> Bool {
        switch toolName ?? "" {
        case "Bash", "Read", "Edit", "MultiEdit", "Write", "NotebookEdit", "TodoWrite", "WebFetch", "WebSearch", "Task", "Agent":
            return true
        case let name: return name.hasPrefix("mcp__") && !name.hasPrefix(ownMCPPrefix)
        }
    }

    public enum Change: Equatable, Sendable {
        case command(String, exitCode: Int?)
        case read(String)
        case edit(String, kind: String)
        case todos([Session.Todo])
        case action(kind: String, detail: String)
        case none
    }

    public static func change(for payload: HookPayload, projectRoot: String, redactor: Redactor) -> Change {
        let input = payload.toolInput
        let failed = payload.eventName == "PostToolUseFailure"
        switch payload.toolName ?? "" {
        case "Bash":
            guard let command = input["command"]?.stringValue, !command.isEmpty else { return .none }
            return .command(clip(redactor.redact(command), maxCommand), exitCode: exitCode(payload, failed: failed))
        case "Read":
            guard let path = input["file_path"]?.stringValue, !failed else { return .none }
            return .read(clip(relative(redactor.redact(path), to: projectRoot), maxDetail))
        case "Edit", "MultiEdit", "Write", "NotebookEdit":
            guard !failed, let path = input["file_path"]?.stringValue ?? input["notebook_path"]?.stringValue else { return .none }
            let kind = payload.toolName == "Write" ? "write" : "edit"
            return .edit(clip(relative(redactor.redact(path), to: projectRoot), maxDetail), kind: kind)
        case "TodoWrite":
            guard case let .array(items)? = input["todos"] else { return .none }
            let todos = items.compactMap { item -> Session.Todo? in
                guard let text = item["content"]?.stringValue ?? item["text"]?.stringValue, !text.isEmpty else { return nil }
                return Session.Todo(text: clip(redactor.redact(text), maxDetail), status: item["status"]?.stringValue ?? "pending")
            }
            return .todos(todos)
        case "WebFetch", "WebSearch":
            guard let what = input["url"]?.stringValue ?? input["query"]?.stringValue, !what.isEmpty else { return .none }
            return .action(kind: "web", detail: clip(redactor.redact(what), maxDetail))
        case "Task", "Agent":
            let what = input["description"]?.stringValue ?? input["subagent_type"]?.stringValue ?? "subagent"
            return .action(kind: "task", detail: clip(redactor.redact(what), maxDetail))
        case let name where name.hasPrefix("mcp__") && !name.hasPrefix(ownMCPPrefix):
            return .action(kind: "mcp", detail: clip(redactor.redact(name), maxDetail))
        default:
            return .none
        }
    }

    /// The exit status of a Bash call: an explicit code in the response when there is one; 0 for a
    /// PostToolUse (Claude Code reports non-zero exits as PostToolUseFailure); for a failure, the code in
    /// the error text ("… status code 2") or 1. An interrupted command has no status.
    static func exitCode(_ payload: HookPayload, failed: Bool) -> Int? {
        if let response = payload.toolResponse {
            for key in ["exit_code", "exitCode", "returnCode", "return_code", "code"] {
                if case let .number(n)? = response[key], n == n.rounded(), abs(n) < 1e6 { return Int(n) }
            }
            if case .bool(true)? = response["interrupted"] { return nil }
        }
        if case .bool(true)? = payload.raw["is_interrupt"] { return nil }
        guard failed else { return 0 }
        if let error = payload.error, let code = trailingNumber(error) { return code }
        return 1
    }

    static func trailingNumber(_ s: String) -> Int? {
        // "Command exited with non-zero status code 127" → 127
        guard let range = s.range(of: "code ", options: .backwards) else { return nil }
        let digits = s[range.upperBound...].prefix(while: \.isNumber)
        return digits.isEmpty ? nil : Int(digits)
    }

    /// `path` relative to `root` when it lies inside it; otherwise as given.
    public static func relative(_ path: String, to root: String) -> String {
        guard path.hasPrefix("/"), root.hasPrefix("/") else { return path }
        let standard = (path as NSString).standardizingPath
        if root == "/" { return String(standard.dropFirst()) }
        if standard.hasPrefix(root + "/") { return String(standard.dropFirst(root.count + 1)) }
        return standard
    }

    static func clip(_ s: String, _ max: Int) -> String {
        var s = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.count > max { s = String(s.prefix(max)) + "…" }
        return s
    }
}
