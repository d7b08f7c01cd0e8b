import Hummingbird
import MemoryCore
import MemoryModel

/// `/memory/history/{id}`: the commits that wrote a session, decision or event, newest first (`cmem log ID`).
struct HistoryRoutes {
    let service: MemoryService

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("{id}") { request, context in
            let id = try PathParameters.id(context, what: "id")
            let q = try QueryParameters(request)
            let limit = try q.integer("limit", in: AnswerLimit.log.range) ?? AnswerLimit.log.defaultValue
            try q.rejectUnknown()
            return JSONResponse.make(try await service.history(of: id, limit: limit).json)
        }
        return routes
    }
}
