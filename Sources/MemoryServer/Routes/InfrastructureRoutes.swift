import Collector
import Hummingbird
import MemoryCore
import MemoryModel

/// `/memory/infrastructure`: the state the collector committed, a component, what changed since a time,
/// and the health summary. Before anything was collected, `current`, `diff` and `health` answer 200 with
/// `"collected": false` (and empty lists), so an agent can tell "nothing known" from "all healthy".
struct InfrastructureRoutes {
    let service: MemoryService

    static let notCollected = "no infrastructure state has been collected yet; run `cmem collect` (it commits infrastructure/state.json)"

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("current") { _, _ in
            guard let state = try await service.infrastructure() else {
                return JSONResponse.make(.object(InfrastructureRoutes.empty + [
                    ("nodes", .array([])), ("deployments", .array([])), ("pods", .object([])), ("services", .array([])),
                    ("mcp_servers", .array([])), ("alerts", .array([])),
                ]))
            }
            guard case let .object(pairs) = state.snapshot.current else { return JSONResponse.make(state.snapshot.current) }
            return JSONResponse.make(.object(InfrastructureRoutes.provenance(state) + pairs))
        }
        routes.get("component/{name}") { _, context in
            let name = try PathParameters.decoded(context, "name")
            try RequestFields.checkText(name, field: "name", maxLength: 512)
            guard let state = try await service.infrastructure() else { throw APIError.notFound(InfrastructureRoutes.notCollected) }
            let found = state.snapshot.components(named: name)
            guard let worst = found.map(\.status).max() else {
                throw APIError.notFound("no component named \(JSONValue.quoted(name)) in the collected state")
            }
            return JSONResponse.make(.object(InfrastructureRoutes.provenance(state) + [
                ("name", .string(name)), ("status", .string(worst.rawValue)),
                ("components", .array(found.map(\.json))),
            ]))
        }
        routes.get("diff") { request, _ in
            let q = try QueryParameters(request)
            guard let since = try q.time("since") else {
                throw APIError.badRequest("query parameter since is required: an RFC 3339 time or a duration ago such as 24h")
            }
            guard let now = try await service.infrastructure() else {
                return JSONResponse.make(.object(InfrastructureRoutes.empty + [
                    ("since", .string(since.iso8601)), ("added", .array([])), ("removed", .array([])), ("changed", .array([])),
                ]))
            }
            let then = try await service.infrastructure(at: since)
            let diff = StructuredDiff.between(then?.snapshot ?? InfraSnapshot(), now.snapshot)
            guard case let .object(pairs) = diff.json else { return JSONResponse.make(diff.json) }
            return JSONResponse.make(.object(InfrastructureRoutes.provenance(now) + [
                ("since", .string(since.iso8601)), ("from_commit", then?.commit.map { .string($0) } ?? .null),
            ] + pairs))
        }
        routes.get("health") { _, _ in
            JSONResponse.make(try await service.infraHealth().json)
        }
        return routes
    }

    static let empty: [(String, JSONValue)] = [
        ("collected", .bool(false)), ("commit", .null), ("collected_at", .null), ("message", .string(notCollected)),
    ]

    static func provenance(_ s: MemoryService.InfrastructureState) -> [(String, JSONValue)] {
        [("collected", .bool(true)), ("commit", s.commit.map { .string($0) } ?? .null),
         ("collected_at", s.committedAt.map { .string($0.iso8601) } ?? .null)]
    }
}
