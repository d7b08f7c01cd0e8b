import Hummingbird
import MemoryCore
import MemoryIndex
import MemoryModel

/// `/memory/search` over decisions, sessions and events; `/memory/decisions` over decisions only.
struct SearchRoutes {
    let service: MemoryService

    static let kinds: Set<String> = ["decision", "session", "event", "note"]

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("search") { request, _ in
            let q = try QueryParameters(request)
            let text = try q.required("q", maxLength: 1024)
            let kinds = try q.tokens("kind")
            if let bad = kinds.first(where: { !SearchRoutes.kinds.contains($0) }) {
                throw APIError.badRequest("query parameter kind \(JSONValue.quoted(bad)) is not one of decision, session, event, note")
            }
            let limit = try q.integer("limit", in: AnswerLimit.search.range) ?? AnswerLimit.search.defaultValue
            var query = SearchQuery(text, kinds: Set(kinds.compactMap(DocumentKind.init(name:))), eventTypes: try q.tokens("type"),
                                    sources: try q.tokens("source"), components: try q.components("component"),
                                    since: try q.time("since"), order: .relevance, limit: limit)
            query.include(through: try q.time("until", endOfDay: true))
            if let s = try q.string("severity", maxLength: 16) {
                guard let severity = Severity(lenient: s) else {
                    throw APIError.badRequest("query parameter severity must be one of info, warning, error, critical")
                }
                query.severities = SearchQuery.severities(atLeast: severity)
            }
            if let o = try q.string("order", maxLength: 16) {
                guard let order = SearchQuery.Order(name: o) else {
                    throw APIError.badRequest("query parameter order must be one of relevance, newest, oldest")
                }
                query.order = order
            }
            try q.rejectUnknown()
            return JSONResponse.make(try await service.search(query).json)
        }
        routes.get("decisions") { request, _ in
            let q = try QueryParameters(request)
            // `q`, as for /memory/search; `query` is what this route took first, still accepted.
            let named = try q.string("q", maxLength: 1024)
            let legacy = try q.string("query", maxLength: 1024)
            if named != nil, legacy != nil { throw APIError.badRequest("pass the query once, as q") }
            let text = named ?? legacy ?? ""
            let limit = try q.integer("limit", in: AnswerLimit.decisions.range) ?? AnswerLimit.decisions.defaultValue
            let project = try q.string("project", maxLength: 256), components = try q.components("component"), since = try q.time("since")
            try q.rejectUnknown()
            return JSONResponse.make(try await service.searchDecisions(text, project: project, components: components,
                                                                       since: since, limit: limit).json)
        }
        return routes
    }
}
