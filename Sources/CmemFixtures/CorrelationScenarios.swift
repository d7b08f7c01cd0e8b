import MemoryIndex
import MemoryModel

/// The scenario suite: seventeen incidents with known causes (a bad commit deployed, a configuration
/// change, a failing dependency, an explicit `caused_by`, a loosely named component, a fix deployed after
/// the onset, a past incident that points at the same kind of change, and one with no cause at all), each
/// with decoys (a recent unrelated deployment, a restart storm elsewhere, older or benign changes on the
/// same component) and about two days of noise from `NoiseGenerator` or `ClusterNoiseGenerator`. Four
/// more test what a timeline read cold needs: a cause on another component reached only through the
/// symptom's class (DNS), a question asked hours after the onset, a similarly named decoy, and nothing
/// in the window at all.
public enum CorrelationScenarios {
    public enum NoiseModel: String, CaseIterable, Sendable {
        case grid, cluster
    }

    /// - Parameters:
    ///   - noisePerDay: unrelated events per day (the benchmark's year of 1M events is about 2,700 a day).
    ///   - seed: the noise seed; the same seed gives the same suite.
    ///   - noise: which noise model buries the incidents (the grid of `NoiseGenerator`, or the cluster of
    ///     `ClusterNoiseGenerator`, whose events follow each other as in production).
    public static func all(noisePerDay: Int = 2700, seed: UInt64 = 42, noise: NoiseModel = .grid) -> [CorrelationScenario] {
        var out: [CorrelationScenario] = []
        var b = Builder(seed: seed, noisePerDay: noisePerDay, onset: "2026-03-11T14:20:00Z", model: noise)

        // 1. A commit deployed 37 minutes before the pods crash: the answer is the commit and its deployment.
        do {
            b.begin(components: ["github-mcp-server"])
            let sha = b.sha()
            let commit = b.add(-2 * 1440 + 180, "git_commit", "github", "Fix pip install logic in init container (\(sha.prefix(7)))",
                               ["github-mcp-server"], details: [("sha", .string(sha)), ("author", .string("dana")),
                                                                ("files_changed", .array([.string("src/github_mcp/server.py"), .string("requirements.txt")]))])
            let deploy = b.add(-37, "deployment", "argocd", "Synced github-mcp-server to revision \(sha.prefix(7))", ["github-mcp-server"],
                               details: [("namespace", .string("cortex-mcp")), ("sha", .string(sha))])
            b.add(0, "pod_restart", "k8s", "Container github-mcp-server in CrashLoopBackOff: Error (exit code 1)", ["github-mcp-server"], severity: .warning)
            b.add(4, "pod_restart", "k8s", "Container github-mcp-server in CrashLoopBackOff: Error (exit code 1)", ["github-mcp-server"], severity: .warning)
            b.add(9, "health_change", "argocd", "github-mcp-server health Healthy -> Degraded", ["github-mcp-server"], severity: .warning)
            b.add(12, "incident", "cortex", "Incident: github-mcp-server crash looping", ["github-mcp-server"], severity: .critical)
            b.add(-5, "deployment", "argocd", "Rolled out billing-api image tag v2.4.1", ["billing-api"])
            b.restartStorm("search-worker", from: -70, count: 8)
            out.append(b.finish("bad-commit-deployed", "a commit deployed 37 min before the crash loop; decoys: a deployment 5 min before, a restart storm",
                                symptom: "github-mcp crash looping", now: 40, expected: [commit, deploy]))
        }
        // 2. A configuration change 20 minutes before, with older and benign changes on the same component.
        do {
            b.begin(components: ["notify-worker"])
            b.add(-18 * 60, "deployment", "argocd", "Rolled out notify-worker image tag v1.8.0", ["notify-worker"])
            let config = b.add(-20, "config_change", "git", "Changed REDIS_URL for notify-worker from 3 to 8", ["notify-worker"],
                               details: [("namespace", .string("cortex-system"))])
            b.add(-5, "scaling", "keda", "KEDA scaled notify-worker from 2 to 4 replicas", ["notify-worker"])
            b.add(0, "incident", "cortex", "Incident: notify-worker connection refused to redis", ["notify-worker"], severity: .critical)
            b.add(3, "pod_restart", "k8s", "Pod notify-worker-5d2c1a restarted: Error (exit code 1)", ["notify-worker"], severity: .warning)
            b.add(-2, "deployment", "argocd", "Synced jira-ui to revision \(b.sha().prefix(7))", ["jira-ui"])
            out.append(b.finish("config-change", "a config change 20 min before; an older deployment and a benign scale-up on the same component",
                                symptom: "notify-worker connection refused", now: 30, expected: [config]))
        }
        // 3. A dependency deployed, then OOM-killed, then its client returns 502s.
        do {
            b.begin(components: ["github-api", "redis-cache"])
            b.componentsYAML = "components:\n  github-api:\n    depends_on: [redis-cache]\n    paths: [\"src/github_api/**\"]\n  redis-cache:\n    namespace: cortex-system\n"
            let deploy = b.add(-25, "deployment", "argocd", "Rolled out redis-cache image tag v7.2.4", ["redis-cache"])
            b.add(-12, "pod_restart", "k8s", "Pod redis-cache-7f9c2d restarted: OOMKilled", ["redis-cache"], severity: .warning)
            b.add(-8, "pod_restart", "k8s", "Pod redis-cache-7f9c2d restarted: OOMKilled", ["redis-cache"], severity: .warning)
            b.add(0, "trace_anomaly", "phoenix", "Error-rate spike on github-api: 38%", ["github-api"], severity: .warning)
            b.add(5, "incident", "cortex", "Incident: github-api returning 502", ["github-api"], severity: .critical)
            b.add(-3, "deployment", "argocd", "Rolled out jira-api image tag v1.2.0", ["jira-api"])
            b.add(-30, "config_change", "git", "Changed TIMEOUT_SECONDS for slack-api from 5 to 30", ["slack-api"])
            out.append(b.finish("dependency-failure", "the declared dependency was deployed and then OOM-killed; decoy deployment 3 min before",
                                symptom: "github-api returning 502", now: 20, expected: [deploy]))
        }
        // 4. A registry setting changed; pods cannot pull their image.
        do {
            b.begin(components: ["billing-worker"])
            b.add(-6 * 60, "deployment", "argocd", "Rolled out billing-worker image tag v3.1.0", ["billing-worker"])
            let config = b.add(-45, "config_change", "git", "Updated ConfigMap billing-worker-config key REGISTRY_URL", ["billing-worker"])
            b.add(0, "pod_restart", "k8s", "Pod billing-worker-4c1a9e restarted: ImagePullBackOff", ["billing-worker"], severity: .warning)
            b.add(10, "incident", "cortex", "Incident: billing-worker cannot pull image", ["billing-worker"], severity: .critical)
            b.add(-10, "deployment", "argocd", "Rolled out desktop-ui image tag v0.9.1", ["desktop-ui"])
            b.restartStorm("cortex-agent", from: -30, count: 6)
            out.append(b.finish("registry-config", "REGISTRY_URL changed 45 min before ImagePullBackOff; an older deployment of the same component",
                                symptom: "billing worker cannot pull image", now: 25, expected: [config]))
        }
        // 5. A certificate rotation committed yesterday and deployed 15 minutes before.
        do {
            b.begin(components: ["auth-api"])
            let sha = b.sha()
            let commit = b.add(-20 * 60, "git_commit", "github", "Rotate service certificate (\(sha.prefix(7)))", ["auth-api"],
                               details: [("sha", .string(sha)), ("author", .string("li"))])
            let deploy = b.add(-15, "deployment", "argocd", "Synced auth-api to revision \(sha.prefix(7))", ["auth-api"],
                               details: [("sha", .string(sha))])
            b.add(0, "health_change", "argocd", "auth-api health Healthy -> Degraded", ["auth-api"], severity: .warning)
            b.add(2, "incident", "cortex", "Incident: auth-api certificate expired", ["auth-api"], severity: .critical)
            b.add(-1, "deployment", "argocd", "Rolled out auth-ui image tag v2.0.0", ["auth-ui"])
            b.restartStorm("vault-proxy", from: -45, count: 7)
            out.append(b.finish("certificate-rotation", "a commit from yesterday deployed 15 min before; a sibling component deployed 1 min before",
                                symptom: "auth-api certificate expired", now: 30, expected: [commit, deploy]))
        }
        // 6. More workers, then out of memory; a benign autoscaling just before.
        do {
            b.begin(components: ["search-worker"])
            let config = b.add(-60, "config_change", "git", "Changed MAX_WORKERS for search-worker from 2 to 12", ["search-worker"])
            b.add(-10, "scaling", "keda", "KEDA scaled search-worker from 2 to 5 replicas", ["search-worker"])
            b.add(0, "pod_restart", "k8s", "Pod search-worker-9e8d7c restarted: OOMKilled", ["search-worker"], severity: .warning)
            b.add(6, "incident", "cortex", "Incident: search-worker out of memory", ["search-worker"], severity: .critical)
            b.add(-4, "deployment", "argocd", "Synced notify-api to revision \(b.sha().prefix(7))", ["notify-api"])
            out.append(b.finish("oom-after-config", "MAX_WORKERS raised an hour before OOMKilled; an autoscaler scale-up 10 min before",
                                symptom: "search-worker out of memory", now: 30, expected: [config]))
        }
        // 7. No cause: nothing changed on the component or anything it depends on.
        do {
            b.begin(components: ["vault-agent"])
            b.add(0, "trace_anomaly", "phoenix", "Latency anomaly on vault-agent: p99 9000 ms", ["vault-agent"], severity: .warning)
            b.add(10, "incident", "cortex", "Incident: vault-agent high latency", ["vault-agent"], severity: .critical)
            b.add(-4, "deployment", "argocd", "Rolled out keda-operator image tag v2.14.0", ["keda-operator"])
            b.restartStorm("jira-worker", from: -40, count: 6)
            out.append(b.finish("no-cause", "a latency incident with no change anywhere related; the right answer is \"no plausible cause\"",
                                symptom: "vault-agent high latency", now: 30, expected: []))
        }
        // 8. History: last time this component failed, a feature-flag change was the cause.
        do {
            b.begin(components: ["phoenix-api"])
            let pastConfig = b.add(-10 * 1440, "config_change", "git", "Updated ConfigMap phoenix-api-config key FEATURE_FLAGS", ["phoenix-api"])
            b.add(-10 * 1440 + 20, "incident", "cortex", "Incident: phoenix-api returning 502", ["phoenix-api"], severity: .critical, causedBy: pastConfig)
            let config = b.add(-3 * 60, "config_change", "git", "Updated ConfigMap phoenix-api-config key FEATURE_FLAGS", ["phoenix-api"])
            b.add(-2 * 60, "deployment", "argocd", "Rolled out phoenix-api image tag v2.0.3", ["phoenix-api"])
            b.add(0, "trace_anomaly", "phoenix", "Error-rate spike on phoenix-api: 45%", ["phoenix-api"], severity: .warning)
            b.add(5, "incident", "cortex", "Incident: phoenix-api returning 502", ["phoenix-api"], severity: .critical)
            out.append(b.finish("history", "a flag change 3 h before and a deployment 2 h before; the last incident was caused by a flag change",
                                symptom: "phoenix-api error rate spike", now: 30, expected: [config]))
        }
        // 9. The incident names its cause (caused_by), which is not the latest change.
        do {
            b.begin(components: ["slack-worker"])
            let scaledToZero = b.add(-40, "scaling", "keda", "KEDA scaled slack-worker from 5 to 0 replicas", ["slack-worker"])
            b.add(-10, "deployment", "argocd", "Rolled out slack-worker image tag v1.1.2", ["slack-worker"])
            b.add(0, "incident", "cortex", "Incident: slack-worker returning 502", ["slack-worker"], severity: .critical, causedBy: scaledToZero)
            b.add(3, "health_change", "argocd", "slack-worker health Healthy -> Missing", ["slack-worker"], severity: .warning)
            out.append(b.finish("explicit-caused-by", "the incident's caused_by points at a scale-to-zero 40 min before; a deployment 10 min before",
                                symptom: "slack-worker returning 502", now: 20, expected: [scaledToZero]))
        }
        // 10. A component named loosely ("gateway proxy"), a sibling deployed closer to the onset.
        do {
            b.begin(components: ["gateway-proxy"])
            let deploy = b.add(-12, "deployment", "argocd", "Rolled out gateway-proxy image tag v2.3.1", ["gateway-proxy"])
            b.add(-8, "deployment", "argocd", "Synced gateway-api to revision \(b.sha().prefix(7))", ["gateway-api"])
            b.add(0, "pod_restart", "k8s", "Container gateway-proxy in CrashLoopBackOff: liveness probe failed", ["gateway-proxy"], severity: .warning)
            b.add(4, "incident", "cortex", "Incident: gateway-proxy returning 502", ["gateway-proxy"], severity: .critical)
            b.restartStorm("cortex-worker", from: -50, count: 6)
            out.append(b.finish("loose-name", "\"gateway proxy 502s\" must mean gateway-proxy, not gateway-api deployed 8 min before onset",
                                symptom: "gateway proxy 502s", now: 25, expected: [deploy]))
        }
        // 11. Given onset; the fix deployed after it is not a cause.
        do {
            b.begin(components: ["desktop-api"])
            let deploy = b.add(-50, "deployment", "argocd", "Rolled out desktop-api image tag v4.0.0", ["desktop-api"])
            b.add(0, "trace_anomaly", "phoenix", "Latency anomaly on desktop-api: p99 12000 ms", ["desktop-api"], severity: .warning)
            b.add(40, "deployment", "argocd", "Rollback of desktop-api to v3.9.2", ["desktop-api"])
            b.add(45, "health_change", "argocd", "desktop-api health Degraded -> Healthy", ["desktop-api"])
            out.append(b.finish("fix-after-onset", "with --at: the rollback 40 min after the onset is the fix, the deployment 50 min before is the cause",
                                symptom: "desktop-api high latency", at: 0, now: 60, expected: [deploy]))
        }
        // 12. A dependency's certificate rotation (commit + deployment) breaks its dependent's health checks.
        do {
            b.begin(components: ["auth-worker", "vault-operator"])
            b.componentsYAML = "components:\n  auth-worker:\n    depends_on: [vault-operator]\n"
            let sha = b.sha()
            let commit = b.add(-3 * 60, "git_commit", "github", "Rotate service certificate (\(sha.prefix(7)))", ["vault-operator"],
                               details: [("sha", .string(sha))])
            let deploy = b.add(-30, "deployment", "argocd", "Synced vault-operator to revision \(sha.prefix(7))", ["vault-operator"],
                               details: [("sha", .string(sha))])
            b.add(0, "health_change", "argocd", "auth-worker health Healthy -> Degraded", ["auth-worker"], severity: .warning)
            b.add(2, "incident", "cortex", "Incident: auth-worker failing health checks", ["auth-worker"], severity: .critical)
            b.add(5, "scaling", "keda", "KEDA scaled auth-worker from 2 to 6 replicas", ["auth-worker"])
            b.add(-6, "deployment", "argocd", "Rolled out keda-ui image tag v1.0.4", ["keda-ui"])
            b.restartStorm("postgres-worker", from: -35, count: 6)
            out.append(b.finish("dependency-commit-chain", "a dependency's commit deployed 30 min before; an unrelated deployment 6 min before",
                                symptom: "auth-worker failing health checks", now: 30, expected: [commit, deploy]))
        }
        // 13. Given onset: the change inside the window, not the older deployment outside it.
        do {
            b.begin(components: ["cortex-agent"])
            b.add(-26 * 60, "deployment", "argocd", "Rolled out cortex-agent image tag v5.0.0", ["cortex-agent"])
            let config = b.add(-2 * 60, "config_change", "git", "Changed MAX_WORKERS for cortex-agent from 2 to 10", ["cortex-agent"])
            for k in 0..<6 { b.add(k * 5, "pod_restart", "k8s", "Pod cortex-agent-1a2b3c restarted: OOMKilled", ["cortex-agent"], severity: .warning) }
            b.add(10, "incident", "cortex", "Incident: cortex-agent out of memory", ["cortex-agent"], severity: .critical)
            b.add(-15, "deployment", "argocd", "Synced layer-ui to revision \(b.sha().prefix(7))", ["layer-ui"])
            out.append(b.finish("change-in-window", "with --at: MAX_WORKERS raised 2 h before; an older deployment 26 h before is outside the window",
                                symptom: "cortex-agent out of memory", at: 0, now: 50, expected: [config]))
        }
        // 14. A cause on another component, reached only through the symptom's class: DNS failures
        //     depend on coredns, which no catalog declares.
        do {
            b.begin(components: ["notify-api", "coredns"])
            b.add(-20 * 60, "deployment", "argocd", "Synced notify-api to revision \(b.sha().prefix(7))", ["notify-api"])
            let cause = b.add(-11, "config_change", "git", "coredns Corefile: upstream forwarder 10.0.0.2 -> 10.9.9.9", ["coredns"])
            b.add(-4, "deployment", "argocd", "Rolled out jira-ui image tag v3.1.0", ["jira-ui"])
            b.add(0, "alert", "collector", "Alert WebhookFailures firing on notify-api (dial tcp: lookup hooks.slack.com: no such host)",
                  ["notify-api"], severity: .error)
            b.add(3, "incident", "cortex", "Incident: notify-api cannot deliver webhooks", ["notify-api"], severity: .critical)
            out.append(b.finish("dns-infrastructure", "a CoreDNS forwarder change 11 min before lookups fail in another service; its own deploy 20 h before",
                                symptom: "notify-api webhooks failing: DNS lookup errors", at: 0, now: 30, expected: [cause]))
        }
        // 15. Asked five hours after the onset, the failures still going on and a rollback and a log-level
        //     change made in between: the onset is walked back to the first failure.
        do {
            b.begin(components: ["ledger-api"])
            b.add(-3 * 60, "deployment", "argocd", "Rolled out ledger-api image tag v1.4.0", ["ledger-api"])
            let config = b.add(-25, "config_change", "git", "Changed DB_POOL_SIZE for ledger-api from 20 to 2", ["ledger-api"])
            for k in 0..<12 {
                b.add(k * 20, "pod_restart", "k8s", "Pod ledger-api-\(b.sha().prefix(6)) restarted: liveness probe failed (timeout acquiring a connection)",
                      ["ledger-api"], severity: .warning)
            }
            b.add(45, "deployment", "argocd", "Rollback of ledger-api to v1.3.9", ["ledger-api"])
            b.add(4 * 60, "config_change", "git", "Changed LOG_LEVEL for ledger-api from info to debug", ["ledger-api"])
            out.append(b.finish("asked-long-after", "asked 5 h after the onset: a rollback and a debug-logging change after it are the response",
                                symptom: "ledger-api keeps restarting", now: 5 * 60, expected: [config]))
        }
        // 16. A similarly named component changed just before.
        do {
            b.begin(components: ["billing-api", "billing-api-canary"])
            let cause = b.add(-50, "config_change", "git", "Changed TIMEOUT_SECONDS for billing-api from 30 to 1", ["billing-api"])
            b.add(-3, "deployment", "argocd", "Synced billing-api-canary to revision \(b.sha().prefix(7))", ["billing-api-canary"])
            b.add(0, "trace_anomaly", "phoenix", "Error-rate spike on billing-api: 35%", ["billing-api"], severity: .warning)
            b.add(4, "incident", "cortex", "Incident: billing-api returning 504", ["billing-api"], severity: .critical)
            out.append(b.finish("similar-name-decoy", "billing-api-canary deployed 3 min before; the cause is billing-api's timeout cut 50 min before",
                                symptom: "billing-api 504s", at: 0, now: 30, expected: [cause]))
        }
        // 17. Nothing in the window: the component's last change is 30 h old.
        do {
            b.begin(components: ["vault-scheduler"])
            b.add(-30 * 60, "deployment", "argocd", "Rolled out vault-scheduler image tag v2.0.0", ["vault-scheduler"])
            b.add(-8 * 60, "health_change", "k8s", "vault-scheduler readiness probes passing", ["vault-scheduler"])
            b.add(-6, "deployment", "argocd", "Rolled out notify-ui image tag v1.2.0", ["notify-ui"])
            b.add(0, "alert", "collector", "Alert JobDurationHigh firing on vault-scheduler (p95 14m)", ["vault-scheduler"], severity: .error)
            out.append(b.finish("nothing-in-window", "the only vault-scheduler change is 30 h old, outside the 24 h window: the honest answer is none",
                                symptom: "vault-scheduler jobs slow", at: 0, now: 30, expected: []))
        }
        return out
    }

