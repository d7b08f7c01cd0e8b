import Hummingbird
import MemoryCore
import MemoryModel

/// `/memory/note?path=P&line=N&context=K`: the lines of a note around the line an answer's `location`
/// names (the web page shows where an event is written).
struct NoteRoutes {
    let service: MemoryService

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("note") { request, _ in
            let q = try QueryParameters(request)
            let path = try q.required("path", maxLength: RequestLimits.path)
            let line = try q.integer("line", in: 1...Int(Int32.max)) ?? 1
            let context = try q.integer("context", in: 0...NoteExcerpt.maxContext) ?? 20
            try q.rejectUnknown()
            return JSONResponse.make(try await service.noteExcerpt(path: path, line: line, context: context).json)
        }
        return routes
    }
}
