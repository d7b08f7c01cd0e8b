import MemoryModel
import MemoryStore

/// The current-session question's answer when the project has no session within the window: which
/// project and window were looked at. `cmem session current --json` and MCP `session_current` print its
/// JSON; GET /memory/sessions/current answers 404 with its message.
public struct NoCurrentSession: Sendable {
    public var project: ProjectScope
    /// Seconds.
    public var window: Int64

    public var message: String { "no session for project \(project.name) (\(project.root)) in the last \(DurationText.text(seconds: window))" }

    public var json: JSONValue {
        .object([("session", .null), ("project", .string(project.name)), ("project_root", .string(project.root)),
                 ("window_seconds", .number(Double(window))), ("message", .string(message))])
    }
}

extension Memory {
    /// What `currentSession(cwd:window:)` found nothing for.
    public func noCurrentSession(cwd: String, window: Int64? = nil) -> NoCurrentSession {
        NoCurrentSession(project: project(cwd: cwd), window: window ?? store.config.currentWindow)
    }
}
