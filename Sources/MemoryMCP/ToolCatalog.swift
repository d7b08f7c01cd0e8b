import MCP
import MemoryCore

/// The tools `cmem mcp` offers: the memory's API, with short names and descriptions so that the whole
/// `tools/list` answer stays small (it is sent to the model on every conversation).
public enum ToolCatalog {
    public struct Parameter: Sendable {
        public enum Kind: String, Sendable { case string, integer, boolean, strings, object }
        public let name: String
        public let kind: Kind
        public let help: String
        public let choices: [String]

        init(_ name: String, _ kind: Kind, _ help: String, choices: [String] = []) {
            self.name = name
            self.kind = kind
            self.help = help
            self.choices = choices
        }
    }

    public struct Spec: Sendable {
        public let name: String
        public let description: String
        public let parameters: [Parameter]
        public let required: [String]
        public let readOnly: Bool

        public var parameterNames: [String] { parameters.map(\.name) }

        public var tool: Tool {
            var properties: [String: Value] = [:]
            for p in parameters {
                var schema: [String: Value] = ["description": .string(p.help)]
                switch p.kind {
                case .string: schema["type"] = "string"
                case .integer: schema["type"] = "integer"
                case .boolean: schema["type"] = "boolean"
                case .strings: schema["type"] = "array"; schema["items"] = ["type": "string"]
                case .object: schema["type"] = "object"
                }
                if !p.choices.isEmpty { schema["enum"] = .array(p.choices.map { .string($0) }) }
                properties[p.name] = .object(schema)
            }
            var schema: [String: Value] = ["type": "object", "properties": .object(properties), "additionalProperties": false]
            if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
            return Tool(name: name, description: description, inputSchema: .object(schema),
                        annotations: .init(readOnlyHint: readOnly, destructiveHint: false, openWorldHint: false))
        }
    }

    // Shared parameters.
    static let session = Parameter("session", .string, "Session id (default: the project's current session)")
    static let cwd = Parameter("cwd", .string, "Project directory (default: the server's)")
    /// The core's default and maximum, said in the schema so that a model knows what it gets without asking.
    static func limit(_ answer: AnswerLimit) -> Parameter {
        Parameter("limit", .integer, "At most this many (default \(answer.defaultValue), up to \(answer.maximum))")
    }
    static let since = Parameter("since", .string, "ISO time or age (2h, 7d)")
    static let until = Parameter("until", .string, "ISO time or age")
    static let component = Parameter("component", .string, "Component name")

