import MemoryModel

/// A project's handoff note as written ("where we left off"): GET /memory/handoff/{project}.
public struct Handoff: Sendable {
    public var project: String
    /// Repository-relative: `handoff/<project>.md`.
    public var path: String
    public var text: String

    public var json: JSONValue {
        .object([("project", .string(project)), ("path", .string(path)), ("text", .string(text))])
    }

    /// The answer when `project` has none yet.
    public static func none(project: String) -> CoreError {
        .absent("no handoff for project \(JSONValue.quoted(project)) yet: one is written when a session of it ends")
    }
}
