import MemoryModel

/// A component's CPU and memory use from the metrics API (`kubectl get pods.metrics.k8s.io -A -o json`,
/// served by metrics-server), summed over its pods, and how close its closest container is to its limits.
///
/// Values are rounded (two significant digits; percentages to 5) so that a steady component does not
/// change the stored state at every collection, while a real move shows in `git log`.
public struct ResourceUsage: Sendable, Equatable, Codable {
    /// Working-set memory of every pod, in bytes.
    public var memoryBytes: Int64?
    /// CPU of every pod, in millicores.
    public var cpuMillicores: Int64?
    /// The highest memory use of one container as a percentage of its memory limit (containers with a limit).
    public var memoryLimitPercent: Int?
    /// The same for CPU: at the limit a container is throttled.
    public var cpuLimitPercent: Int?
    /// How many pods were measured.
    public var pods: Int

    /// Memory at or above this share of its limit is recorded as an event (the next step is the OOM killer).
    public static let memoryThreshold = 90
    /// CPU at or above this share of its limit is throttled (the metrics API has no throttling counter).
    public static let cpuThreshold = 90

    enum CodingKeys: String, CodingKey {
        case memoryBytes = "memory_bytes", cpuMillicores = "cpu_millicores", memoryLimitPercent = "memory_limit_percent"
        case cpuLimitPercent = "cpu_limit_percent", pods
    }

    public var memoryNearLimit: Bool { (memoryLimitPercent ?? 0) >= ResourceUsage.memoryThreshold }
    public var cpuThrottled: Bool { (cpuLimitPercent ?? 0) >= ResourceUsage.cpuThreshold }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("pods", .number(Double(pods)))]
        if let memoryBytes { pairs.append(("memory_bytes", .number(Double(memoryBytes)))) }
        if let cpuMillicores { pairs.append(("cpu_millicores", .number(Double(cpuMillicores)))) }
        if let memoryLimitPercent { pairs.append(("memory_limit_percent", .number(Double(memoryLimitPercent)))) }
        if let cpuLimitPercent { pairs.append(("cpu_limit_percent", .number(Double(cpuLimitPercent)))) }
        return .object(pairs)
    }

    // MARK: Quantities

    /// A Kubernetes memory quantity in bytes: `123456Ki`, `512Mi`, `1Gi`, `1G`, `1e9`, `1000`.
    public static func bytes(_ q: String) -> Int64? {
        let units: [(String, Double)] = [("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("Pi", 1_125_899_906_842_624),
                                         ("k", 1e3), ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("m", 1e-3)]
        for (suffix, factor) in units where q.hasSuffix(suffix) {
            guard let n = Double(q.dropLast(suffix.count)), n.isFinite, n >= 0 else { return nil }
            return Int64(n * factor)
        }
        guard let n = Double(q), n.isFinite, n >= 0, n < 9e18 else { return nil }
        return Int64(n)
    }

    /// A CPU quantity in millicores: `250m`, `1`, `1.5`, `1500000n` (the metrics API's nanocores), `900u`.
    public static func millicores(_ q: String) -> Int64? {
        let units: [(String, Double)] = [("n", 1e-6), ("u", 1e-3), ("m", 1)]
        for (suffix, factor) in units where q.hasSuffix(suffix) {
            guard let n = Double(q.dropLast(suffix.count)), n.isFinite, n >= 0 else { return nil }
            return Int64((n * factor).rounded())
        }
        guard let n = Double(q), n.isFinite, n >= 0, n < 9e15 else { return nil }
        return Int64((n * 1000).rounded())
    }

    /// Two significant digits: 1_934_000_000 → 1_900_000_000.
    static func rounded(_ v: Int64) -> Int64 {
        guard v >= 100 else { return v }
        var scale: Int64 = 1
        while v / scale >= 100 { scale *= 10 }
        return (v + scale / 2) / scale * scale
    }

    /// To the nearest 5 %, never rounding a value below a threshold up to it.
    static func percent(_ used: Int64, of limit: Int64) -> Int {
        let p = Int(used * 100 / max(limit, 1))
        return p / 5 * 5
    }
}

