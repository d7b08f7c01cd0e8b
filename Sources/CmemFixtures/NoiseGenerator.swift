import MemoryModel

/// A deterministic stream of realistic but unrelated memory records: a Swift port of the noise part of
/// `bench/gen_events.py` (same vocabulary of components, event types, phrases and weights). The same seed
/// gives the same records on every machine. Used by the correlation scenarios (as the haystack that real
/// causes are buried in) and by benchmarks.
public struct NoiseGenerator: Sendable {
    public static let systems = ["github", "slack", "jira", "postgres", "redis", "argocd", "keda", "layer", "phoenix",
                                 "cortex", "desktop", "registry", "gateway", "auth", "billing", "search", "notify", "vault"]
    public static let roles = ["mcp-server", "api", "worker", "operator", "db", "cache", "proxy", "agent", "scheduler", "ui"]
    public static let components: [String] = systems.flatMap { s in roles.map { "\(s)-\($0)" } }
    public static let namespaces = ["cortex-system", "cortex-mcp", "monitoring", "argocd", "keda", "default"]
    /// (type, source, weight)
    public static let types: [(String, String, Int)] = [
        ("deployment", "argocd", 10), ("config_change", "git", 6), ("git_commit", "github", 18),
        ("pod_restart", "k8s", 25), ("scaling", "keda", 14), ("health_change", "argocd", 10),
        ("stack_activation", "layer-activator", 8), ("incident", "cortex", 2),
        ("trace_anomaly", "phoenix", 5), ("task_completed", "cortex-agents", 2),
    ]
    static let messages = ["Fix pip install logic in init container", "Bump base image", "Add readiness probe",
                           "Raise memory limit to 512Mi", "Switch registry mirror", "Refactor token refresh",
                           "Pin dependency versions", "Add retry with backoff to webhook client", "Remove unused env var",
                           "Enable debug logging", "Rotate service certificate", "Tune KEDA cooldown period"]
    static let reasons = ["OOMKilled", "Error (exit code 1)", "ImagePullBackOff", "liveness probe failed",
                          "Completed", "CreateContainerConfigError"]
    static let symptoms = ["crash looping", "returning 502", "high latency", "out of memory", "failing health checks",
                           "cannot pull image", "certificate expired", "connection refused to postgres"]
    static let keys = ["LOG_LEVEL", "REDIS_URL", "MAX_WORKERS", "TIMEOUT_SECONDS", "REGISTRY_URL", "FEATURE_FLAGS"]
    static let files = ["Sources/Server/Routes.swift", "charts/mcp/values.yaml", "k8s/deployment.yaml",
                        "docker/Dockerfile", "scripts/install.sh", "README.md", "config/keda.yaml",
                        "src/github_mcp/server.py", "requirements.txt", "argocd/apps/cortex.yaml"]

    private var rng: SplitMix64
    /// Components the stream must not mention (a scenario keeps its own components clean of noise).
    public var excludedComponents: Set<String> = []

