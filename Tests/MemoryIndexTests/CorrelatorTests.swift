import Testing
import MemoryModel
import TestSupport
import CmemFixtures
@testable import MemoryIndex

@Suite struct CorrelatorTests {
    /// A repository with `events` (keep the returned repository alive: it is deleted when released).
    private func repo(_ events: [TimelineEvent], components: String? = nil) throws -> (TemporaryGitRepository, MemoryIndex) {
        let repo = try TemporaryGitRepository()
        var paths = try MemoryFiles.write(events: events, to: repo.path)
        if let components {
            try repo.write(ComponentCatalog.path, components)
            paths.append(ComponentCatalog.path)
        }
        try repo.commit(paths)
        return (repo, try Fixture.open(repo))
    }

    @Test func commitAndItsDeploymentExplainTheCrashNotTheCrashItself() throws {
        let sha = "4f2a9c1d7e3b5a6c8d9e0f1a2b3c4d5e6f7a8b9c"
        let commit = Fixture.event("ev-20260310-090000-0000000001", "2026-03-10T09:00:00Z", "git_commit", "Fix pip install logic in init container (4f2a9c1)",
                                   components: ["github-mcp-server"], source: "github", details: [("sha", .string(sha))])
        let deploy = Fixture.event("ev-20260312-134300-0000000002", "2026-03-12T13:43:00Z", "deployment", "Synced github-mcp-server to revision 4f2a9c1",
                                   components: ["github-mcp-server"], source: "argocd", details: [("namespace", .string("cortex-mcp"))])
        let crash1 = Fixture.event("ev-20260312-142000-0000000003", "2026-03-12T14:20:00Z", "pod_restart", "Container github-mcp-server in CrashLoopBackOff",
                                   components: ["github-mcp-server"], source: "k8s", severity: .warning)
        let crash2 = Fixture.event("ev-20260312-142500-0000000004", "2026-03-12T14:25:00Z", "incident", "Incident: github-mcp-server crash looping",
                                   components: ["github-mcp-server"], source: "cortex", severity: .critical, causedBy: crash1.id)
        let other = Fixture.event("ev-20260312-141500-0000000005", "2026-03-12T14:15:00Z", "deployment", "Rolled out billing-api image tag v2",
                                  components: ["billing-api"], source: "argocd")
        let (repository, index) = try repo([commit, deploy, crash1, crash2, other])
        let r = index.correlate(CorrelationRequest("github-mcp crash looping", now: Fixture.time("2026-03-12T15:00:00Z")))
        #expect(r.components == ["github-mcp-server"])
        #expect(r.onset == crash1.timestamp)
        #expect(r.onsetEvent?.id == crash1.id)
        let cause = try #require(r.probableCause)
        #expect(cause.event.id == commit.id)
        #expect(r.chain.map(\.id) == [commit.id, deploy.id])
        #expect(cause.summary.contains("deployed 37 min before onset"))
        #expect(cause.signals.contains { $0.name == "chain" && $0.value > 0 })
        #expect(r.confidence >= .medium)
        #expect(!r.related.contains { $0.event.id == crash1.id || $0.event.id == crash2.id })
        // One row per candidate: the deploy is nested in the commit's chain, not a row of its own.
        #expect(!r.related.contains { $0.event.id == deploy.id })
        #expect(r.related.first?.chain.map(\.id) == [deploy.id])
        #expect(cause.summary.contains("deployment of github-mcp-server 37 min before onset"))
        #expect(cause.summary.contains("about github-mcp-server, the failing component"))
        #expect(cause.relation == "itself")
        #expect(cause.location.hasPrefix("timeline/2026/03/2026-03-10.md:"))
        withExtendedLifetime(repository) {}
    }

    @Test func nothingPlausibleMeansNoCauseWithLowConfidence() throws {
        let symptom = Fixture.event("ev-20260312-142000-0000000001", "2026-03-12T14:20:00Z", "incident", "Incident: vault-agent high latency",
                                    components: ["vault-agent"], severity: .critical)
        let decoy = Fixture.event("ev-20260312-141500-0000000002", "2026-03-12T14:15:00Z", "deployment", "Rolled out keda-operator image tag v2",
                                  components: ["keda-operator"])
        let storm = (0..<5).map { k in
            Fixture.event("ev-20260312-13\(k)000-000000001\(k)", "2026-03-12T13:\(k)0:00Z", "pod_restart", "Pod jira-worker restarted: OOMKilled",
                          components: ["jira-worker"], severity: .warning)
        }
        let (repository, index) = try repo([symptom, decoy] + storm)
        let r = index.correlate(CorrelationRequest("vault-agent high latency", now: Fixture.time("2026-03-12T15:00:00Z")))
        #expect(r.probableCause == nil)
        #expect(r.confidence == .low)
        #expect(r.chain.isEmpty)
        #expect(r.explanation.hasPrefix("No plausible cause"))
        #expect(r.candidatesConsidered == 6)
        withExtendedLifetime(repository) {}
    }

