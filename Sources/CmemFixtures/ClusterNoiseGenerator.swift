import Foundation
import MemoryModel

/// A second noise model for the correlation scenarios, unlike `NoiseGenerator` (uniform picks from a
/// grid of names): a cluster whose events follow each other the way they do in production. Commits pile
/// up until a deploy ships the latest (the SHA links them), deploys are followed by `Progressing →
/// Healthy`, alerts fire and resolve, health flaps recover, replicas walk up and down with traffic, people
/// change things in office hours, agents run tests and summarise PRs, certificates renew and backups run
/// nightly. The ideas follow the development set's noise model (shared/eval/correlation/README.md); the
/// code and names are this project's own. The same seed gives the same stream.
public struct ClusterNoiseGenerator: Sendable {
    public struct Workload: Sendable {
        public var name: String
        public var namespace: String
        public var kind: String
    }

    public static let workloads: [Workload] = {
        let table: [(String, String, String)] = [
            ("storefront-ui", "web", "ui"), ("account-ui", "web", "ui"), ("help-center-ui", "web", "ui"),
            ("catalog-service", "shop", "api"), ("basket-service", "shop", "api"), ("checkout-service", "shop", "api"),
            ("loyalty-service", "shop", "api"), ("review-service", "shop", "api"), ("tax-service", "finance", "api"),
            ("ledger-service", "finance", "api"), ("fraud-service", "finance", "ml"),
            ("mailer-worker", "jobs", "worker"), ("export-worker", "jobs", "worker"), ("thumbnail-worker", "jobs", "worker"),
            ("ledger-postgres", "data", "db"), ("catalog-postgres", "data", "db"), ("events-kafka", "data", "queue"),
            ("session-valkey", "data", "cache"),
            ("docs-mcp-server", "agents", "mcp"), ("calendar-mcp-server", "agents", "mcp"),
            ("traefik", "edge", "platform"), ("external-dns", "edge", "platform"), ("sealed-secrets", "platform", "platform"),
        ]
        return table.map { Workload(name: $0.0, namespace: $0.1, kind: $0.2) }
    }()

    /// Events per day per workload, by kind and type, before the global volume factor.
    static let rates: [String: [(String, Double)]] = [
        "ui": [("git_commit", 5), ("deployment", 1.2), ("config_change", 0.3), ("scaling", 6), ("health_change", 2), ("alert", 0.5), ("task_completed", 1.5)],
        "api": [("git_commit", 7), ("deployment", 1.4), ("config_change", 0.6), ("scaling", 14), ("pod_restart", 0.6), ("health_change", 3), ("alert", 2), ("task_completed", 2)],
        "worker": [("git_commit", 3), ("deployment", 0.8), ("config_change", 0.4), ("scaling", 24), ("pod_restart", 0.8), ("health_change", 2), ("alert", 1.5)],
        "ml": [("git_commit", 3), ("deployment", 0.6), ("config_change", 0.5), ("scaling", 6), ("trace_anomaly", 2.5), ("health_change", 2)],
        "db": [("config_change", 0.3), ("pod_restart", 0.15), ("health_change", 2), ("alert", 1.5)],
        "queue": [("config_change", 0.3), ("pod_restart", 0.2), ("health_change", 2), ("alert", 1.5)],
        "cache": [("config_change", 0.2), ("pod_restart", 0.2), ("health_change", 2), ("alert", 0.8)],
        "mcp": [("git_commit", 2), ("deployment", 0.5), ("config_change", 0.2), ("pod_restart", 0.4), ("health_change", 2), ("task_completed", 4)],
        "platform": [("git_commit", 1), ("deployment", 0.3), ("config_change", 0.5), ("health_change", 1.5), ("alert", 0.5)],
    ]

    private var rng: SplitMix64
    /// Components the stream must not mention (a scenario keeps its own components clean of noise).
    public var excludedComponents: Set<String> = []

    public init(seed: UInt64) { rng = SplitMix64(seed: seed ^ 0xC1_05_7E_12) }

    private mutating func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
    private mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
    private mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
    private mutating func hex(_ n: Int) -> String {
        var s = ""
        while s.count < n { let v = String(rng.next(), radix: 16); s += String(repeating: "0", count: 16 - v.count) + v }
        return String(s.prefix(n))
    }

    /// Office hours for people's changes, a daily curve for traffic-driven scaling.
    private static func intensity(_ type: String, at seconds: Int64) -> Double {
        let hour = Double((seconds % 86_400 + 86_400) % 86_400) / 3600
        let weekday = ((seconds / 86_400) + 4) % 7 // 1970-01-01 was a Thursday; 5, 6 = Saturday, Sunday
        switch type {
        case "git_commit", "deployment", "config_change", "task_completed":
            return (hour >= 7 && hour < 19 ? 1.8 : 0.25) * (weekday >= 5 ? 0.3 : 1)
        case "scaling":
            return 0.55 + 0.45 * (1 + sin((hour - 9) / 24 * 2 * Double.pi))
        default:
            return 1
        }
    }

