import Hummingbird
import MemoryModel

/// `/memory/search` over decisions, sessions and events; `/memory/decisions` over decisions only.
struct SearchRoutes {
    let service: MemoryService

    static let kinds: Set<String> = ["decision", "session", "event"]

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("search") { request, _ in
            let q = try QueryParameters(request)
            let text = try q.required("q", maxLength: 1024)
            let kinds = try q.tokens("kind")
            if let bad = kinds.first(where: { !SearchRoutes.kinds.contains($0) }) {
                throw APIError.badRequest("query parameter kind \(JSONValue.quoted(bad)) is not one of decision, session, event")
            }
            let limit = try q.integer("limit", in: 1...100) ?? 10
            let hits = try await service.search(text, kinds: kinds, limit: limit)
            return JSONResponse.make(.object([
                ("query", .string(text)),
                ("results", .array(hits.map { h in
                    .object([("kind", .string(h.kind)), ("id", .string(h.id)), ("score", .number(h.score)),
                             ("title", .string(h.title)), ("timestamp", .string(h.timestamp.iso8601)), ("record", h.record)])
                })),
            ]))
        }
        routes.get("decisions") { request, _ in
            let q = try QueryParameters(request)
            let text = try q.string("query", maxLength: 1024) ?? ""
            let limit = try q.integer("limit", in: 1...100) ?? 10
            let hits = try await service.searchDecisions(text, limit: limit)
            return JSONResponse.make(.object([
                ("query", .string(text)),
                ("decisions", .array(hits.map { d, score in
                    guard case var .object(pairs) = d.json else { return d.json }
                    pairs.append(("score", .number(score)))
                    return .object(pairs)
                })),
            ]))
        }
        return routes
    }
}
