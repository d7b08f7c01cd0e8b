import MemoryModel

/// A session with its decision records: the answer to "where did we leave off" and to "show session X",
/// the same from the CLI (`--json`), REST and MCP. Its JSON is docs/openapi.yaml's `SessionWithDecisions`.
public struct SessionAnswer: Sendable {
    public var session: Session
    public var decisions: [Decision]

    public init(session: Session, decisions: [Decision]) {
        self.session = session
        self.decisions = decisions
    }

    public var json: JSONValue {
        guard case var .object(pairs) = session.json else { return session.json }
        pairs.append(("decision_records", .array(decisions.map(\.json))))
        return .object(pairs)
    }
}
