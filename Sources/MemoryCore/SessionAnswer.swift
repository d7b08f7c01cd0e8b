import MemoryModel

/// A session with its decision records and, when it continues another, what changed since that one: the answer to "where did we leave off" and to "show session X",
/// the same from the CLI (`--json`), REST and MCP. Its JSON is docs/openapi.yaml's `SessionWithDecisions`.
public struct SessionAnswer: Sendable {
    public var session: Session
    public var decisions: [Decision]
    /// What changed since the previous session, for a session that continues one (`previous_session`).
    public var since: SincePrevious?

    public init(session: Session, decisions: [Decision], since: SincePrevious? = nil) {
        self.session = session
        self.decisions = decisions
        self.since = since
    }

    public var json: JSONValue {
        guard case var .object(pairs) = session.json else { return session.json }
        pairs.append(("decision_records", .array(decisions.map(\.json))))
        if let since { pairs.append(("since_previous", since.json)) }
        return .object(pairs)
    }
}