    /// Builds one scenario at a time around a fixed onset.
    struct Builder {
        var noise: NoiseGenerator
        let noisePerDay: Int
        let onset: Timestamp
        var events: [TimelineEvent] = []
        var componentsYAML: String?
        var scenarioIndex = 0
        let seed: UInt64
        let model: NoiseModel

        init(seed: UInt64, noisePerDay: Int, onset: String, model: NoiseModel) {
            noise = NoiseGenerator(seed: seed)
            self.noisePerDay = noisePerDay
            self.onset = Timestamp(iso8601: onset)!
            self.seed = seed
            self.model = model
        }

        mutating func begin(components: [String]) {
            events = []
            componentsYAML = nil
            noise.excludedComponents = Set(components)
        }

        mutating func sha() -> String { noise.hex(40) }

        /// An event `minutes` after the onset (negative: before). Returns its ID.
        @discardableResult
        mutating func add(_ minutes: Int, _ type: String, _ source: String, _ description: String, _ components: [String],
                          severity: Severity = .info, details: [(String, JSONValue)] = [], causedBy: String? = nil) -> String {
            let t = onset.adding(seconds: Int64(minutes) * 60 + Int64(noise.int(0...59)))
            var d = details
            if !d.contains(where: { $0.0 == "namespace" }) { d.insert(("namespace", .string(noise.pick(NoiseGenerator.namespaces))), at: 0) }
            let id = noise.eventID(at: t)
            events.append(TimelineEvent(id: id, timestamp: t, type: type, source: source, description: description,
                                        details: .object(d), causedBy: causedBy, components: components, severity: severity))
            return id
        }

