import Collector
import MemoryModel
import Testing

@Suite("Configuration")
struct ConfigTests {
    @Test func defaultsRecogniseRolesByLabelAndName() {
        let c = CollectorConfig()
        #expect(c.role(kind: "Deployment", name: "github-mcp-server", namespace: "tools", labels: [:]) == .mcpServer)
        #expect(c.role(kind: "Deployment", name: "search", namespace: "tools",
                       labels: ["app.kubernetes.io/component": "mcp-server"]) == .mcpServer)
        #expect(c.role(kind: "Deployment", name: "mcpproxy", namespace: "tools", labels: [:]) == .mcpServer)
        #expect(c.role(kind: "Deployment", name: "review-agent", namespace: "ai", labels: [:]) == .agent)
        #expect(c.role(kind: "Namespace", name: "layer-data", namespace: nil, labels: [:]) == .layerStack)
        #expect(c.role(kind: "Deployment", name: "api", namespace: "shop", labels: ["cortex.io/layer": "edge"]) == .layerStack)
        #expect(c.role(kind: "Deployment", name: "api", namespace: "shop", labels: [:]) == nil)
        #expect(c.intervalSeconds == 60)
        #expect(c.restartWindowSeconds == 900)
    }

    @Test func readsTheCollectorSection() throws {
        let values = try JSONValue.parse("""
        {"context": "prod", "kubeconfig": "~/.kube/prod", "interval": "2m", "timeout": 10, "restart-window": "1h",
         "argocd": "cli", "exclude_namespaces": ["kube-*"], "unknown_key": {"ignored": true},
         "roles": {"mcp_servers": {"labels": {"team": "mcp"}, "names": ["*-tools"]}, "agent": {"labels": ["cortex.io/agent"]}}}
        """)
        let c = try CollectorConfig(values: values)
        #expect(c.context == "prod")
        #expect(c.kubeconfig == "~/.kube/prod")
        #expect(c.intervalSeconds == 120)
        #expect(c.timeoutSeconds == 10)
        #expect(c.restartWindowSeconds == 3600)
        #expect(c.argocd == .cli)
        #expect(!c.includes(namespace: "kube-system"))
        #expect(c.includes(namespace: "shop"))
        #expect(c.mcpServer == RoleRule(labels: ["team": "mcp"], names: ["*-tools"]))
        #expect(c.agent == RoleRule(labels: ["cortex.io/agent": "*"]))
        #expect(c.role(kind: "Deployment", name: "github-mcp-server", namespace: "x", labels: [:]) == nil)
        #expect(c.role(kind: "Deployment", name: "git-tools", namespace: "x", labels: [:]) == .mcpServer)
        #expect(try CollectorConfig(values: .null) == CollectorConfig())
    }

    @Test func wrongTypesAreErrorsThatNameTheKey() {
        #expect(throws: ValidationError("collector.interval \"soon\" is not a duration like 90s, 30m, 24h or 7d")) {
            try CollectorConfig(values: .object([("interval", .string("soon"))]))
        }
        #expect(throws: ValidationError("collector.namespaces: expected a list of strings")) {
            try CollectorConfig(values: .object([("namespaces", .object([]))]))
        }
        #expect(throws: ValidationError.self) {
            try CollectorConfig(values: .object([("argocd", .string("sometimes"))]))
        }
    }

    @Test func namespaceFiltersApplyToEveryKind() async throws {
        var config = CollectorConfig()
        config.excludeNamespaces = ["perf-*"]
        let snapshot = try await Scenario().snapshot(second: false, config: config)
        #expect(!snapshot.components.keys.contains { $0.contains("/perf-stg") })
        #expect(snapshot.components["deployment/ned/valla"] != nil)
    }
}

