import MemoryModel

/// How a component is doing, in the four words `cmem infra health` counts.
public enum HealthStatus: String, Sendable, Codable, CaseIterable, Comparable {
    case healthy, unknown, degraded, critical

    var rank: Int { HealthStatus.allCases.firstIndex(of: self)! }
    public static func < (a: HealthStatus, b: HealthStatus) -> Bool { a.rank < b.rank }
}

/// What a component is to the agents using this memory, from the rules in `CollectorConfig`.
public enum ComponentRole: String, Sendable, Codable, CaseIterable {
    case mcpServer = "mcp_server"
    case layerStack = "layer_stack"
    case agent
}

/// When restarts of a component were last written as an event. Kept in the snapshot so that the
/// coalescing window survives a restart of the collector.
public struct RestartReport: Sendable, Equatable, Codable {
    public var at: Timestamp
    /// Whether that report was a crash loop: a crash loop already reported within the window is not worse.
    public var crashLoop: Bool

    public init(at: Timestamp, crashLoop: Bool) {
        self.at = at
        self.crashLoop = crashLoop
    }

    enum CodingKeys: String, CodingKey { case at, crashLoop = "crash_loop" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .at)
        guard let at = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorruptedError(forKey: .at, in: c, debugDescription: "not a timestamp: \(text)")
        }
        self.at = at
        crashLoop = try c.decodeIfPresent(Bool.self, forKey: .crashLoop) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(at.iso8601, forKey: .at)
        try c.encode(crashLoop, forKey: .crashLoop)
    }
}

/// One piece of infrastructure as the memory records it: a Deployment (with its pods rolled up), a
/// StatefulSet, a DaemonSet, a bare Pod, a Service, a Node, a Namespace, a ConfigMap or an Argo CD
/// Application. Only what identifies and describes the component is kept; timestamps, resource versions,
/// UIDs and pod names are left out so that an unchanged cluster encodes to the same bytes.
public struct ComponentState: Sendable, Equatable, Codable {
    public var kind: String
    public var namespace: String?
    public var name: String
    public var status: HealthStatus
    /// Why the status is not healthy, short phrases such as `CrashLoopBackOff` or `1/3 ready`.
    public var reasons: [String]?
    public var role: ComponentRole?
    /// The labels named in `CollectorConfig.labelsOfInterest` that the object carries.
    public var labels: [String: String]?

    // Workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, or another pod controller)
    /// Container name → image, from the pod template (init containers prefixed with `init:`).
    public var images: [String: String]?
    public var replicas: Int?
    public var readyReplicas: Int?
    /// Pod phase → number of pods.
    public var pods: [String: Int]?
    /// Container waiting reason (`CrashLoopBackOff`, `ImagePullBackOff`, …) → number of containers.
    public var waiting: [String: Int]?
    /// Restarts summed over the component's pods, as of the last report (see `restartReport`).
    public var restarts: Int?
    public var crashLoop: Bool?
    /// The last termination of a failing container, e.g. `Error (exit 255)`.
    public var lastTermination: String?
    /// `deployment.kubernetes.io/revision` for Deployments; the synced revision for Argo CD apps.
    public var revision: String?
    /// Hash of the pod template without images and environment (those are tracked on their own).
    public var specHash: String?
    /// Hash of the containers' environment (`env` and `envFrom`), and the variable names; never values.
    public var envHash: String?
    public var envNames: [String]?
    /// Condition type → status (`True`/`False`/`Unknown`).
    public var conditions: [String: String]?

    // Service
    public var serviceType: String?
    public var ports: [String]?
    public var selector: [String: String]?

    // ConfigMap: a hash of the data and the key names only. Values may be secrets.
    public var configHash: String?
    public var configKeys: [String]?

    // Node
    public var version: String?

    // Argo CD Application
    public var sync: String?
    public var health: String?
    public var operationPhase: String?
    public var operationRevision: String?
    public var repo: String?
    public var targetRevision: String?
    /// Keys (`kind/namespace/name`) of the resources the application manages.
    public var manages: [String]?

    /// Bookkeeping for restart coalescing; not shown in diffs.
    public var restartReport: RestartReport?

