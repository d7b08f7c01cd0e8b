import MemoryModel

/// What a symptom says about its likely causes: its classes of trouble (read from its words and its
/// events' words), the kinds of change each class implicates, and the infrastructure it depends on.
///
/// The numbers here are the correlator's whole model of "what usually causes what"; docs/INDEX.md
/// states the same table. Every score is `relation × prior × time × evidence`, so a prior of 1.0 means
/// "as likely a cause as an ordinary change", 0.03 means "almost never a cause".
struct SymptomProfile {
    /// Classes of trouble. A symptom may have several ("backlog growing, invoices not processed").
    enum Trouble: String, CaseIterable {
        case crash, errors, latency, imagePull, memory, backlog, certificate, dns, connections, connectionLimit
        case tests, eviction, coldStart, permission
    }

    var troubles: Set<Trouble>

    /// Words (whole terms) and phrases (substrings of the lowercased text) that name each class.
    static let vocabulary: [(Trouble, words: [String], phrases: [String])] = [
        (.crash, ["crash", "crashing", "crashes", "crashloop", "crashloopbackoff", "restarting", "restarts"], ["exit code", "crash loop", "keeps restarting"]),
        (.errors, ["5xx", "500", "500s", "502", "502s", "503", "errors", "error", "failing", "fails", "failures", "broken", "404"], []),
        (.latency, ["latency", "slow", "slowness", "timeouts", "timeout", "p99", "p95", "504", "504s", "hang", "hanging"], ["timed out"]),
        (.imagePull, ["imagepullbackoff", "errimagepull"], ["pull image", "cannot pull", "pull access denied", "image pull", "manifest unknown"]),
        (.memory, ["oom", "oomkilled", "memory"], ["out of memory", "exit code 137"]),
        (.backlog, ["backlog", "lag", "queue", "queued", "unprocessed"], ["not processed", "consumer lag", "piling up"]),
        (.certificate, ["certificate", "cert", "tls", "x509", "ssl", "handshake"], ["has expired", "certificate expired"]),
        (.dns, ["dns", "resolve", "nxdomain", "lookup"], ["no such host", "name resolution"]),
        (.connections, ["connect", "connecting", "connection", "refused", "unreachable"], ["connection refused", "connect timeout"]),
        (.connectionLimit, [], ["too many clients", "too many connections", "connection limit", "pool exhausted", "max_connections"]),
        (.tests, ["tests", "test", "ci", "build"], ["tests failing", "test failures", "failing tests"]),
        (.eviction, ["evicted", "eviction", "notready", "pending", "unschedulable"], ["node not ready"]),
        (.coldStart, ["cold", "warmup", "warming"], ["cold start", "slow start", "first request"]),
        (.permission, ["403", "401", "forbidden", "unauthorized", "scope", "missing_scope", "permission", "denied", "token"], []),
    ]

    /// Component-name words of the infrastructure each class depends on ("an ImagePullBackOff depends on
    /// a registry"). Node names (`ip-10-0-1-14`, `node-3`) are matched by `isNode`.
    static let infrastructure: [Trouble: [String]] = [
        .imagePull: ["registry", "harbor", "mirror", "ecr", "gcr", "ghcr", "quay", "artifactory", "nexus"],
        .dns: ["coredns", "dns", "resolver"],
        .certificate: ["cert", "certificate", "issuer", "ingress"],
        .backlog: ["keda", "kafka", "rabbitmq", "queue", "nats", "sqs"],
        .connectionLimit: ["pgbouncer", "pooler"],
        .eviction: ["karpenter", "autoscaler"],
    ]

    init(text: String) {
        let lower = text.lowercased()
        let words = Set(Tokenizer.words(lower))
        var t = Set<Trouble>()
        for (trouble, ws, phrases) in Self.vocabulary
        where ws.contains(where: words.contains) || phrases.contains(where: lower.includes) { t.insert(trouble) }
        if words.contains("image") && words.contains(where: { $0.hasPrefix("pull") }) { t.insert(.imagePull) }
        // An ImagePullBackOff is not a crash loop, and "test" alone in "latest" is no test failure.
        if t.contains(.imagePull) { t.remove(.crash) }
        if t.contains(.tests), !(words.contains("tests") || words.contains("ci") || lower.includes("test fail") || lower.includes("failing test")) {
            t.remove(.tests)
        }
        troubles = t
    }