extension SnapshotBuilder {
    /// Usage per component: each pod's containers from the metrics list, their limits from the pod list,
    /// summed into the component that owns the pod. Pods that belong to no component (Job pods) are left out.
    func usage(metrics: [JSONValue], pods: [JSONValue], workloads: Workloads, components: [String: ComponentState]) -> [String: ResourceUsage] {
        // namespace/pod → container → (memory limit bytes, cpu limit millicores)
        var limits: [String: [String: (Int64?, Int64?)]] = [:]
        for pod in pods {
            guard let name = pod.at("metadata", "name")?.asString else { continue }
            let key = Workloads.nsKey(pod.at("metadata", "namespace")?.asString, name)
            for c in pod.at("spec", "containers")?.asArray ?? [] {
                guard let cname = c["name"]?.asString else { continue }
                let mem = c.at("resources", "limits", "memory")?.asString.flatMap(ResourceUsage.bytes)
                let cpu = c.at("resources", "limits", "cpu")?.asString.flatMap(ResourceUsage.millicores)
                limits[key, default: [:]][cname] = (mem, cpu)
            }
        }
        struct Sum { var mem: Int64 = 0, cpu: Int64 = 0, memPct: Int?, cpuPct: Int?, pods = 0, hasMem = false, hasCPU = false }
        var sums: [String: Sum] = [:]
        for m in metrics {
            guard let name = m.at("metadata", "name")?.asString else { continue }
            let ns = m.at("metadata", "namespace")?.asString
            let podKey = Workloads.nsKey(ns, name)
            let owner = workloads.podOwner[podKey] ?? Workloads.guessPodOwner(podName: name, templateHash: nil) ?? ("Pod", name)
            let key = ComponentState.key(kind: owner.kind, namespace: ns, name: owner.name)
            guard components[key] != nil else { continue }
            var s = sums[key] ?? Sum()
            s.pods += 1
            for c in m["containers"]?.asArray ?? [] {
                let cname = c["name"]?.asString ?? ""
                let (memLimit, cpuLimit) = limits[podKey]?[cname] ?? (nil, nil)
                if let mem = c.at("usage", "memory")?.asString.flatMap(ResourceUsage.bytes) {
                    s.mem += mem
                    s.hasMem = true
                    if let memLimit, memLimit > 0 { s.memPct = max(s.memPct ?? 0, ResourceUsage.percent(mem, of: memLimit)) }
                }
                if let cpu = c.at("usage", "cpu")?.asString.flatMap(ResourceUsage.millicores) {
                    s.cpu += cpu
                    s.hasCPU = true
                    if let cpuLimit, cpuLimit > 0 { s.cpuPct = max(s.cpuPct ?? 0, ResourceUsage.percent(cpu, of: cpuLimit)) }
                }
            }
            sums[key] = s
        }
        return sums.mapValues { s in
            ResourceUsage(memoryBytes: s.hasMem ? ResourceUsage.rounded(s.mem) : nil, cpuMillicores: s.hasCPU ? ResourceUsage.rounded(s.cpu) : nil,
                          memoryLimitPercent: s.memPct, cpuLimitPercent: s.cpuPct, pods: s.pods)
        }
    }

    /// Each node's CPU and memory (`kubectl get nodes.metrics.k8s.io -o json`) against its allocatable: the
    /// "limit" of a node is what the scheduler may hand to pods, and near it pods are evicted or starve.
    /// `pods` counts the pods scheduled on the node.
    func nodeUsage(metrics: [JSONValue], nodes: [JSONValue], pods: [JSONValue], components: [String: ComponentState]) -> [String: ResourceUsage] {
        var allocatable: [String: (Int64?, Int64?)] = [:]
        for node in nodes {
            guard let name = node.at("metadata", "name")?.asString else { continue }
            allocatable[name] = (node.at("status", "allocatable", "memory")?.asString.flatMap(ResourceUsage.bytes),
                                 node.at("status", "allocatable", "cpu")?.asString.flatMap(ResourceUsage.millicores))
        }
        var podsOn: [String: Int] = [:]
        for pod in pods {
            if let node = pod.at("spec", "nodeName")?.asString { podsOn[node, default: 0] += 1 }
        }
        var result: [String: ResourceUsage] = [:]
        for m in metrics {
            guard let name = m.at("metadata", "name")?.asString else { continue }
            let key = ComponentState.key(kind: "Node", namespace: nil, name: name)
            guard components[key] != nil else { continue }
            let mem = m.at("usage", "memory")?.asString.flatMap(ResourceUsage.bytes)
            let cpu = m.at("usage", "cpu")?.asString.flatMap(ResourceUsage.millicores)
            guard mem != nil || cpu != nil else { continue }
            let (memAllocatable, cpuAllocatable) = allocatable[name] ?? (nil, nil)
            result[key] = ResourceUsage(
                memoryBytes: mem.map(ResourceUsage.rounded), cpuMillicores: cpu.map(ResourceUsage.rounded),
                memoryLimitPercent: mem.flatMap { m in memAllocatable.flatMap { $0 > 0 ? ResourceUsage.percent(m, of: $0) : nil } },
                cpuLimitPercent: cpu.flatMap { c in cpuAllocatable.flatMap { $0 > 0 ? ResourceUsage.percent(c, of: $0) : nil } },
                pods: podsOn[name] ?? 0)
        }
        return result
    }
}