    @Test func dependenciesFromTheCatalogAndAGivenOnset() throws {
        let yaml = "components:\n  github-api:\n    depends_on: [redis-cache]\n    aliases: [gh-api]\n    paths: [\"src/**\"]\n"
        let redis = Fixture.event("ev-20260312-135500-0000000001", "2026-03-12T13:55:00Z", "config_change", "Changed MAX_WORKERS for redis-cache from 2 to 1",
                                  components: ["redis-cache"])
        let symptom = Fixture.event("ev-20260312-142000-0000000002", "2026-03-12T14:20:00Z", "trace_anomaly", "Error-rate spike on github-api: 38%",
                                    components: ["github-api"], severity: .warning)
        let fix = Fixture.event("ev-20260312-143000-0000000003", "2026-03-12T14:30:00Z", "deployment", "Rollback of github-api to v1.0.0",
                                components: ["github-api"])
        let (repository, index) = try repo([redis, symptom, fix], components: yaml)
        let r = index.correlate(CorrelationRequest("gh-api errors", at: Fixture.time("2026-03-12T14:20:00Z"), window: 3600))
        #expect(r.components == ["github-api"])
        let cause = try #require(r.probableCause)
        #expect(cause.event.id == redis.id)
        #expect(cause.summary.contains("github-api depends on redis-cache"))
        // The rollback after the onset is never a cause: it is the response.
        #expect(!r.related.contains { $0.event.id == fix.id })
        #expect(r.response.map(\.event.id) == [fix.id])
        #expect(r.response.first?.summary.contains("after the onset") == true)
        withExtendedLifetime(repository) {}
    }

    @Test func componentsNamedLoosely() {
        let known = ["github-mcp-server", "github-api", "cortex-mcp-server", "gateway-proxy", "gateway-api", "redis-cache", "redis-api"]
        let catalog = ComponentCatalog(components: [.init(name: "vault-operator", aliases: ["vault"])])
        let m = ComponentMatcher(known: known, catalog: catalog)
        #expect(m.match("github-mcp crashing").map(\.name) == ["github-mcp-server"])
        #expect(m.match("the GitHub MCP server is down").map(\.name) == ["github-mcp-server"])
        #expect(m.match("gateway proxy 502s").map(\.name) == ["gateway-proxy"])
        #expect(m.match("redis-cache OOM").first == ComponentMatcher.Match(name: "redis-cache", strength: 1))
        #expect(m.match("vault is sealed").map(\.name) == ["vault-operator"])
        #expect(Set(m.match("redis is slow").map(\.name)) == ["redis-cache", "redis-api"])
        #expect(m.match("redis is slow").allSatisfy { $0.strength < 0.8 })
        #expect(m.match("server down").isEmpty)
        #expect(m.match("everything is on fire").isEmpty)
    }

    @Test func catalogReaderReportsProblems() {
        let good = ComponentCatalog.parse("components:\n  a-api:\n    depends_on: [\"[[b-db]]\", c-cache]\n    namespace: prod\n")
        #expect(good.dependencies(of: "a-api") == ["b-db", "c-cache"])
        #expect(good.dependents(of: "c-cache") == ["a-api"])
        #expect(good.components["a-api"]?.namespace == "prod")
        #expect(good.problem == nil)
        let bad = ComponentCatalog.parse("components:\n  a-api: [unclosed\n")
        #expect(bad.components.isEmpty)
        #expect(bad.problem?.path == ".cmem/components.yaml")
        #expect(ComponentCatalog.parse("other: 1\n").components.isEmpty)
    }

    @Test func durationsReadNaturally() {
        #expect(durationText(37 * 60) == "37 min")
        #expect(durationText(2 * 3600 + 10 * 60) == "2 h 10 min")
        #expect(durationText(3 * 3600 - 20) == "3 h")
        #expect(durationText(45 * 3600) == "2 days")
        #expect(durationText(30) == "30 s")
    }
}
