import Collector
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

/// `docs/openapi.yaml` against the server: every route is described, and the live server's answers (real
/// HTTP on loopback) match the described statuses, content types and schemas.
@Suite struct OpenAPITests {
    static func spec() throws -> JSONValue {
        let url = Fixtures.packageRoot.appendingPathComponent("docs/openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        return .object(try YAMLSafety.mapping(text, path: "docs/openapi.yaml", lineOffset: 0))
    }

    static func operations(_ spec: JSONValue) -> Set<String> {
        guard case let .object(paths)? = spec["paths"] else { return [] }
        var out = Set<String>()
        for (path, item) in paths {
            guard case let .object(methods) = item else { continue }
            for (method, _) in methods where ["get", "put", "post", "delete", "patch"].contains(method) {
                out.insert("\(method.uppercased()) \(path)")
            }
        }
        return out
    }

    @Test func everyRouteIsDescribedAndEveryDescriptionIsRouted() throws {
        let described = OpenAPITests.operations(try OpenAPITests.spec())
        let routed = Set(APIRoutes.table.map { "\($0.method.rawValue) \($0.path)" })
        #expect(described == routed, "only described: \(described.subtracting(routed)); only routed: \(routed.subtracting(described))")
    }

    @Test func routeTableMatchesTheRouter() async throws {
        // Each route in the table answers something other than "no such endpoint" or 405.
        let f = try ServerFixture()
        try await f.withClient { api in
            for route in APIRoutes.table {
                let uri = route.path.replacingOccurrences(of: "{id}", with: "sess-x").replacingOccurrences(of: "{name}", with: "x")
                let r = try await api.request(route.method, uri, body: route.method == .get ? nil : Array("{}".utf8))
                #expect(r.status != 405 && r.errorMessage?.hasPrefix("no such endpoint") != true, "\(route.method) \(route.path): \(r.status) \(r.text)")
            }
        }
    }

    @Test func liveResponsesMatchTheDescription() async throws {
        let spec = try OpenAPITests.spec()
        let validator = SchemaValidator(root: spec)
        let f = try ServerFixture()
        let project = f.project
        try f.store().transaction { tx in
            var c = ComponentState(kind: "Deployment", namespace: "cortex-mcp", name: "github-mcp-server", status: .degraded)
            c.restarts = 3
            try tx.write(MemoryService.infrastructureStatePath, InfraSnapshot(components: [c.key: c]).canonicalJSON())
        }
        try await f.application.test(.live) { client in
            let api = APIClient(client: client)
            var checked = Set<String>()
            func check(_ method: HTTPRequest.Method, _ template: String, _ uri: String, body: String? = nil,
                       headers: HTTPFields = [:]) async throws -> APIResponse {
                let r = try await api.request(method, uri, body: body.map { Array($0.utf8) }, headers: headers)
                let problems = validator.check(response: r, method: method.rawValue.lowercased(), path: template)
                #expect(problems.isEmpty, "\(method) \(uri) → \(r.status): \(problems)\n\(r.text.prefix(500))")
                checked.insert("\(method.rawValue) \(template)")
                return r
            }
            let s = try await check(.post, "/memory/sessions", "/memory/sessions", body: #"{"working_directory": "\#(project)", "current_task": "spec"}"#)
            let id = s["session_id"]?.stringValue ?? "missing"
            _ = try await check(.post, "/memory/sessions", "/memory/sessions", body: #"{"working_directory": 1}"#)
            _ = try await check(.get, "/memory/sessions/current", "/memory/sessions/current?working_directory=\(q(project))")
            _ = try await check(.get, "/memory/sessions/current", "/memory/sessions/current?working_directory=%2Fnowhere")
            _ = try await check(.get, "/memory/sessions/{id}", "/memory/sessions/\(id)")
            _ = try await check(.get, "/memory/sessions/{id}", "/memory/sessions/sess-unknown")
            _ = try await check(.put, "/memory/sessions/{id}", "/memory/sessions/\(id)", body: #"{"todo_list": ["a", {"text": "b", "status": "done"}]}"#)
            _ = try await check(.put, "/memory/sessions/{id}", "/memory/sessions/%2E%2E", body: #"{"summary": "x"}"#)
            _ = try await check(.post, "/memory/sessions/{id}/decision", "/memory/sessions/\(id)/decision", body: #"{"decision": "Use init container", "alternatives": ["sidecar"]}"#)
            _ = try await check(.post, "/memory/sessions/{id}/action", "/memory/sessions/\(id)/action", body: #"{"kind": "command", "detail": "ls", "exit_code": 0}"#)
            _ = try await check(.get, "/memory/sessions/{id}/summary", "/memory/sessions/\(id)/summary")
            _ = try await check(.post, "/memory/sessions/{id}/summary", "/memory/sessions/\(id)/summary", body: #"{"summary": "done"}"#)
            _ = try await check(.post, "/memory/sessions/{id}/summary", "/memory/sessions/sess-none/summary", body: #"{"summary": "done"}"#)
            _ = try await check(.get, "/memory/sessions/{id}/summary", "/memory/sessions/\(id)/summary")

            let e = try await check(.post, "/memory/timeline/events", "/memory/timeline/events", body: #"{"event_type": "deployment", "source": "argocd", "description": "Synced", "affected_components": ["github-mcp-server"], "details": {"sha": "abc"}}"#)
            let eventID = e["events"]?.json.split(separator: "\"").first { $0.hasPrefix("ev-") }.map(String.init) ?? "missing"
            _ = try await check(.post, "/memory/timeline/events", "/memory/timeline/events", body: #"{"events": [{"event_type": "x", "source": "y", "description": "z", "event_id": "\#(eventID)"}]}"#)
            _ = try await check(.post, "/memory/timeline/events", "/memory/timeline/events", body: #"{"event_type": "x"}"#)
            _ = try await check(.post, "/memory/timeline/events", "/memory/timeline/events",
                                body: "{\"description\": \"" + String(repeating: "x", count: RequestLimits.body) + "\"}")
            _ = try await check(.get, "/memory/timeline", "/memory/timeline?start=24h&type=deployment")
            _ = try await check(.get, "/memory/timeline", "/memory/timeline?limit=0")
            _ = try await check(.get, "/memory/timeline", "/memory/timeline?start=2020-01-01&from_history=true")
            _ = try await check(.get, "/memory/timeline", "/memory/timeline?from_history=true")
            _ = try await check(.get, "/memory/timeline", "/memory/timeline?start=24h&from_history=maybe")
            _ = try await check(.get, "/memory/timeline/buckets", "/memory/timeline/buckets?start=2020-01-01&end=24h&buckets=50&q=crash")
            _ = try await check(.get, "/memory/timeline/buckets", "/memory/timeline/buckets?start=24h")
            _ = try await check(.get, "/memory/timeline/event/{id}", "/memory/timeline/event/\(eventID)")
            _ = try await check(.get, "/memory/timeline/event/{id}", "/memory/timeline/event/ev-20200101-000000-0000000000")
            _ = try await check(.get, "/memory/timeline/component/{name}", "/memory/timeline/component/github-mcp-server")
            let noteLocation = try await api.get("/memory/timeline/event/\(eventID)")["location"]?.stringValue ?? "x.md:1"
            let noteParts = noteLocation.split(separator: ":")
            _ = try await check(.get, "/memory/note", "/memory/note?path=\(noteParts[0])&line=\(noteParts.count > 1 ? noteParts[1] : "1")")
            _ = try await check(.get, "/memory/note", "/memory/note?path=..%2Fx.md")
            _ = try await check(.get, "/memory/note", "/memory/note?path=timeline%2F2020%2F01%2F2020-01-01.md")
            _ = try await check(.post, "/memory/timeline/correlate", "/memory/timeline/correlate", body: #"{"symptom": "github-mcp-server crash looping"}"#)
            _ = try await check(.post, "/memory/timeline/correlate", "/memory/timeline/correlate", body: #"{"symptom": "nothing", "timeframe": 1}"#)
            _ = try await check(.post, "/memory/timeline/correlate", "/memory/timeline/correlate", body: String(repeating: "[", count: 64))

            _ = try await check(.get, "/memory/infrastructure/current", "/memory/infrastructure/current")
            _ = try await check(.get, "/memory/infrastructure/component/{name}", "/memory/infrastructure/component/github-mcp-server")
            _ = try await check(.get, "/memory/infrastructure/component/{name}", "/memory/infrastructure/component/none")
            _ = try await check(.get, "/memory/infrastructure/diff", "/memory/infrastructure/diff?since=2020-01-01")
            _ = try await check(.get, "/memory/infrastructure/diff", "/memory/infrastructure/diff")
            _ = try await check(.get, "/memory/infrastructure/health", "/memory/infrastructure/health")

            _ = try await check(.get, "/memory/search", "/memory/search?q=init%20container")
            _ = try await check(.get, "/memory/search", "/memory/search")
            _ = try await check(.get, "/memory/decisions", "/memory/decisions?q=container")
            _ = try await check(.get, "/memory/sessions", "/memory/sessions?limit=5")
            _ = try await check(.get, "/memory/sessions", "/memory/sessions?limit=500")
            _ = try await check(.get, "/memory/handoff/{project}", "/memory/handoff/nobody")
            _ = try await check(.get, "/memory/history/{id}", "/memory/history/\(eventID)?limit=3")
            _ = try await check(.get, "/memory/history/{id}", "/memory/history/ev-20200101-000000-0000000000")
            _ = try await check(.get, "/memory/history/{id}", "/memory/history/%2E%2E")

            let push = try Fixtures.bytes("github_push.json")
            var h = HTTPFields()
            h[HTTPField.Name("X-GitHub-Event")!] = "push"
            h[HTTPField.Name("X-Hub-Signature-256")!] = Fixtures.signature(push)
            let r = try await api.request(.post, "/webhooks/git", body: push, headers: h)
            #expect(validator.check(response: r, method: "post", path: "/webhooks/git").isEmpty)
            h[HTTPField.Name("X-Hub-Signature-256")!] = Fixtures.signature(push, secret: "wrong")
            let unsigned = try await api.request(.post, "/webhooks/git", body: push, headers: h)
            #expect(unsigned.status == 401)
            #expect(validator.check(response: unsigned, method: "post", path: "/webhooks/git").isEmpty)
            checked.insert("POST /webhooks/git")
            _ = try await check(.post, "/webhooks/argocd", "/webhooks/argocd", body: #"{"app": "github-mcp-server", "sync_status": "Synced", "revision": "abc"}"#)
            _ = try await check(.post, "/webhooks/argocd", "/webhooks/argocd", body: #"{"app": 7}"#)
            _ = try await check(.get, "/healthz", "/healthz")
            _ = try await check(.get, "/metrics", "/metrics")
            _ = try await check(.get, "/", "/")
            _ = try await check(.get, "/ui/{asset}", "/ui/app.js")
            _ = try await check(.get, "/ui/{asset}", "/ui/missing.js")

            let all = Set(APIRoutes.table.map { "\($0.method.rawValue) \($0.path)" })
            #expect(checked == all, "not exercised: \(all.subtracting(checked))")
        }
    }
}

/// Enough of JSON Schema (as OpenAPI 3.0 uses it) to check responses: $ref, allOf, oneOf, anyOf,
/// nullable, type, enum, required, properties, additionalProperties, items.
struct SchemaValidator {
    let root: JSONValue

    func check(response r: APIResponse, method: String, path: String) -> [String] {
        guard let operation = root["paths"]?[path]?[method] else { return ["\(method) \(path) is not described"] }
        guard let described = operation["responses"]?[String(r.status)] else {
            return ["status \(r.status) is not described for \(method) \(path)"]
        }
        let response = resolve(described)
        guard case let .object(content)? = response["content"] else {
            return r.text.isEmpty ? [] : ["a body is sent but none is described"]
        }
        let type = r.headers[.contentType]?.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content.first(where: { $0.0 == type })?.1 else {
            return ["content type \(type) is not described (\(content.map(\.0)))"]
        }
        guard let schema = media["schema"] else { return [] }
        if type == "application/json" {
            guard let value = try? JSONValue.parse(r.text) else { return ["the body is not JSON"] }
            return errors(value, schema, at: "$")
        }
        return errors(.string(r.text), schema, at: "$")
    }

    func resolve(_ schema: JSONValue) -> JSONValue {
        guard let ref = schema["$ref"]?.stringValue, ref.hasPrefix("#/") else { return schema }
        var node: JSONValue? = root
        for part in ref.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return resolve(node ?? .null)
    }

    func errors(_ value: JSONValue, _ raw: JSONValue, at path: String) -> [String] {
        let schema = resolve(raw)
        if value == .null, schema["nullable"] == .bool(true) { return [] }
        var out: [String] = []
        if case let .array(all)? = schema["allOf"] {
            for s in all { out += errors(value, s, at: path) }
        }
        if case let .array(options)? = schema["oneOf"] {
            let matching = options.filter { errors(value, $0, at: path).isEmpty }.count
            if matching != 1 { out.append("\(path): matches \(matching) of oneOf, not one") }
        }
        if case let .array(options)? = schema["anyOf"], !options.contains(where: { errors(value, $0, at: path).isEmpty }) {
            out.append("\(path): matches none of anyOf")
        }
        if case let .array(allowed)? = schema["enum"], !allowed.contains(value) {
            out.append("\(path): \(value.json) is not one of \(allowed.map(\.json))")
        }
        if let type = schema["type"]?.stringValue {
            switch (type, value) {
            case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number): break
            case let ("integer", .number(n)) where n == n.rounded(): break
            default:
                out.append("\(path): expected \(type), got \(value.json.prefix(80))")
                return out
            }
        }
        if case let .object(pairs) = value {
            if case let .array(required)? = schema["required"] {
                for key in required.compactMap(\.stringValue) where !pairs.contains(where: { $0.0 == key }) {
                    out.append("\(path): required \(key) is missing")
                }
            }
            let properties = schema["properties"]
            for (key, v) in pairs {
                if let p = properties?[key] {
                    out += errors(v, p, at: "\(path).\(key)")
                } else if let extra = schema["additionalProperties"] {
                    if extra == .bool(false) { out.append("\(path): \(key) is not allowed") }
                    else if case .object = extra { out += errors(v, extra, at: "\(path).\(key)") }
                }
            }
        }
        if case let .array(items) = value, let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() { out += errors(item, itemSchema, at: "\(path)[\(i)]") }
        }
        return out
    }
}