        /// Restarts of one component every few minutes: a storm that has nothing to do with the symptom.
        mutating func restartStorm(_ component: String, from minutes: Int, count: Int) {
            for k in 0..<count {
                add(minutes + k * 3, "pod_restart", "k8s", "Pod \(component)-\(noise.hex(6)) restarted: \(noise.pick(["OOMKilled", "Error (exit code 1)", "liveness probe failed"]))",
                    [component], severity: .warning, details: [("restarts", .number(Double(k + 1)))])
            }
        }

        mutating func finish(_ name: String, _ summary: String, symptom: String, at: Int? = nil, now: Int,
                             expected: Set<String>) -> CorrelationScenario {
            // About two days of noise before the onset, and some after it.
            let from = onset.adding(seconds: -2 * 86_400)
            let to = onset.adding(seconds: 6 * 3600)
            let count = noisePerDay * 9 / 4
            var all = events
            switch model {
            case .grid:
                all += noise.events(count: count, from: from, to: to)
            case .cluster:
                var cluster = ClusterNoiseGenerator(seed: seed &* 1000 &+ UInt64(scenarioIndex))
                cluster.excludedComponents = noise.excludedComponents
                all += cluster.events(perDay: noisePerDay, from: from, to: to)
            }
            all.sort { $0.timestamp < $1.timestamp }
            let request = CorrelationRequest(symptom, at: at.map { onset.adding(seconds: Int64($0) * 60) }, window: 86_400, limit: 10,
                                             now: onset.adding(seconds: Int64(now) * 60))
            scenarioIndex += 1
            return CorrelationScenario(name: name, summary: summary, events: all, componentsYAML: componentsYAML, request: request,
                                       expectedCauses: expected)
        }
    }
}
