import MemoryModel
import Redaction

/// The redactor on the store's write path: every text and details value of an event, a session or a
/// decision passes it before anything is rendered, whoever the caller (CLI, REST, MCP, hooks, import,
/// webhooks, the collector). Front ends need not redact, and one that forgets cannot leak.
///
/// It redacts the model's fields, not the rendered note: a field knows its name (the context that makes
/// `password: Hunter2` a secret), and a value replaced inside the YAML could change the YAML's structure.
/// Names (ids, components, event types and sources, projects) hold no free text, but a token is a valid
/// name: they are redacted to names (`REDACTED-github_token`), so the note, its path and its links stay
/// well formed and the write is kept.
struct StoreRedactor: Sendable {
    let redactor = Redactor()

    func event(_ e: TimelineEvent) -> TimelineEvent {
        var e = e
        e.id = redactor.redactName(e.id)
        e.type = redactor.redactName(e.type)
        e.source = redactor.redactName(e.source)
        e.components = e.components.map(redactor.redactName)
        e.causedBy = e.causedBy.map(redactor.redactName)
        e.description = redactor.redact(e.description)
        e.details = json(e.details, name: "details")
        return e
    }

    func session(_ s: Session) -> Session {
        var s = s
        s.project = redactor.redactName(s.project)
        s.workingDirectory = redactor.redact(s.workingDirectory)
        s.currentTask = redactor.redact(s.currentTask)
        s.summary = redactor.redact(s.summary)
        s.activeFiles = s.activeFiles.map(redactor.redact)
        s.filesRead = s.filesRead.map(redactor.redact)
        s.blockers = s.blockers.map(redactor.redact)
        s.nextSteps = s.nextSteps.map(redactor.redact)
        for i in s.todoList.indices { s.todoList[i].text = redactor.redact(s.todoList[i].text) }
        for i in s.actions.indices { s.actions[i].detail = redactor.redact(s.actions[i].detail) }
        for i in s.carriedOver.indices { s.carriedOver[i].text = redactor.redact(s.carriedOver[i].text) }
        return s
    }

    func decision(_ d: Decision) -> Decision {
        var d = d
        d.project = redactor.redactName(d.project)
        d.components = d.components.map(redactor.redactName)
        d.decision = redactor.redact(d.decision)
        d.rationale = redactor.redact(d.rationale)
        d.context = redactor.redact(d.context)
        d.consequences = redactor.redact(d.consequences)
        d.alternatives = d.alternatives.map(redactor.redact)
        return d
    }

    func text(_ s: String) -> String { redactor.redact(s) }

    /// Every string in a JSON value, each read as the value of the key it sits under.
    func json(_ value: JSONValue, name: String) -> JSONValue {
        switch value {
        case let .string(s): return .string(redactor.redact(s, named: name))
        case let .array(items): return .array(items.map { json($0, name: name) })
        case let .object(pairs):
            var out = pairs.map { ($0.0, json($0.1, name: $0.0)) }
            // A key is text too. Two keys redacted alike would make an object with a key twice, which a YAML
            // reader refuses: a redacted key that is already there is numbered.
            for i in out.indices {
                let key = redactor.redact(out[i].0)
                guard key != out[i].0 else { continue }
                var unique = key, n = 2
                while out.contains(where: { $0.0 == unique }) { unique = "\(key) \(n)"; n += 1 }
                out[i].0 = unique
            }
            return .object(out)
        default: return value
        }
    }
}

extension MemoryStore {
    /// `text` as the write path would store it: for callers that match what they are given against what
    /// is stored (a todo marked done by its text), and that must never echo a secret back.
    public func redacted(_ text: String) -> String { redaction.text(text) }
}
