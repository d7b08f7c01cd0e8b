import Collector
import Foundation
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

@Suite struct InfrastructureAPITests {
    @Test func beforeAnythingIsCollectedTheStateIsExplicitlyEmpty() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let current = try await api.get("/memory/infrastructure/current")
            #expect(current.status == 200)
            #expect(current["collected"] == .bool(false))
            #expect(current["nodes"] == .array([]))
            let health = try await api.get("/memory/infrastructure/health")
            #expect(health.status == 200)
            #expect(health["collected"] == .bool(false))
            #expect(health["healthy"] == .number(0))
            let diff = try await api.get("/memory/infrastructure/diff?since=24h")
            #expect(diff.status == 200)
            #expect(diff["added"] == .array([]))
            let component = try await api.get("/memory/infrastructure/component/github-mcp-server")
            #expect(component.status == 404)
            #expect(component.errorMessage?.contains("cmem collect") == true)
            let noSince = try await api.get("/memory/infrastructure/diff")
            #expect(noSince.status == 400)
            let badSince = try await api.get("/memory/infrastructure/diff?since=whenever")
            #expect(badSince.status == 400)
        }
    }

    @Test func collectedStateIsServedWithItsHistory() async throws {
        let f = try ServerFixture()
        let store = try f.store()
        func state(_ status: HealthStatus, restarts: Int) -> InfraSnapshot {
            var api = ComponentState(kind: "Deployment", namespace: "cortex-mcp", name: "github-mcp-server", status: status)
            api.restarts = restarts
            api.replicas = 1
            return InfraSnapshot(components: [api.key: api])
        }
        // Two collections committed through the store, as `cmem collect` would.
        try store.transaction { tx in try tx.write(MemoryService.infrastructureStatePath, state(.healthy, restarts: 0).canonicalJSON()) }
        let between = Timestamp.now()
        try await Task.sleep(for: .milliseconds(1100))
        var next = state(.critical, restarts: 7)
        var db = ComponentState(kind: "Deployment", namespace: "cortex-mcp", name: "postgres", status: .healthy)
        db.replicas = 1
        next.components[db.key] = db
        try store.transaction { tx in try tx.write(MemoryService.infrastructureStatePath, next.canonicalJSON()) }

        try await f.withClient { api in
            let current = try await api.get("/memory/infrastructure/current")
            #expect(current.status == 200)
            #expect(current["collected"] == .bool(true))
            #expect(current["commit"]?.stringValue?.count == 40)
            #expect(current["deployments"]?.json.contains("github-mcp-server") == true)
            let health = try await api.get("/memory/infrastructure/health")
            #expect(health["critical"] == .number(1))
            #expect(health["healthy"] == .number(1))
            let component = try await api.get("/memory/infrastructure/component/github-mcp-server")
            #expect(component.status == 200)
            #expect(component["status"] == .string("critical"))
            let byKey = try await api.get("/memory/infrastructure/component/\(q("cortex-mcp/github-mcp-server"))")
            #expect(byKey.status == 200)
            let diff = try await api.get("/memory/infrastructure/diff?since=\(q(between.iso8601))")
            #expect(diff.status == 200)
            #expect(diff["added"]?.json.contains("postgres") == true)
            #expect(diff["changed"]?.json.contains("github-mcp-server") == true)
            #expect(diff["from_commit"]?.stringValue?.count == 40)
        }
    }
}

