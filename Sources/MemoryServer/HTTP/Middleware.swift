import Foundation
import Hummingbird
import Logging

/// Every route the server answers, for `405 Method Not Allowed` with an `Allow` header, and for the test
/// that checks the OpenAPI description covers them all.
public enum APIRoutes {
    public static let table: [(method: HTTPRequest.Method, path: String)] = [
        (.post, "/memory/sessions"),
        (.get, "/memory/sessions"),
        (.get, "/memory/sessions/current"),
        (.get, "/memory/sessions/{id}"),
        (.put, "/memory/sessions/{id}"),
        (.get, "/memory/sessions/{id}/summary"),
        (.post, "/memory/sessions/{id}/summary"),
        (.post, "/memory/sessions/{id}/decision"),
        (.post, "/memory/sessions/{id}/action"),
        (.get, "/memory/infrastructure/current"),
        (.get, "/memory/infrastructure/component/{name}"),
        (.get, "/memory/infrastructure/diff"),
        (.get, "/memory/infrastructure/health"),
        (.get, "/memory/timeline"),
        (.get, "/memory/timeline/buckets"),
        (.post, "/memory/timeline/events"),
        (.get, "/memory/timeline/event/{id}"),
        (.get, "/memory/timeline/component/{name}"),
        (.post, "/memory/timeline/correlate"),
        (.get, "/memory/search"),
        (.get, "/memory/decisions"),
        (.get, "/memory/note"),
        (.get, "/memory/handoff/{project}"),
        (.get, "/memory/history/{id}"),
        (.post, "/webhooks/git"),
        (.post, "/webhooks/argocd"),
        (.get, "/healthz"),
        (.get, "/metrics"),
        (.get, "/"),
        (.get, "/ui/{asset}"),
    ]

    /// The methods routed for a concrete path (`/memory/sessions/sess-1/summary`).
    static func methods(for path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        var candidates: [(method: HTTPRequest.Method, template: [Substring])] = []
        for route in table {
            let template = route.path.split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == parts.count else { continue }
            if zip(template, parts).allSatisfy({ t, p in t.hasPrefix("{") ? !p.isEmpty : t == p }) {
                candidates.append((route.method, template))
            }
        }
        // A constant segment wins over a parameter, as in the router: `/sessions/current` is not `{id}`.
        for i in 0..<parts.count where candidates.contains(where: { !$0.template[i].hasPrefix("{") }) {
            candidates.removeAll { $0.template[i].hasPrefix("{") }
        }
        return candidates.map(\.method)
    }
}

/// The outermost middleware: turns every error into a JSON error response with the right status,
/// answers 405 for a known path with the wrong method, and records metrics for every request.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.begin()
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            var apiError = APIError.from(error)
            if apiError.status == .notFound, context.endpointPath == "NotFound" || context.endpointPath == nil {
                let allowed = APIRoutes.methods(for: request.uri.path)
                if !allowed.isEmpty {
                    var headers = HTTPFields()
                    headers[.allow] = Set(allowed.map(\.rawValue)).sorted().joined(separator: ", ")
                    apiError = APIError(.methodNotAllowed, "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(headers[.allow]!)", headers: headers)
                } else {
                    apiError = .notFound("no such endpoint: \(request.method.rawValue) \(request.uri.path)")
                }
            }
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
            }
            response = JSONResponse.make(APIError.body(apiError.message), status: apiError.status, headers: apiError.headers)
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath.map { $0 == "NotFound" ? "unmatched" : $0 } ?? "unmatched"
        metrics.end(method: request.method.rawValue, route: route, status: response.status.code, seconds: seconds)
        return response
    }
}

/// Bearer-token authentication, checked in constant time. `/healthz` is open (for liveness probes), and
/// `/webhooks/git` is authenticated by its HMAC signature instead, because GitHub cannot send a bearer
/// token. The web page's code (`/`, `/ui/…`) is open too: a browser cannot attach a bearer token to a
/// navigation, and the code holds no memory data; the page asks for the token and sends it with every
/// API call, which is where the data is.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: [UInt8]

    static let open: Set<String> = ["/healthz", "/webhooks/git"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let page = (path == "/" || path.hasPrefix("/ui/")) && (request.method == .get || request.method == .head)
        if AuthMiddleware.open.contains(path) || page {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing bearer token: send Authorization: Bearer <token>")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
            throw APIError.unauthorized("the Authorization header must be Bearer <token>")
        }
        let given = Array(header.utf8.dropFirst(prefix.utf8.count))
        guard ConstantTime.equal(given, token) else { throw APIError.unauthorized("invalid bearer token") }
        return try await next(request, context)
    }
}
