/// The kinds of object the collector reads, each from one `kubectl get KIND -A -o json` (or, for
/// `applications`, from Argo CD). The raw value is the file name used by `--from-dir` (`pods.json`).
public enum InfraKind: String, Sendable, Codable, CaseIterable, Comparable {
    case namespaces, nodes, deployments, statefulsets, daemonsets, replicasets, pods, services, configmaps, events
    case applications
    /// Pod CPU and memory from the metrics API (metrics-server); a cluster without it reports "absent".
    case metrics
    /// Node CPU and memory from the same API, against each node's allocatable.
    case nodemetrics

    /// What `kubectl get` is given for this kind.
    public var kubectlResource: String {
        switch self {
        case .metrics: return "pods.metrics.k8s.io"
        case .nodemetrics: return "nodes.metrics.k8s.io"
        case .applications: return "applications.argoproj.io"
        default: return rawValue
        }
    }

    public static func < (a: InfraKind, b: InfraKind) -> Bool { a.rawValue < b.rawValue }
}

/// What a source handed back for one kind.
public enum SourceResult: Sendable, Equatable {
    /// The raw JSON output.
    case data([UInt8])
    /// The source has nothing of this kind: no file in `--from-dir`, or a resource type the cluster does
    /// not have (Argo CD not installed).
    case absent
    /// The source could not be read: no kubectl, a bad context, a timeout, an unreadable file.
    case failed(String)
}

/// How reading one kind went, as recorded in the snapshot.
public enum SourceStatus: Sendable, Equatable, Codable {
    case ok
    case absent
    case failed(String)

    public var isFailed: Bool {
        if case .failed = self { return true }
        return false
    }

    public var label: String {
        switch self {
        case .ok: return "ok"
        case .absent: return "absent"
        case let .failed(message): return "failed: \(message)"
        }
    }

    enum CodingKeys: String, CodingKey { case state, message }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .state) {
        case "ok": self = .ok
        case "absent": self = .absent
        default: self = .failed(try c.decodeIfPresent(String.self, forKey: .message) ?? "failed")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .ok: try c.encode("ok", forKey: .state)
        case .absent: try c.encode("absent", forKey: .state)
        case let .failed(message):
            try c.encode("failed", forKey: .state)
            try c.encode(message, forKey: .message)
        }
    }
}

/// Which sources a component is built from. When one of them fails, the component is carried over from
/// the previous snapshot instead of reading as removed or changed: a Deployment needs `deployments` and
/// `pods` (its restarts and pod phases come from the pods), a Service only `services`.
enum Provenance {
    static let nonWorkloadKinds: [String: InfraKind] = [
        "Service": .services, "Node": .nodes, "Namespace": .namespaces, "ConfigMap": .configmaps, "Application": .applications,
    ]

    static func isWorkload(kind: String) -> Bool { nonWorkloadKinds[kind] == nil }

    static func sources(ofKind kind: String) -> [InfraKind] {
        if let own = nonWorkloadKinds[kind] { return [own] }
        switch kind {
        case "Deployment": return [.deployments, .pods]
        case "StatefulSet": return [.statefulsets, .pods]
        case "DaemonSet": return [.daemonsets, .pods]
        case "ReplicaSet": return [.replicasets, .pods]
        default: return [.pods]
        }
    }

    static func failed(kind: String, in sources: [String: SourceStatus]) -> Bool {
        Provenance.sources(ofKind: kind).contains { sources[$0.rawValue]?.isFailed == true }
    }

    /// Whether the source that lists components of `kind` failed (for a Deployment, `deployments`; for a
    /// bare Pod, `pods`). Pods failing alone leaves a workload's own fields current (`withPodFields`).
    static func ownSourceFailed(kind: String, in sources: [String: SourceStatus]) -> Bool {
        Provenance.sources(ofKind: kind).first.map { sources[$0.rawValue]?.isFailed == true } ?? false
    }
}