@Suite("Views: page, diff, health")
struct ViewTests {
    @Test func markdownPageNamesWhatIsUnhealthy() async throws {
        let second = try await Scenario().snapshot(second: true)
        let page = second.markdownPage()
        #expect(page.hasPrefix("# Infrastructure\n"))
        #expect(page.contains("**critical** Deployment `perf-stg/useraccount` — CrashLoopBackOff"))
        #expect(page.contains("**degraded** Application `argocd/myapp` — sync Synced, health Degraded"))
        #expect(page.contains("| argocd/myapp | Synced | Degraded | 39313e1c4af3 | Succeeded |"))
        #expect(page.contains("BackOff on `deployment/my-app/my-app`"))
        #expect(page.contains("1 nodes"))
        #expect(page.contains("Health: "))
        // Same state, same page.
        #expect(page == (try await Scenario().snapshot(second: true)).markdownPage())
    }

    @Test func pageListsRolesAndFailedSources() async throws {
        var s = InfraSnapshot()
        var mcp = ComponentState(kind: "Deployment", namespace: "tools", name: "github-mcp-server", status: .healthy)
        mcp.role = .mcpServer
        s.components[mcp.key] = mcp
        s.sources["pods"] = .failed("kubectl get pods timed out after 30s")
        let page = s.markdownPage()
        #expect(page.contains("## MCP servers\n\n- **healthy** Deployment `tools/github-mcp-server`"))
        #expect(page.contains("- `pods`: kubectl get pods timed out after 30s"))
        #expect(page.contains("Nothing is unhealthy."))
    }

    @Test func structuredDiffIsFieldByField() async throws {
        let scenario = try Scenario()
        let first = try await scenario.snapshot(second: false)
        let second = try await scenario.snapshot(second: true)
        let diff = StructuredDiff.between(first, second)
        #expect(diff.added.isEmpty)
        #expect(diff.removed.map(\.key) == ["service/perf-stg/useraccount-legacy"])
        let image = try #require(diff.changed.first { $0.component == "deployment/icx/icx-db" && $0.field == "image" })
        #expect(image.old == .string("postgres:9.2-alpine"))
        #expect(image.new == .string("postgres:9.6-alpine"))
        #expect(diff.changed.contains { $0.component == "deployment/ned/valla" && $0.field == "replicas" && $0.new == .number(3) })
        #expect(diff.changed.contains { $0.component == "application/argocd/myapp" && $0.field == "health" })
        #expect(!diff.changed.contains { $0.field == "restart_report" })
        guard case let .array(changed)? = diff.json["changed"] else { Issue.record("no changed list"); return }
        #expect(changed.count == diff.changed.count)
        #expect(StructuredDiff.between(first, first).isEmpty)
    }

    @Test func healthCountsAndDegradedList() async throws {
        let second = try await Scenario().snapshot(second: true)
        let health = HealthSummary(second)
        #expect(health.critical == 1)
        #expect(health.degraded == 1)
        #expect(health.healthy + health.critical + health.degraded + health.unknown == second.components.count)
        #expect(health.unhealthy.map(\.key) == ["deployment/perf-stg/useraccount", "application/argocd/myapp"])
        #expect(health.json["critical"] == .number(1))
    }

    @Test func currentViewAndComponentLookup() async throws {
        let second = try await Scenario().snapshot(second: true)
        let current = second.current
        guard case let .array(nodes)? = current["nodes"], case let .array(deployments)? = current["deployments"] else {
            Issue.record("missing sections"); return
        }
        #expect(nodes.count == 1)
        #expect(deployments.count == 3)
        #expect(current["pods"]?["total"] == .number(5))
        #expect(current["pods"]?["crash_looping"] == .array([.string("deployment/perf-stg/useraccount")]))
        #expect(second.components(named: "valla").map(\.key) == ["deployment/ned/valla", "service/ned/valla"])
        #expect(second.components(named: "ned/valla").count == 2)
        #expect(second.components(named: "deployment/ned/valla").count == 1)
        let valla = try #require(second.components(named: "deployment/ned/valla").first)
        #expect(valla.json["replicas"] == .number(3))
        #expect(valla.json["image"] == .string(Scenario.vallaImage))
        #expect(valla.json["status"] == .string("healthy"))
    }
}