    public static let all: [Spec] = [
        Spec(name: "session_current", description: "Current session: task, open work (with what was carried over), what changed since the last session, decisions, files.",
             parameters: [session, cwd], required: [], readOnly: true),
        Spec(name: "session_update", description: "Update the current session (starts one if none). Lists are added to.",
             parameters: [session, cwd, Parameter("task", .string, "Set the task"), Parameter("summary", .string, "Set the progress summary"),
                          Parameter("todo", .strings, "Todos to add"), Parameter("done", .strings, "Todos to mark done"),
                          Parameter("blocker", .strings, "Blockers to add"), Parameter("unblock", .strings, "Blockers to remove"),
                          Parameter("next", .strings, "Next steps to add"), Parameter("file", .strings, "Files touched")],
             required: [], readOnly: false),
        Spec(name: "decision_record", description: "Record a decision with its rationale and alternatives, linked to the session.",
             parameters: [Parameter("decision", .string, "The decision, short"), Parameter("rationale", .string, "Why"),
                          Parameter("alternatives", .strings, "Options considered"), Parameter("context", .string, "The problem"),
                          Parameter("consequences", .string, "What follows"), Parameter("components", .strings, "Components concerned"),
                          session, cwd],
             required: ["decision"], readOnly: false),
        Spec(name: "handoff_write", description: "Write where we left off: summary, next steps, blockers (replacing the lists). end=true ends the session.",
             parameters: [Parameter("summary", .string, "Progress summary"), Parameter("next_steps", .strings, "Next steps"),
                          Parameter("blockers", .strings, "Blockers"), Parameter("end", .boolean, "End the session"), session, cwd],
             required: ["summary"], readOnly: false),
        Spec(name: "handoff_read", description: "The handoff note a project's last session wrote: where it left off.",
             parameters: [Parameter("project", .string, "Project name (default: the project of cwd)"), cwd], required: [], readOnly: true),
        Spec(name: "event_record", description: "Record a timeline event (deploy, incident, config change…) on components.",
             parameters: [Parameter("type", .string, "Event type: deployment, incident, config_change, …"),
                          Parameter("description", .string, "What happened"), Parameter("components", .strings, "Affected components"),
                          Parameter("source", .string, "Where it came from (default claude)"),
                          Parameter("severity", .string, "Severity", choices: ["info", "warning", "error", "critical"]),
                          Parameter("details", .object, "Details, a JSON object"), Parameter("caused_by", .string, "Id of the causing event"),
                          Parameter("time", .string, "When (ISO time or age; default now)")],
             required: ["type", "description"], readOnly: false),
        Spec(name: "action_record", description: "Record an action of the session: a command run, a file read or edited.",
             parameters: [Parameter("kind", .string, "command, read, edit, write or note"), Parameter("detail", .string, "The command line or the path"),
                          Parameter("exit_code", .integer, "Exit status of a command"), session, cwd],
             required: ["detail"], readOnly: false),
        Spec(name: "todo_update", description: "Change the session's todos: add, start, mark done (by text).",
             parameters: [Parameter("add", .strings, "Todos to add"), Parameter("start", .strings, "Todos now in progress"),
                          Parameter("done", .strings, "Todos done"), session, cwd],
             required: [], readOnly: false),
        Spec(name: "search", description: "Full-text search over events, decisions and sessions (BM25).",
             parameters: [Parameter("query", .string, "Words to find"), Parameter("kind", .string, "Only this kind", choices: ["event", "decision", "session", "note"]),
                          component, since, until, Parameter("type", .strings, "Event types"), Parameter("source", .strings, "Sources"),
                          Parameter("severity", .string, "Minimum severity", choices: ["info", "warning", "error", "critical"]),
                          Parameter("order", .string, "Order", choices: ["relevance", "newest", "oldest"]), limit(.search)],
             required: ["query"], readOnly: true),
        Spec(name: "session_list", description: "Sessions, newest first (best first with words), of one project or all.",
             parameters: [Parameter("query", .string, "Words to find (empty: latest)"), Parameter("project", .string, "Project name"), limit(.sessions)],
             required: [], readOnly: true),
        Spec(name: "decisions_search", description: "Find past decisions with their rationale.",
             parameters: [Parameter("query", .string, "Words to find (empty: latest)"), component, Parameter("project", .string, "Project name"), since, limit(.decisions)],
             required: [], readOnly: true),
        Spec(name: "timeline", description: "Events oldest first, filtered: from since the first `limit`, else the latest. `summarised` names months retention rolled up.",
             parameters: [since, until, Parameter("type", .strings, "Event types"), Parameter("component", .strings, "Components"),
                          Parameter("source", .strings, "Sources"), Parameter("severity", .string, "Minimum severity", choices: ["info", "warning", "error", "critical"]),
                          Parameter("query", .string, "Words the events must contain"),
                          Parameter("from_history", .boolean, "Read summarised months' day files back from git history (needs since)"), limit(.timeline)],
             required: [], readOnly: true),
        Spec(name: "event", description: "One event with its cause and the events it caused.",
             parameters: [Parameter("id", .string, "Event id")], required: ["id"], readOnly: true),
        Spec(name: "component_history", description: "A component's latest events (oldest first) and the decisions about it.",
             parameters: [component, since, limit(.componentHistory)], required: ["component"], readOnly: true),
        Spec(name: "correlate", description: "Likely causes of a symptom: ranked earlier events with reasons.",
             parameters: [Parameter("symptom", .string, "What is wrong, in words"), Parameter("at", .string, "When it started (ISO or age)"),
                          Parameter("window", .string, "How far back to look (default 24h)"), limit(.correlate)],
             required: ["symptom"], readOnly: true),
        Spec(name: "infra_current", description: "Last collected cluster state: nodes, workloads, pods, services, MCP servers, Argo CD apps.",
             parameters: [], required: [], readOnly: true),
        Spec(name: "infra_component", description: "Collected state of one component (kind/ns/name, ns/name or name).",
             parameters: [Parameter("name", .string, "Component"), Parameter("within", .string, "How far back its last change may be (30d)")],
             required: ["name"], readOnly: true),
        Spec(name: "infra_diff", description: "What changed in the cluster state since a time (until another, or now).",
             parameters: [since, until], required: ["since"], readOnly: true),
        Spec(name: "infra_health", description: "Health counts, unhealthy components (worst first), failed sources.",
             parameters: [], required: [], readOnly: true),
    ]

    public static func spec(_ name: String) -> Spec? { all.first { $0.name == name } }
}
