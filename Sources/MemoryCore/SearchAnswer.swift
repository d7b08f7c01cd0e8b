import MemoryIndex
import MemoryModel

/// Full-text search over decisions, sessions and events, best first. The same `SearchQuery` from every
/// front end; the JSON is docs/openapi.yaml's answer to GET /memory/search.
public struct SearchAnswer: Sendable {
    public var query: SearchQuery
    public var results: SearchResults

    public var json: JSONValue {
        .object([
            ("query", .string(query.text)),
            ("results", .array(results.hits.map { h in
                let record: JSONValue = h.event?.json ?? h.decision?.json ?? h.session?.json ?? .object([])
                return .object([
                    ("kind", .string(h.kind.description)), ("id", .string(h.id)), ("score", .number(AnswerJSON.rounded(h.score))),
                    ("title", .string(h.title)), ("timestamp", .string(h.timestamp.iso8601)), ("location", .string(h.location)),
                    ("record", record),
                ])
            })),
            ("total_matches", results.totalMatches.map { .number(Double($0)) } ?? .null),
            ("index", AnswerJSON.freshness(results.freshness)),
        ])
    }
}

/// Decisions matching a query (all, newest first, without one): GET /memory/decisions.
public struct DecisionsAnswer: Sendable {
    public var query: String
    public var hits: [(decision: Decision, score: Double)]

    public var json: JSONValue {
        .object([
            ("query", .string(query)),
            ("decisions", .array(hits.map { d, score in
                guard case var .object(pairs) = d.json else { return d.json }
                pairs.append(("score", .number(AnswerJSON.rounded(score))))
                return .object(pairs)
            })),
        ])
    }
}
