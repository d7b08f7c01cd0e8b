import Hummingbird
import MemoryModel
import NIOCore

/// `/healthz` (liveness: answers without touching the repository) and `/metrics` (Prometheus text).
struct OperationsRoutes {
    let service: MemoryService
    let metrics: ServerMetrics

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("healthz") { _, _ in
            JSONResponse.make(.object([("status", .string("ok"))]))
        }
        routes.get("metrics") { _, _ in
            let snapshot = await service.metricsSnapshot()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render(snapshot))))
        }
        return routes
    }
}
