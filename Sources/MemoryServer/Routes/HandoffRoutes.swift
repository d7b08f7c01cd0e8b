import Hummingbird
import MemoryCore
import MemoryModel

/// `/memory/handoff/{project}`: where a project left off, as its handoff note says.
struct HandoffRoutes {
    let service: MemoryService

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("{project}") { request, context in
            try QueryParameters(request).rejectUnknown()
            let project = try PathParameters.decoded(context, "project")
            try RequestFields.checkText(project, field: "project", maxLength: 256)
            guard !project.isEmpty else { throw APIError.badRequest("the project name is empty") }
            guard let handoff = try await service.handoff(project: project) else {
                throw Handoff.none(project: project)
            }
            return JSONResponse.make(handoff.json)
        }
        return routes
    }
}