@Suite struct SearchAPITests {
    @Test func searchFindsDecisionsSessionsAndEvents() async throws {
        let f = try ServerFixture()
        let project = f.project
        try await f.withClient { api in
            let id = try #require(try await api.post("/memory/sessions",
                                                     #"{"working_directory": "\#(project)", "current_task": "Investigate the private registry outage"}"#)["session_id"]?.stringValue)
            _ = try await api.post("/memory/sessions/\(id)/decision",
                                   #"{"decision": "Scale cortex-desktop-mcp to 0", "rationale": "the private registry is unavailable"}"#)
            _ = try await api.post("/memory/sessions/\(id)/decision", #"{"decision": "Use init container", "rationale": "pip races"}"#)
            _ = try await api.post("/memory/timeline/events",
                                   #"{"event_type": "incident", "source": "k8s", "description": "registry returned 503 for image pulls"}"#)

            let all = try await api.get("/memory/search?q=registry")
            #expect(all.status == 200)
            var kinds = Set<String>()
            if case let .array(results)? = all["results"] {
                for r in results { if let k = r["kind"]?.stringValue { kinds.insert(k) } }
            }
            #expect(kinds == ["decision", "session", "event"])
            let onlyDecisions = try await api.get("/memory/search?q=registry&kind=decision")
            #expect(onlyDecisions["results"]?.json.contains("\"kind\": \"session\"") == false)

            let decisions = try await api.get("/memory/decisions?q=registry")
            #expect(decisions.status == 200)
            #expect(decisions["decisions"]?.json.contains("Scale cortex-desktop-mcp to 0") == true)
            #expect(decisions["decisions"]?.json.contains("Use init container") == false)
            let every = try await api.get("/memory/decisions")
            #expect(every["decisions"]?.json.contains("Use init container") == true)

            #expect(try await api.get("/memory/search").status == 400)
            #expect(try await api.get("/memory/search?q=x&kind=file").status == 400)
            #expect(try await api.get("/memory/search?q=x&limit=101").status == 400)
        }
    }
}

/// Until the index is open, index questions wait a bounded time and then answer 503 with Retry-After:
/// never a second algorithm with another answer. Once it is open, the same requests are answered.
@Suite struct IndexNotReadyTests {
    @Test func indexQuestionsAre503UntilTheIndexOpensThenAnswered() async throws {
        let f = try ServerFixture(openIndex: false, indexWait: 0.2)
        let store = try f.store()
        let s = try store.startSession(task: "Investigate the private registry outage", cwd: f.project)
        try store.recordDecision(sessionID: s.id, decision: "Scale cortex-desktop-mcp to 0", rationale: "the private registry is unavailable",
                                 alternatives: [])
        let t = Timestamp.now()
        let deploy = Identifier.make(.event, at: t.adding(seconds: -3600))
        try store.recordEvents([
            TimelineEvent(id: deploy, timestamp: t.adding(seconds: -3600), type: "deployment",
                          source: "argocd", description: "Synced github-mcp-server to abc123", components: ["github-mcp-server"]),
            TimelineEvent(id: Identifier.make(.event, at: t.adding(seconds: -600)), timestamp: t.adding(seconds: -600), type: "pod_restart",
                          source: "k8s", description: "github-mcp-server crash looping", components: ["github-mcp-server"], severity: .error),
        ])
        let service = f.service
        try await f.withClientBeforeTheIndex { api in
            for (path, body) in [("/memory/search?q=registry", nil), ("/memory/decisions?q=registry", nil),
                                 ("/memory/timeline/component/github-mcp-server", nil), ("/memory/timeline", nil),
                                 ("/memory/timeline/event/\(deploy)", nil),
                                 ("/memory/timeline/correlate", JSONValue.object([("symptom", .string("github-mcp-server crash looping"))]))] {
                let r = body == nil ? try await api.get(path) : try await api.post(path, body!)
                #expect(r.status == 503, "\(path): \(r.status) \(r.text)")
                #expect(r.headers[.retryAfter] == "1", "\(path)")
                #expect(r.errorMessage?.contains("still being built") == true, "\(path)")
            }
            // What needs no index is answered at once.
            let current = try await api.get("/memory/sessions/current?working_directory=\(f.project)")
            #expect(current.status == 200)
            #expect(current["session_id"]?.stringValue == s.id)
            service.openIndex()
            #expect(await service.waitForIndex(timeout: 120))
            let search = try await api.get("/memory/search?q=registry")
            #expect(search.status == 200)
            #expect(Set(search["results"]?.items.compactMap { $0["kind"]?.stringValue } ?? []) == ["decision", "session"])
            let c = try await api.post("/memory/timeline/correlate", .object([("symptom", .string("github-mcp-server crash looping"))]))
            #expect(c.status == 200)
            #expect(c["probable_cause"]?["event_id"]?.stringValue == deploy)
        }
    }
}
