import Collector
import Hummingbird
import MemoryCore
import MemoryModel

/// `/memory/infrastructure`: the state the collector committed, a component, what changed since a time,
/// and the health summary: the core's answers (`Memory.infraCurrent` …). Before anything was collected,
/// `current`, `diff` and `health` answer 200 with `"collected": false` (and empty lists), so an agent can
/// tell "nothing known" from "all healthy"; `component` answers 404.
struct InfrastructureRoutes {
    let service: MemoryService

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("current") { request, _ in
            try QueryParameters(request).rejectUnknown()
            return JSONResponse.make(try await service.infraCurrent().json)
        }
        routes.get("component/{name}") { request, context in
            let name = try PathParameters.decoded(context, "name")
            try RequestFields.checkText(name, field: "name", maxLength: 512)
            let q = try QueryParameters(request)
            let within = try q.duration("within") ?? 30 * 86_400
            try q.rejectUnknown()
            return JSONResponse.make(try await service.infraComponent(name, within: within).json)
        }
        routes.get("diff") { request, _ in
            let q = try QueryParameters(request)
            guard let since = try q.time("since") else {
                throw APIError.badRequest("query parameter since is required: an RFC 3339 time or a duration ago such as 24h")
            }
            let until = try q.time("until")
            try q.rejectUnknown()
            return JSONResponse.make(try await service.infraDiff(since: since, until: until).json)
        }
        routes.get("health") { request, _ in
            try QueryParameters(request).rejectUnknown()
            return JSONResponse.make(try await service.infraHealth().json)
        }
        return routes
    }
}
