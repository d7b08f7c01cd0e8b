import Hummingbird
import MemoryIndex
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
            let query = SearchQuery(text, kinds: Set(kinds.compactMap(DocumentKind.init(name:))), order: .relevance, limit: limit)
            return JSONResponse.make(try await service.search(query).json)
        }
        routes.get("decisions") { request, _ in
            let q = try QueryParameters(request)
            // `q`, as for /memory/search; `query` is what this route took first, still accepted.
            let named = try q.string("q", maxLength: 1024)
            let legacy = try q.string("query", maxLength: 1024)
            if named != nil, legacy != nil { throw APIError.badRequest("pass the query once, as q") }
            let text = named ?? legacy ?? ""
            let limit = try q.integer("limit", in: 1...100) ?? 10
            return JSONResponse.make(try await service.searchDecisions(text, limit: limit).json)
        }
        return routes
    }
}