    public init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
    }

    // MARK: Random helpers

    public mutating func next() -> UInt64 { rng.next() }
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
    public mutating func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
    public mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
    public mutating func sample<T>(_ items: [T], _ n: Int) -> [T] {
        var pool = items
        var out: [T] = []
        for _ in 0..<min(n, pool.count) { out.append(pool.remove(at: Int(rng.next() % UInt64(pool.count)))) }
        return out
    }
    public mutating func hex(_ digits: Int) -> String {
        var s = ""
        while s.count < digits {
            let v = String(rng.next(), radix: 16)
            s += String(repeating: "0", count: 16 - v.count) + v
        }
        return String(s.prefix(digits))
    }

    /// A new event ID for `time`, in the shape `Identifier.make` gives.
    public mutating func eventID(at time: Timestamp) -> String { "ev-\(time.compact)-\(hex(10))" }

    // MARK: Records

    /// One unrelated event at `time`.
    public mutating func event(at time: Timestamp) -> TimelineEvent {
        let total = Self.types.reduce(0) { $0 + $1.2 }
        var r = int(0...(total - 1))
        var chosen = Self.types[0]
        for t in Self.types {
            if r < t.2 { chosen = t; break }
            r -= t.2
        }
        let (type, source) = (chosen.0, chosen.1)
        var pool = Self.components
        if !excludedComponents.isEmpty { pool.removeAll { excludedComponents.contains($0) } }
        let comps = sample(pool, pick([1, 1, 1, 1, 2, 3]))
        let c = comps[0]
        let sha = hex(7)
        let version = "\(int(1...4)).\(int(0...30)).\(int(0...9))"
        let key = pick(Self.keys)
        var x = "\(int(0...5))", y = "\(int(1...12))"
        let msg = pick(Self.messages)
        let pod = hex(6)
        let reason = pick(Self.reasons)
        let ms = int(50...40000)
        let symptom = pick(Self.symptoms)
        let pct = int(1...60)
        if type == "health_change" {
            let s = sample(["Healthy", "Degraded", "Progressing", "Missing"], 2)
            x = s[0]; y = s[1]
        }
        let description: String
        switch type {
        case "deployment":
            description = pick(["Synced \(c) to revision \(sha)", "Rolled out \(c) image tag v\(version)", "Rollback of \(c) to v\(version)"])
        case "config_change":
            description = pick(["Changed \(key) for \(c) from \(x) to \(y)", "Updated ConfigMap \(c)-config key \(key)"])
        case "git_commit": description = "\(msg) (\(sha))"
        case "pod_restart":
            description = pick(["Pod \(c)-\(pod) restarted: \(reason)", "Container \(c) in CrashLoopBackOff: \(reason)"])
        case "scaling": description = pick(["KEDA scaled \(c) from \(x) to \(y) replicas", "HPA scaled \(c) to \(y) replicas"])
        case "health_change": description = "\(c) health \(x) -> \(y)"
        case "stack_activation": description = "Activated stack \(c) (cold start \(ms) ms)"
        case "incident": description = pick(["Incident: \(c) \(symptom)", "Resolved incident on \(c): \(symptom)"])
        case "trace_anomaly": description = pick(["Latency anomaly on \(c): p99 \(ms) ms", "Error-rate spike on \(c): \(pct)%"])
        default: description = "Agent finished task on \(c): \(msg)"
        }
        var details: [(String, JSONValue)] = [("namespace", .string(pick(Self.namespaces)))]
        if type == "git_commit" || type == "deployment" { details.append(("sha", .string(hex(40)))) }
        if type == "git_commit" {
            details.append(("author", .string(pick(["ryan", "cortex-bot", "dana", "li"]))))
            details.append(("files_changed", .array(sample(Self.files, int(1...3)).map { .string($0) })))
        }
        if type == "pod_restart" { details.append(("restarts", .number(Double(int(1...40))))) }
        let severity: Severity
        if type == "incident" {
            severity = .critical
        } else {
            let s = int(0...99)
            severity = s < 80 ? .info : s < 97 ? .warning : .critical
        }
        return TimelineEvent(id: eventID(at: time), timestamp: time, type: type, source: source, description: description,
                             details: .object(details), components: comps, severity: severity)
    }

    /// `count` unrelated events at random times in `[start, end)`, in time order, at whole seconds.
    public mutating func events(count: Int, from start: Timestamp, to end: Timestamp) -> [TimelineEvent] {
        let span = max(1, end.seconds - start.seconds)
        var times: [Int64] = []
        times.reserveCapacity(count)
        for _ in 0..<count { times.append(start.seconds + Int64(rng.next() % UInt64(span))) }
        times.sort()
        return times.map { event(at: Timestamp(seconds: $0)) }
    }

    /// One working session at `time` with its decisions (0 to 4), as `gen_events.py` shapes them.
    public mutating func session(index: Int, at time: Timestamp) -> (Session, [Decision]) {
        let duration = Int64(int(600...(4 * 3600)))
        let c = pick(Self.components)
        let task = pick(["Fix", "Investigate", "Upgrade", "Document", "Scale down"]) + " \(c)"
        let project = String(c.split(separator: "-").first ?? "")
        let id = "sess-\(time.compact)-\(hex(10))"
        var s = Session(id: id, project: project, workingDirectory: "/home/dev/src/\(project)", startedAt: time, currentTask: task)
        s.endedAt = time.adding(seconds: duration)
        s.updatedAt = s.endedAt!
        s.activeFiles = sample(Self.files, 3)
        s.summary = "\(task): " + pick(["done", "blocked on registry", "half way", "needs review"])
        s.todoList = sample(["write test", "update docs", "deploy", "ask on-call"], 2).map {
            Session.Todo(text: $0, status: pick(["pending", "done"]))
        }
        s.blockers = sample(["registry down", "waiting for review"], int(0...1))
        s.nextSteps = sample(["deploy to prod", "watch metrics", "close incident", "write ADR"], 2)
        let actionCount = int(3...25)
        for j in 0..<actionCount {
            let kind = pick(["command", "read", "edit"])
            let detail = kind == "command"
                ? pick(["kubectl -n cortex-mcp logs deploy/\(c)", "kubectl rollout restart deploy/\(c)", "git status", "swift test", "argocd app sync \(c)"])
                : pick(Self.files)
            s.actions.append(Session.Action(time: time.adding(seconds: Int64(j) * duration / 25), kind: kind, detail: detail))
        }
        var decisions: [Decision] = []
        for k in 0..<int(0...4) {
            let at = time.adding(seconds: Int64(k + 1) * duration / 6)
            let d = Decision(id: "dec-\(at.compact)-\(hex(10))", sessionID: id, timestamp: at,
                             decision: pick(["Use init container", "Scale to 0", "Pin image digest", "Move secret to Vault",
                                             "Add retry", "Revert last deploy"]) + " for \(c)",
                             rationale: pick(["registry unavailable", "crash loop after upgrade", "cost", "flaky network", "security review"]),
                             alternatives: sample(["do nothing", "rewrite", "vendor dependency", "manual restart"], 2),
                             components: [c], project: project)
            decisions.append(d)
            s.decisions.append(d.id)
        }
        _ = index
        return (s, decisions)
    }
}