    static func isNode(_ name: String) -> Bool {
        let w = Tokenizer.words(name)
        return w.first == "ip" || w.first == "node" || w.contains("node") && w.count <= 3
    }

    /// Whether a component is infrastructure this symptom's classes depend on, and which class.
    func infrastructure(_ component: String) -> Trouble? {
        let w = Set(Tokenizer.words(component))
        if troubles.contains(.eviction), Self.isNode(component) { return .eviction }
        for t in troubles.sorted(by: { $0.rawValue < $1.rawValue }) {
            if let words = Self.infrastructure[t], words.contains(where: w.contains) { return t }
        }
        return nil
    }

    /// The prior of a kind of change for this symptom: the class table's entry when a class of the
    /// symptom has one (the largest, if several do), else the kind's base prior.
    func prior(_ kind: ChangeKind) -> (value: Double, trouble: Trouble?) {
        var best: (Double, Trouble?)?
        for t in troubles {
            if let v = Self.classPriors[t]?[kind], v > (best?.0 ?? -1) { best = (v, t) }
        }
        return best ?? (kind.basePrior, nil)
    }

    /// Priors by symptom class, where a class changes the base prior (docs/INDEX.md, "Priors by
    /// symptom class"). A class lowers a kind it rules out and raises the kinds it points at.
    static let classPriors: [Trouble: [ChangeKind: Double]] = [
        .imagePull: [.registryChange: 1.5, .deploy: 1.0, .memoryLimit: 0.2, .autoscaling: 0.2, .scaleUp: 0.02],
        .memory: [.memoryLimit: 1.5, .scaleToZero: 0.1, .scaleUp: 0.02],
        .backlog: [.scaleToZero: 1.3, .autoscaling: 1.3, .scaleDown: 0.8],
        .certificate: [.latentFailure: 1.5, .certificateChange: 1.3, .deploy: 0.4, .config: 0.5],
        .coldStart: [.coldActivation: 1.3, .registryChange: 1.0],
        .latency: [.coldActivation: 1.2, .stackActivation: 0.6, .stackDeactivation: 0.6],
        .connectionLimit: [.connectionSetting: 1.5],
        .connections: [.networkPolicy: 1.3, .connectionSetting: 1.2],
        .dns: [.networkPolicy: 1.2],
        .tests: [.pendingCommit: 0.8, .commit: 1.0, .deploy: 0.3, .config: 0.3],
        .eviction: [.failure: 1.0, .nodeMaintenance: 0.8],
        .permission: [.secret: 1.3],
    ]
}

/// What an event did, as a cause: read from its type, its severity and the words of its description
/// (with component names taken out, so "registry-api deployed" is a deploy, not a registry change).
enum ChangeKind: String, CaseIterable {
    case deploy, rollback, config, secret, memoryLimit, autoscaling, connectionSetting, registryChange
    case certificateChange, networkPolicy
    case commit, pendingCommit, docsCommit
    case agentChange, agentRoutine
    case scaleToZero, scaleDown, scaleUp
    case failure, latentFailure
    case coldActivation, stackActivation, stackDeactivation
    case nodeMaintenance, removal
    case observation

    /// How likely this kind of event is to cause a failure, with no other knowledge (see `SymptomProfile`).
    var basePrior: Double {
        switch self {
        case .deploy, .rollback, .config, .secret, .memoryLimit, .autoscaling, .connectionSetting, .registryChange,
             .certificateChange, .networkPolicy: return 1.0 // a change to what runs: the usual cause
        case .commit: return 0.8          // shipped by a later deploy (which joins its chain)
        case .pendingCommit: return 0.15  // never deployed: cannot have changed what runs
        case .docsCommit: return 0.03
        case .agentChange: return 0.9     // an agent changed a live resource
        case .agentRoutine: return 0.03   // tests run, PRs summarised: nothing changed
        case .scaleToZero: return 0.8     // nothing runs any more
        case .scaleDown: return 0.3
        case .scaleUp: return 0.05        // a response to load, rarely its cause
        case .failure: return 0.8         // an outage of what it is on: a cause for whatever needs it
        case .latentFailure: return 0.3   // a failed renewal or backup: harm that shows later
        case .coldActivation: return 0.6
        case .stackActivation: return 0.2
        case .stackDeactivation: return 0.4
        case .nodeMaintenance: return 0.3
        case .removal: return 0.3
        case .observation: return 0.03    // alerts, anomalies, passing probes, successful renewals
        }
    }