    /// About `perDay` events a day in `[start, end)`, in time order.
    public mutating func events(perDay: Int, from start: Timestamp, to end: Timestamp) -> [TimelineEvent] {
        let base = Self.workloads.reduce(0.0) { sum, w in sum + (Self.rates[w.kind] ?? []).reduce(0) { $0 + $1.1 } }
        // Alerts, flaps and deploys add their follow-ups: about 1.3 events per occurrence.
        let volume = Double(perDay) / (base * 1.3)
        var occurrences: [(Int64, Workload, String)] = []
        let span = Double(end.seconds - start.seconds)
        for w in Self.workloads where !excludedComponents.contains(w.name) {
            for (type, rate) in Self.rates[w.kind] ?? [] {
                let multiplier = exp(0.45 * (unit() + unit() + unit() - 1.5)) // a rough lognormal spread
                let expected = rate * multiplier * volume * span / 86_400 * 1.8
                var t = Double(start.seconds)
                while true {
                    t += -log(max(1e-12, unit())) * span / max(1, expected)
                    guard t < Double(end.seconds) else { break }
                    if unit() * 1.8 < Self.intensity(type, at: Int64(t)) { occurrences.append((Int64(t), w, type)) }
                }
            }
        }
        occurrences.sort { $0.0 < $1.0 }
        var out: [TimelineEvent] = []
        var replicas: [String: Int] = [:]
        var pending: [String: [String]] = [:]
        var revision: [String: Int] = [:]
        func event(_ t: Int64, _ type: String, _ source: String, _ text: String, _ w: Workload, _ severity: Severity = .info,
                   _ details: [(String, JSONValue)] = []) -> TimelineEvent {
            let time = Timestamp(seconds: t)
            return TimelineEvent(id: "ev-\(time.compact)-\(hex(10))", timestamp: time, type: type, source: source, description: text,
                                 details: .object([("namespace", .string(w.namespace))] + details), components: [w.name], severity: severity)
        }
        for (t, w, type) in occurrences {
            let c = w.name
            switch type {
            case "git_commit":
                let sha = hex(40)
                pending[c, default: []].append(sha)
                let subject = pick(["Add pagination to \(c.split(separator: "-")[0]) listing", "Fix nil check in request handler",
                                    "Refactor repository layer", "docs: update \(c) runbook", "Bump opentelemetry-sdk to 1.\(int(20...40)).0",
                                    "test: add cases for retries", "Tune retry backoff", "Add metrics for slow queries"])
                out.append(event(t, "git_commit", "github", "\(subject)", w, .info, [("sha", .string(sha)), ("author", .string(pick(["mara", "tomas", "yuki", "renovate[bot]"])))]))
            case "deployment":
                revision[c, default: int(10...400)] += 1
                let sha = pending[c]?.last ?? hex(40)
                pending[c] = []
                out.append(event(t, "deployment", "argocd", "Argo CD synced \(c) to \(sha.prefix(7)) (revision \(revision[c]!))", w, .info,
                                 [("sha", .string(sha)), ("revision", .number(Double(revision[c]!)))]))
                out.append(event(t + Int64(int(60...240)), "health_change", "argocd", "\(c) health: Progressing → Healthy", w))
            case "config_change":
                let key = pick(["LOG_LEVEL", "REQUEST_TIMEOUT_MS", "CACHE_TTL_SECONDS", "FEATURE_NEW_CHECKOUT", "WORKER_CONCURRENCY", "resources.requests.cpu"])
                let a = int(1...9)
                out.append(event(t, "config_change", pick(["git", "k8s"]), "\(c) config: \(key) \(a * 10) → \(a * 10 + 10)", w, .info,
                                 [("key", .string(key))]))
            case "scaling":
                let now = replicas[c] ?? int(2...5)
                let next = max(1, now + (unit() < 0.55 ? 1 : -1))
                guard next != now else { continue }
                replicas[c] = next
                out.append(event(t, "scaling", w.kind == "worker" ? "keda" : "k8s",
                                 "\(w.kind == "worker" ? "KEDA" : "HPA") scaled \(c) from \(now) to \(next) replicas", w))
            case "pod_restart":
                out.append(event(t, "pod_restart", "k8s", "Pod \(c)-\(hex(5)) restarted (\(pick(["exit code 143 after node drain", "liveness probe failed once, recovered", "evicted for node maintenance, rescheduled"])))",
                                 w, pick([.info, .warning])))
            case "health_change":
                if unit() < 0.7 {
                    out.append(event(t, "health_change", "k8s", "\(c) readiness probes passing", w))
                } else {
                    out.append(event(t, "health_change", "k8s", "\(c) health: Healthy → Degraded (1 pod not ready)", w, .warning))
                    out.append(event(t + Int64(int(120...900)), "health_change", "k8s", "\(c) health: Degraded → Healthy", w))
                }
            case "alert":
                let name = pick(["HighLatencyP99", "HighCPU", "ErrorBudgetBurn", "DiskUsage80", "PodMemoryHigh"])
                out.append(event(t, "alert", "collector", "Alert \(name) firing on \(c)", w, .warning))
                out.append(event(t + Int64(int(300...2400)), "alert", "collector", "Alert \(name) resolved on \(c)", w))
            case "trace_anomaly":
                out.append(event(t, "trace_anomaly", "phoenix", "Phoenix: \(pick(["score.batch", "features.load"])) latency p95 +\(int(20...70))% on \(c)", w, .warning))
            case "task_completed":
                out.append(event(t, "task_completed", "agent", pick(["Agent task completed: ran unit tests for \(c) (\(int(50...800)) passed)",
                                                                      "Agent task completed: summarized PR #\(int(100...999)) for \(c)",
                                                                      "Agent task completed: drafted release notes for \(c)"]), w))
            default:
                break
            }
        }
        // Nightly backups of the datastores.
        var day = (start.seconds / 86_400 + 1) * 86_400
        while day < end.seconds {
            for w in Self.workloads where ["db", "cache", "queue"].contains(w.kind) && !excludedComponents.contains(w.name) {
                out.append(event(day + 2 * 3600 + Int64(int(0...1200)), "backup_completed", "collector", "Nightly backup of \(w.name) completed", w))
            }
            day += 86_400
        }
        out.removeAll { $0.timestamp.seconds >= end.seconds }
        out.sort { $0.timestamp < $1.timestamp }
        return out
    }
}