    public init(kind: String, namespace: String?, name: String, status: HealthStatus = .unknown) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.status = status
    }

    /// `deployment/shop/api`, `node/worker-1`: kind in lower case, then namespace (when namespaced), then name.
    public var key: String { ComponentState.key(kind: kind, namespace: namespace, name: name) }

    public static func key(kind: String, namespace: String?, name: String) -> String {
        if let namespace, !namespace.isEmpty { return "\(kind.lowercased())/\(namespace)/\(name)" }
        return "\(kind.lowercased())/\(name)"
    }

    /// This workload with what only its pods tell (pod phases, waiting reasons, restarts, crash loops, the
    /// last termination, and so the status) taken from `seen`: for a round whose pods were not read.
    func withPodFields(of seen: ComponentState) -> ComponentState {
        var c = self
        c.pods = seen.pods
        c.waiting = seen.waiting
        c.restarts = seen.restarts
        c.crashLoop = seen.crashLoop
        c.lastTermination = seen.lastTermination
        c.restartReport = seen.restartReport
        c.status = seen.status
        c.reasons = seen.reasons
        return c
    }

    /// The source that reports this component: `argocd` for Applications, `kubernetes` otherwise.
    public var source: String { kind == "Application" ? "argocd" : "kubernetes" }

    /// Whether the component is a pod controller (its pods are rolled up into it).
    public var isWorkload: Bool { Provenance.isWorkload(kind: kind) }

    /// The single image for display: the only one, or the first by container name.
    public var image: String? {
        guard let images, !images.isEmpty else { return nil }
        let main = images.filter { !$0.key.hasPrefix("init:") }
        let pool = main.isEmpty ? images : main
        return pool.keys.sorted().first.flatMap { pool[$0] }
    }

    /// The fields that describe the component, in a fixed order, as JSON values. `infra diff` compares
    /// these one by one; `infra component` prints them.
    public var fields: [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        func add(_ name: String, _ v: String?) { if let v { out.append((name, .string(v))) } }
        func add(_ name: String, _ v: Int?) { if let v { out.append((name, .number(Double(v)))) } }
        func add(_ name: String, _ v: Bool?) { if let v { out.append((name, .bool(v))) } }
        func add(_ name: String, _ v: [String]?) { if let v { out.append((name, .array(v.map { .string($0) }))) } }
        func add(_ name: String, _ v: [String: String]?) {
            if let v { out.append((name, .object(v.keys.sorted().map { ($0, .string(v[$0]!)) }))) }
        }
        func add(_ name: String, _ v: [String: Int]?) {
            if let v { out.append((name, .object(v.keys.sorted().map { ($0, .number(Double(v[$0]!))) }))) }
        }
        add("status", status.rawValue)
        add("reasons", reasons)
        add("role", role?.rawValue)
        add("labels", labels)
        add("image", image)
        add("images", images)
        add("replicas", replicas)
        add("ready_replicas", readyReplicas)
        add("pods", pods)
        add("waiting", waiting)
        add("restarts", restarts)
        add("crash_loop", crashLoop)
        add("last_termination", lastTermination)
        add("revision", revision)
        add("spec_hash", specHash)
        add("env_hash", envHash)
        add("env_names", envNames)
        add("conditions", conditions)
        add("service_type", serviceType)
        add("ports", ports)
        add("selector", selector)
        add("config_hash", configHash)
        add("config_keys", configKeys)
        add("version", version)
        add("sync", sync)
        add("health", health)
        add("operation_phase", operationPhase)
        add("operation_revision", operationRevision)
        add("repo", repo)
        add("target_revision", targetRevision)
        add("manages", manages)
        return out
    }

    /// The component as one JSON object: identity first, then `fields`.
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("component", .string(key)), ("name", .string(name)), ("kind", .string(kind))]
        if let namespace { pairs.append(("namespace", .string(namespace))) }
        return .object(pairs + fields)
    }

    /// A short JSON summary for lists: identity, status, and the one or two facts that matter for the kind.
    public var summary: JSONValue {
        var pairs: [(String, JSONValue)] = [("name", .string(name)), ("kind", .string(kind))]
        if let namespace { pairs.append(("namespace", .string(namespace))) }
        pairs.append(("status", .string(status.rawValue)))
        if let reasons, !reasons.isEmpty { pairs.append(("reasons", .array(reasons.map { .string($0) }))) }
        if let role { pairs.append(("role", .string(role.rawValue))) }
        if let image { pairs.append(("image", .string(image))) }
        if let replicas { pairs.append(("replicas", .number(Double(replicas)))) }
        if let readyReplicas { pairs.append(("ready_replicas", .number(Double(readyReplicas)))) }
        if let restarts, restarts > 0 { pairs.append(("restarts", .number(Double(restarts)))) }
        if let sync { pairs.append(("sync", .string(sync))) }
        if let health { pairs.append(("health", .string(health))) }
        if let revision { pairs.append(("revision", .string(revision))) }
        return .object(pairs)
    }

    enum CodingKeys: String, CodingKey {
        case kind, namespace, name, status, reasons, role, labels, images, replicas
        case readyReplicas = "ready_replicas"
        case pods, waiting, restarts
        case crashLoop = "crash_loop"
        case lastTermination = "last_termination"
        case revision
        case specHash = "spec_hash"
        case envHash = "env_hash"
        case envNames = "env_names"
        case conditions
        case serviceType = "service_type"
        case ports, selector
        case configHash = "config_hash"
        case configKeys = "config_keys"
        case version, sync, health
        case operationPhase = "operation_phase"
        case operationRevision = "operation_revision"
        case repo
        case targetRevision = "target_revision"
        case manages
        case restartReport = "restart_report"
    }
}

/// A recent Warning event, rolled up to the component it concerns. Counts, messages and times are left
/// out: they change with every repetition, and the alert is the same alert.
public struct InfraAlert: Sendable, Equatable, Hashable, Codable, Comparable {
    /// The component key (`deployment/shop/api`), or `kind/namespace/name` of the object when it is not a
    /// known component.
    public var component: String
    public var kind: String
    public var namespace: String?
    public var name: String
    public var reason: String

    public init(component: String, kind: String, namespace: String?, name: String, reason: String) {
        self.component = component
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.reason = reason
    }

    public static func < (a: InfraAlert, b: InfraAlert) -> Bool {
        (a.component, a.reason) < (b.component, b.reason)
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("component", .string(component)), ("name", .string(name)), ("kind", .string(kind))]
        if let namespace { pairs.append(("namespace", .string(namespace))) }
        pairs.append(("reason", .string(reason)))
        return .object(pairs)
    }
}