    /// The time over which this kind's effect usually shows; proximity is `1 / (1 + ln(1 + Δt / scale))`.
    var timeScale: Double {
        switch self {
        case .failure, .coldActivation, .stackActivation, .scaleToZero, .scaleDown, .scaleUp: return 10 * 60  // at once
        case .memoryLimit, .autoscaling, .connectionSetting, .removal: return 3600  // at the next peak
        case .commit, .pendingCommit, .docsCommit: return 2 * 3600                  // through a deploy
        case .latentFailure: return 86_400                                          // days later
        default: return 30 * 60                                                     // minutes
        }
    }

    /// A change proper (shown as a remedy when it comes after the onset).
    var isChange: Bool {
        switch self {
        case .failure, .latentFailure, .observation, .agentRoutine, .scaleUp, .docsCommit: return false
        default: return true
        }
    }

    /// Which member of a chain to report: what was changed (commit, config) before its rollout.
    var rootRank: Int {
        switch self {
        case .commit, .pendingCommit, .docsCommit: return 4
        case .config, .secret, .memoryLimit, .autoscaling, .connectionSetting, .registryChange, .certificateChange, .networkPolicy,
             .agentChange, .latentFailure: return 3
        case .deploy, .rollback: return 2
        case .observation: return 0
        default: return 1
        }
    }

