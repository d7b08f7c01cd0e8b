import HTTPTypes
import Hummingbird
import MemoryModel
import MemoryStore

/// `/webhooks/git` (GitHub push and merged pull_request) and `/webhooks/argocd` (Argo CD notifications).
struct WebhookRoutes {
    let service: MemoryService
    let webhookSecret: [UInt8]?
    let metrics: ServerMetrics

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.post("git") { request, _ in try await github(request) }
        routes.post("argocd") { request, _ in try await argocd(request) }
        return routes
    }

    func github(_ request: Request) async throws -> Response {
        // Verify before parsing: nothing from an unauthenticated body is even looked at.
        let bytes = try await request.collectBytes(limit: RequestLimits.webhookBody)
        guard let secret = webhookSecret else {
            metrics.webhook(source: "github", result: "unauthorized")
            throw APIError.unauthorized("no webhook secret is configured (CMEM_WEBHOOK_SECRET or --webhook-secret-file), so no delivery can be verified")
        }
        let signature = request.headers[HTTPField.Name("X-Hub-Signature-256")!]
        guard signature != nil else {
            metrics.webhook(source: "github", result: "unauthorized")
            throw APIError.unauthorized("missing X-Hub-Signature-256 header: configure the webhook's secret in GitHub")
        }
        guard HMACSHA256.verify(signatureHeader: signature, body: bytes, secret: secret) else {
            metrics.webhook(source: "github", result: "unauthorized")
            throw APIError.unauthorized("X-Hub-Signature-256 does not match the body: wrong secret or altered payload")
        }
        guard let eventName = request.headers[HTTPField.Name("X-GitHub-Event")!], !eventName.isEmpty else {
            throw APIError.badRequest("missing X-GitHub-Event header")
        }
        let body = try RequestFields(parsing: bytes)
        let outcome = try GitHubWebhook.events(eventName: eventName, payload: body.value,
                                               components: ComponentCatalog.load(root: service.repositoryPath))
        return try await respond(outcome, source: "github")
    }

    func argocd(_ request: Request) async throws -> Response {
        let body = try await request.jsonObject(limit: RequestLimits.body)
        let event = try ArgoCDWebhook.event(body.value)
        return try await respond(.events([event]), source: "argocd")
    }

    private func respond(_ outcome: GitHubWebhook.Outcome, source: String) async throws -> Response {
        switch outcome {
        case let .ignored(reason):
            metrics.webhook(source: source, result: "ignored")
            return JSONResponse.make(.object([
                ("recorded", .number(0)), ("duplicates", .number(0)), ("events", .array([])), ("ignored", .string(reason)),
            ]))
        case let .events(events):
            let writes = try await service.recordEvents(events)
            let recorded = writes.filter { if case .added = $0 { return true } else { return false } }.count
            let joined = writes.filter { if case .merged = $0 { return true } else { return false } }.count
            metrics.webhook(source: source, result: recorded > 0 ? "recorded" : joined > 0 ? "joined" : "duplicate")
            return JSONResponse.make(.object([
                ("recorded", .number(Double(recorded))), ("duplicates", .number(Double(writes.count - recorded))),
                ("joined", .number(Double(joined))),
                ("events", .array(writes.map { .string($0.event.id) })),
            ]), status: recorded > 0 ? .created : .ok)
        }
    }
}