    /// Classifies an event. `text` is its lowercased description with component names removed.
    static func of(type: String, text d: String, severity: Severity) -> ChangeKind {
        let t = type.lowercased()
        func any(_ ws: [String]) -> Bool { ws.contains(where: d.includes) }
        if t.includes("commit") || t.includes("merge") || t.includes("pull_request") {
            let head = d.drop { $0 == " " }
            return ["docs", "doc(", "test:", "test(", "tests:", "chore(docs", "readme"].contains(where: head.hasPrefix) ? .docsCommit : .commit
        }
        if t.includes("task") || t.includes("agent") {
            if t.includes("fail") { return .observation }
            return any(["removed", "deleted", "changed", "updated", "patched", "restarted the", "edited", "modified", "scaled", "rolled back", "set "])
                ? .agentChange : .agentRoutine
        }
        if t.includes("deactivat") { return .stackDeactivation }
        if t.includes("activat") { return any(["cold", "pulling", "from zero", "from 0", "not warm", "first start"]) ? .coldActivation : .stackActivation }
        if t.includes("cert") || t.includes("renew") || t.includes("backup") {
            return any(["fail", "error", "expired", "could not", "unable"]) ? .latentFailure : .observation
        }
        if t.includes("remov") || t.includes("delet") { return .removal }
        if t.includes("scal") {
            // Kubernetes' own words for what a controller did, not a change to what runs: a rollout retiring
            // its old ReplicaSet ("Scaled down replica set x-5d4f to 0"), an HPA rescaling ("New size: 40;
            // reason: … below Spec.MinReplicas", which names the setting it obeyed).
            if any(["replica set", "replicaset"]) { return .observation }
            if d.includes("new size") { return .scaleUp }
            if any(["paused", "maxreplica", "minreplica", "cooldown", "scaledobject", "hpa max", "hpa min"]) && !d.includes(" from ") { return .autoscaling }
            let (from, to) = replicaCounts(d)
            if to == 0 || any(["to zero", "to 0 "]) { return .scaleToZero }
            if let f = from, let n = to, n < f { return .scaleDown }
            return .scaleUp
        }
        if t.includes("deploy") || t.includes("rollout") || t.includes("release") || t.includes("sync") || t.includes("upgrade") {
            if any(["rollback", "rolled back", "roll back", "revert"]) { return .rollback }
            if any(["registry", "image pull", "pullsecret", "imagepullsecret"]) { return .registryChange }
            if any(["certificate", " tls", "issuer"]) { return .certificateChange }
            return .deploy
        }
        // A type that says it changed something (`dns_change`, `quota_update`, `route_edit`), unless it is a
        // symptom's (`health_change`), reads as a configuration change.
        let saysChanged = !TypeInfo(type).isSymptom && ["change", "update", "edit", "patch", "modif", "rotat", "upsert"].contains(where: t.includes)
        if saysChanged || t.includes("config") || t.includes("secret") || t.includes("flag") || t.includes("policy") || t.includes("migration") {
            if any(["cordon", "drain", "taint"]) { return .nodeMaintenance }
            if any(["networkpolicy", "network policy"]) { return .networkPolicy }
            if t.includes("secret") || any(["secret", "token", "credential", "password", "api key"]) { return .secret }
            if d.includes("memory") && any(["limit", "request"]) { return .memoryLimit }
            if any(["replica", "scaledobject", "hpa", "keda", "cooldown", "pollinginterval", "autoscal", "paused"]) { return .autoscaling }
            if any(["max_connections", "max connections", "pool", "connection limit"]) { return .connectionSetting }
            if any(["registry", "image", "pre-pull", "prepull"]) { return .registryChange }
            if any(["certificate", "cert", " tls", "issuer"]) { return .certificateChange }
            return .config
        }
        if t.includes("incident") || t.includes("alert") || t.includes("anomal") { return .observation }
        if TypeInfo(type).isSymptom {
            // A restart or health change is a failure unless it says it recovered.
            if any(["recovered", "→ healthy", "-> healthy", "passing", "ready)", "all pods ready", "cleared", "back to"]) { return .observation }
            if severity >= .warning || any(["notready", "not ready", "crashloop", "oomkilled", "degraded", "failed", "evicted", "down"]) { return .failure }
            return .observation
        }
        if d.includes("rollback") || d.includes("rolled back") { return .rollback }
        // A type cmem does not know: its words say whether it changed something.
        if any(["cordon", "drain", "taint"]) { return .nodeMaintenance }
        if any([" changed ", " -> ", " → ", " updated", " upsert", " set to ", " modified", " patched"]) { return .config }
        if any([" removed", " deleted"]) { return .removal }
        return .observation
    }

    /// "scaled x from 4 to 0 replicas" → (4, 0); "scaled x to 3 replicas" → (nil, 3).
    static func replicaCounts(_ d: String) -> (Int?, Int?) {
        let words = d.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" || $0 == "," })
        var from: Int?, to: Int?
        for (i, w) in words.enumerated() where i + 1 < words.count {
            if w == "from", let n = Int(words[i + 1]) { from = n }
            if w == "to", let n = Int(words[i + 1]) { to = n }
        }
        return (from, to)
    }
}

/// How an event relates to the symptom, strongest first. The weight says how directly a change there
/// can reach the symptom.
enum Relation: Int, Comparable {
    case itself, named, dependency, infrastructure, host, mentions, word, namespaceWide, dependent, sibling, unrelated

    var weight: Double {
        switch self {
        case .itself: return 1.0          // the event is about the failing component
        case .named: return 0.9           // the symptom or its own events name the component
        case .dependency: return 0.8      // declared in .cmem/components.yaml
        case .infrastructure: return 0.7  // what the symptom's class runs on (registry, DNS, nodes …)
        case .host: return 0.7            // names a host the symptom names
        case .mentions: return 0.6        // lists the failing component, but is about something else
        case .word: return 0.5            // shares a distinctive word of its name with the symptom ("redis")
        case .namespaceWide: return 0.4   // a change to the whole namespace
        case .dependent: return 0.2       // needs the failing component (rarely its cause)
        case .sibling: return 0.1         // another component in the same namespace
        case .unrelated: return 0.02
        }
    }

    static func < (a: Relation, b: Relation) -> Bool { a.rawValue < b.rawValue }
}
