import MemoryModel

/// Turns the raw outputs of `kubectl get KIND -A -o json` (and Argo CD's application list) into an
/// `InfraSnapshot`. Decoding is tolerant: unknown keys are ignored, missing fields read as absent, and an
/// object without a name is skipped. Only a document that is not JSON, or not a list of objects, fails its
/// source.
struct SnapshotBuilder {
    let config: CollectorConfig
    let keptLabels: Set<String>

    init(config: CollectorConfig) {
        self.config = config
        keptLabels = config.keptLabelKeys
    }

    func build(_ results: [InfraKind: SourceResult]) -> InfraSnapshot {
        var sources: [String: SourceStatus] = [:]
        var items: [InfraKind: [JSONValue]] = [:]
        for kind in InfraKind.allCases {
            switch results[kind] {
            case nil, .absent?:
                sources[kind.rawValue] = .absent
            case let .failed(message)?:
                sources[kind.rawValue] = .failed(message)
            case let .data(bytes)?:
                switch SnapshotBuilder.parseItems(bytes) {
                case let .success(list):
                    items[kind] = list.filter { obj in
                        let meta = obj["metadata"]
                        let ns = kind == .namespaces ? meta?["name"]?.asString : meta?["namespace"]?.asString
                        return config.includes(namespace: ns)
                    }
                    sources[kind.rawValue] = .ok
                case let .failure(error):
                    sources[kind.rawValue] = .failed(error.message)
                }
            }
        }

        var components: [String: ComponentState] = [:]
        var workloads = Workloads(builder: self)
        for obj in items[.replicasets] ?? [] { workloads.addReplicaSet(obj) }
        for obj in items[.deployments] ?? [] { workloads.addController(obj, kind: "Deployment") }
        for obj in items[.statefulsets] ?? [] { workloads.addController(obj, kind: "StatefulSet") }
        for obj in items[.daemonsets] ?? [] { workloads.addController(obj, kind: "DaemonSet") }
        for obj in items[.pods] ?? [] { workloads.addPod(obj) }
        for c in workloads.finish() { components[c.key] = c }

        for obj in items[.services] ?? [] { if let c = service(obj) { components[c.key] = c } }
        for obj in items[.nodes] ?? [] { if let c = node(obj) { components[c.key] = c } }
        for obj in items[.namespaces] ?? [] { if let c = namespace(obj) { components[c.key] = c } }
        for obj in items[.configmaps] ?? [] { if let c = configMap(obj) { components[c.key] = c } }
        for obj in items[.applications] ?? [] { if let c = application(obj) { components[c.key] = c } }

        var alerts = Set<InfraAlert>()
        for obj in items[.events] ?? [] {
            if let a = alert(obj, workloads: workloads) { alerts.insert(a) }
        }
        var snapshot = InfraSnapshot(components: components, alerts: alerts.sorted(), sources: sources)
        snapshot.usage = usage(metrics: items[.metrics] ?? [], pods: items[.pods] ?? [], workloads: workloads, components: components)
            .merging(nodeUsage(metrics: items[.nodemetrics] ?? [], nodes: items[.nodes] ?? [], pods: items[.pods] ?? [],
                               components: components)) { pods, _ in pods }
        return snapshot
    }

    // MARK: Documents

    struct ParseFailure: Error { let message: String }

    /// The objects in one output: a `List` (`{"items": [...]}`), a bare JSON array (`argocd app list -o
    /// json`), or a single object.
    static func parseItems(_ bytes: [UInt8]) -> Result<[JSONValue], ParseFailure> {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains(where: { !$0.isWhitespace }) else { return .failure(ParseFailure(message: "empty output")) }
        let value: JSONValue
        do {
            value = try JSONValue.parse(text, maxDepth: 512, exactIntegers: false)
        } catch {
            return .failure(ParseFailure(message: "\(error)"))
        }
        let list: [JSONValue]
        switch value {
        case let .array(a):
            list = a
        case .object:
            if let items = value["items"] {
                switch items {
                case let .array(a): list = a
                case .null: list = []
                default: return .failure(ParseFailure(message: "\"items\" is not a list"))
                }
            } else if value["metadata"] != nil {
                list = [value]
            } else {
                return .failure(ParseFailure(message: "expected a list of objects with \"items\""))
            }
        default:
            return .failure(ParseFailure(message: "expected a list of objects"))
        }
        return .success(list.filter { if case .object = $0 { return true } else { return false } })
    }

    // MARK: Shared pieces

    func keptLabels(_ all: [String: String]) -> [String: String]? {
        var out: [String: String] = [:]
        for key in keptLabels { if let v = all[key] { out[key] = v } }
        return out.isEmpty ? nil : out
    }

    static func conditions(_ value: JSONValue?) -> [String: String]? {
        guard let list = value?.asArray, !list.isEmpty else { return nil }
        var out: [String: String] = [:]
        for c in list {
            if let type = c["type"]?.asString { out[type] = c["status"]?.asString ?? "Unknown" }
        }
        return out.isEmpty ? nil : out
    }

    /// Images, environment and the rest of a pod template, split so that each kind of change is reported
    /// as what it is (an image bump, an env change, another spec change).
    struct TemplateFacts {
        var images: [String: String]?
        var envHash: String?
        var envNames: [String]?
        var specHash: String?
        var labels: [String: String] = [:]
    }

    static func templateFacts(podSpec: JSONValue?, metadata: JSONValue?) -> TemplateFacts {
        var facts = TemplateFacts()
        guard let podSpec else { return facts }
        var images: [String: String] = [:]
        var envParts: [JSONValue] = []
        var envNames = Set<String>()
        var strippedContainers: [String: [JSONValue]] = [:]
        for (field, prefix) in [("initContainers", "init:"), ("containers", "")] {
            var stripped: [JSONValue] = []
            for c in podSpec[field]?.asArray ?? [] {
                let name = c["name"]?.asString ?? ""
                if let image = c["image"]?.asString { images[prefix + name] = image }
                let env = c["env"] ?? .array([])
                let envFrom = c["envFrom"] ?? .array([])
                if !env.asArray.isEmpty || !envFrom.asArray.isEmpty {
                    envParts.append(.object([("container", .string(prefix + name)), ("env", env), ("envFrom", envFrom)]))
                }
                for e in env.asArray { if let n = e["name"]?.asString { envNames.insert(n) } }
                for e in envFrom.asArray {
                    let pre = e["prefix"]?.asString ?? ""
                    if let n = e["configMapRef"]?["name"]?.asString { envNames.insert("\(pre)configMap:\(n)") }
                    if let n = e["secretRef"]?["name"]?.asString { envNames.insert("\(pre)secret:\(n)") }
                }
                stripped.append(c.removingKeys(["image", "env", "envFrom"]))
            }
            strippedContainers[field] = stripped
        }
        facts.images = images.isEmpty ? nil : images
        if !envParts.isEmpty {
            facts.envHash = stableHash(.array(envParts))
            facts.envNames = envNames.sorted()
        }
        var spec = podSpec.asObject.filter { $0.0 != "containers" && $0.0 != "initContainers" }
        spec.append(("containers", .array(strippedContainers["containers"] ?? [])))
        spec.append(("initContainers", .array(strippedContainers["initContainers"] ?? [])))
        let meta = (metadata ?? .object([])).removingKeys(["creationTimestamp"])
        facts.specHash = stableHash(.object([("metadata", meta), ("spec", .object(spec))]))
        facts.labels = metadata?["labels"]?.asStringMap ?? [:]
        return facts
    }

    // MARK: Simple kinds

    func service(_ obj: JSONValue) -> ComponentState? {
        guard let name = obj.at("metadata", "name")?.asString else { return nil }
        var c = ComponentState(kind: "Service", namespace: obj.at("metadata", "namespace")?.asString, name: name, status: .healthy)
        let spec = obj["spec"]
        c.serviceType = spec?["type"]?.asString ?? "ClusterIP"
        let ports = (spec?["ports"]?.asArray ?? []).map { p -> String in
            var s = ""
            if let n = p["name"]?.asString, !n.isEmpty { s += n + ":" }
            s += p["port"]?.stringValue ?? "?"
            s += "/" + (p["protocol"]?.asString ?? "TCP")
            if let t = p["targetPort"]?.stringValue { s += "→" + t }
            return s
        }
        c.ports = ports.isEmpty ? nil : ports.sorted()
        let selector = spec?["selector"]?.asStringMap ?? [:]
        c.selector = selector.isEmpty ? nil : selector
        if let ext = spec?["externalName"]?.asString { c.ports = (c.ports ?? []) + ["externalName:" + ext] }
        c.labels = keptLabels(obj.at("metadata", "labels")?.asStringMap ?? [:])
        return c
    }

    func node(_ obj: JSONValue) -> ComponentState? {
        guard let name = obj.at("metadata", "name")?.asString else { return nil }
        var c = ComponentState(kind: "Node", namespace: nil, name: name)
        c.conditions = SnapshotBuilder.conditions(obj.at("status", "conditions"))
        c.version = obj.at("status", "nodeInfo", "kubeletVersion")?.asString
        c.labels = keptLabels(obj.at("metadata", "labels")?.asStringMap ?? [:])
        var reasons: [String] = []
        var status = HealthStatus.unknown
        if let conditions = c.conditions {
            switch conditions["Ready"] {
            case "True"?: status = .healthy
            case "False"?: status = .critical; reasons.append("NotReady")
            default: status = .critical; reasons.append("Ready unknown")
            }
            for pressure in ["MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"].sorted()
            where conditions[pressure] == "True" {
                status = max(status, .degraded)
                reasons.append(pressure)
            }
        }
        if obj.at("spec", "unschedulable")?.asBool == true {
            status = max(status, .degraded)
            reasons.append("SchedulingDisabled")
        }
        c.status = status
        c.reasons = reasons.isEmpty ? nil : reasons
        return c
    }

    func namespace(_ obj: JSONValue) -> ComponentState? {
        guard let name = obj.at("metadata", "name")?.asString else { return nil }
        var c = ComponentState(kind: "Namespace", namespace: nil, name: name, status: .healthy)
        let labels = obj.at("metadata", "labels")?.asStringMap ?? [:]
        c.labels = keptLabels(labels)
        if let phase = obj.at("status", "phase")?.asString, phase != "Active" {
            c.status = .degraded
            c.reasons = [phase]
        }
        if config.role(kind: "Namespace", name: name, namespace: nil, labels: labels) == .layerStack { c.role = .layerStack }
        return c
    }

    func configMap(_ obj: JSONValue) -> ComponentState? {
        guard let name = obj.at("metadata", "name")?.asString else { return nil }
        var c = ComponentState(kind: "ConfigMap", namespace: obj.at("metadata", "namespace")?.asString, name: name, status: .healthy)
        let data = obj["data"] ?? .object([])
        let binary = obj["binaryData"] ?? .object([])
        c.configHash = stableHash(.object([("binaryData", binary), ("data", data)]))
        let keys = data.asObject.map(\.0) + binary.asObject.map(\.0)
        c.configKeys = keys.isEmpty ? nil : keys.sorted()
        c.labels = keptLabels(obj.at("metadata", "labels")?.asStringMap ?? [:])
        return c
    }

    func application(_ obj: JSONValue) -> ComponentState? {
        guard let name = obj.at("metadata", "name")?.asString else { return nil }
        var c = ComponentState(kind: "Application", namespace: obj.at("metadata", "namespace")?.asString, name: name)
        let status = obj["status"]
        c.sync = status?.at("sync", "status")?.asString
        c.health = status?.at("health", "status")?.asString
        c.revision = status?.at("sync", "revision")?.asString
            ?? status?.at("sync", "revisions")?.asArray.compactMap(\.asString).joined(separator: ",").nonEmpty
        let op = status?["operationState"]
        c.operationPhase = op?["phase"]?.asString
        c.operationRevision = op?.at("syncResult", "revision")?.asString
            ?? op?.at("operation", "sync", "revision")?.asString
            ?? op?.at("syncResult", "revisions")?.asArray.compactMap(\.asString).joined(separator: ",").nonEmpty
        // Kept only when the last operation was about another revision than the synced one (a failed sync).
        if c.operationRevision == c.revision { c.operationRevision = nil }
        let spec = obj["spec"]
        let appSources = spec?["source"].map { [$0] } ?? spec?["sources"]?.asArray ?? []
        c.repo = appSources.compactMap { $0["repoURL"]?.asString }.joined(separator: ",").nonEmpty
        c.targetRevision = appSources.compactMap { $0["targetRevision"]?.asString }.joined(separator: ",").nonEmpty
        var manages = Set<String>()
        for r in status?["resources"]?.asArray ?? [] {
            guard let kind = r["kind"]?.asString, let n = r["name"]?.asString else { continue }
            manages.insert(ComponentState.key(kind: kind, namespace: r["namespace"]?.asString, name: n))
        }
        c.manages = manages.isEmpty ? nil : manages.sorted()
        let labels = obj.at("metadata", "labels")?.asStringMap ?? [:]
        c.labels = keptLabels(labels)
        c.role = config.role(kind: "Application", name: name, namespace: c.namespace, labels: labels)

        var reasons: [String] = []
        switch c.health {
        case "Healthy"?, "Suspended"?: c.status = .healthy
        case "Progressing"?, "Degraded"?, "Missing"?:
            c.status = .degraded
            reasons.append(c.health!)
        default: c.status = .unknown
        }
        if let phase = c.operationPhase, phase == "Failed" || phase == "Error" {
            c.status = max(c.status, .degraded)
            reasons.append("sync \(phase)")
        }
        c.reasons = reasons.isEmpty ? nil : reasons
        return c
    }

    // MARK: Alerts

    func alert(_ obj: JSONValue, workloads: Workloads) -> InfraAlert? {
        guard obj["type"]?.asString == "Warning" else { return nil }
        let involved = obj["involvedObject"] ?? obj["regarding"] ?? .object([])
        guard let kind = involved["kind"]?.asString, let name = involved["name"]?.asString else { return nil }
        let ns = involved["namespace"]?.asString ?? obj.at("metadata", "namespace")?.asString
        guard config.includes(namespace: ns) else { return nil }
        let reason = obj["reason"]?.asString ?? "Warning"
        var owner: Workloads.Owner = (kind, name)
        switch kind {
        case "Pod":
            if let known = workloads.podOwner[Workloads.nsKey(ns, name)] {
                owner = known
            } else if let guess = Workloads.guessPodOwner(podName: name, templateHash: involved["labels"]?["pod-template-hash"]?.asString) {
                owner = guess
            }
        case "ReplicaSet":
            owner = workloads.replicaSetOwner(namespace: ns, name: name, templateHash: nil)
        default: break
        }
        let scoped = kind == "Node" || kind == "Namespace" ? nil : ns
        return InfraAlert(component: ComponentState.key(kind: owner.kind, namespace: scoped, name: owner.name),
                          kind: owner.kind, namespace: scoped, name: owner.name, reason: reason)
    }
}

/// Pods rolled up into the controllers that own them: pod → ReplicaSet → Deployment through owner
/// references, so a new pod name is not a new component.
struct Workloads {
    typealias Owner = (kind: String, name: String)

    struct ReplicaSetInfo {
        var owner: Owner?
        var replicas: Int?
        var ready: Int?
        var template: JSONValue?
        var labels: [String: String]
    }

    struct Accumulator {
        var state: ComponentState
        var roleLabels: [String: String] = [:]
        var hasPods = false
        var phases: [String: Int] = [:]
        var waiting: [String: Int] = [:]
        var restarts = 0
        var readyPods = 0
        var runningNotReady = 0
        var terminations = Set<String>()
        var fromController = false
    }

    let builder: SnapshotBuilder
    var replicaSets: [String: ReplicaSetInfo] = [:]
    var accumulators: [String: Accumulator] = [:]
    /// `namespace/pod` → the component the pod belongs to, for rolling up events.
    var podOwner: [String: Owner] = [:]

    init(builder: SnapshotBuilder) { self.builder = builder }

    static func nsKey(_ ns: String?, _ name: String) -> String { "\(ns ?? "")/\(name)" }

    static func controllerRef(_ meta: JSONValue?) -> Owner? {
        let refs = meta?["ownerReferences"]?.asArray ?? []
        let ref = refs.first(where: { $0["controller"]?.asBool == true }) ?? refs.first
        guard let ref, let kind = ref["kind"]?.asString, let name = ref["name"]?.asString else { return nil }
        return (kind, name)
    }

    mutating func addReplicaSet(_ obj: JSONValue) {
        guard let name = obj.at("metadata", "name")?.asString else { return }
        let ns = obj.at("metadata", "namespace")?.asString
        replicaSets[Workloads.nsKey(ns, name)] = ReplicaSetInfo(
            owner: Workloads.controllerRef(obj["metadata"]),
            replicas: obj.at("spec", "replicas")?.asInt,
            ready: obj.at("status", "readyReplicas")?.asInt ?? 0,
            template: obj.at("spec", "template"),
            labels: obj.at("metadata", "labels")?.asStringMap ?? [:])
    }

    /// A Deployment, StatefulSet or DaemonSet from its own list: desired state and rollout status.
    mutating func addController(_ obj: JSONValue, kind: String) {
        guard let name = obj.at("metadata", "name")?.asString else { return }
        let ns = obj.at("metadata", "namespace")?.asString
        let key = ComponentState.key(kind: kind, namespace: ns, name: name)
        var acc = accumulators[key] ?? Accumulator(state: ComponentState(kind: kind, namespace: ns, name: name))
        acc.fromController = true
        let spec = obj["spec"], status = obj["status"]
        let template = spec?["template"]
        let facts = SnapshotBuilder.templateFacts(podSpec: template?["spec"], metadata: template?["metadata"])
        var s = acc.state
        s.images = facts.images
        s.envHash = facts.envHash
        s.envNames = facts.envNames
        s.specHash = facts.specHash
        switch kind {
        case "DaemonSet":
            s.replicas = status?["desiredNumberScheduled"]?.asInt
            s.readyReplicas = status?["numberReady"]?.asInt ?? (status == nil ? nil : 0)
        default:
            s.replicas = spec?["replicas"]?.asInt ?? 1
            s.readyReplicas = status?["readyReplicas"]?.asInt ?? (status == nil ? nil : 0)
        }
        if kind == "Deployment" {
            s.revision = obj.at("metadata", "annotations", "deployment.kubernetes.io/revision")?.asString
        }
        s.conditions = SnapshotBuilder.conditions(status?["conditions"])
        let labels = obj.at("metadata", "labels")?.asStringMap ?? [:]
        acc.roleLabels = facts.labels.merging(labels) { _, own in own }
        s.labels = builder.keptLabels(acc.roleLabels)
        acc.state = s
        accumulators[key] = acc
    }

    /// Where a ReplicaSet's pods belong: its Deployment (from the ReplicaSet's owner reference, or, when
    /// the ReplicaSet was not listed, from the `NAME-<pod-template-hash>` naming rule), or the ReplicaSet.
    func replicaSetOwner(namespace: String?, name: String, templateHash: String?) -> Owner {
        if let info = replicaSets[Workloads.nsKey(namespace, name)] {
            return info.owner ?? ("ReplicaSet", name)
        }
        if let hash = templateHash, !hash.isEmpty, name.hasSuffix("-" + hash) {
            return ("Deployment", String(name.dropLast(hash.count + 1)))
        }
        let parts = name.split(separator: "-")
        if parts.count >= 2, let last = parts.last, (6...10).contains(last.count), last.allSatisfy({ $0.isLetter || $0.isNumber }),
           last.contains(where: \.isNumber) {
            return ("Deployment", parts.dropLast().joined(separator: "-"))
        }
        return ("ReplicaSet", name)
    }

    /// For a pod that is no longer listed (an event about a deleted pod): `NAME-<hash>-<5 chars>` is a
    /// Deployment's pod.
    static func guessPodOwner(podName: String, templateHash: String?) -> Owner? {
        let parts = podName.split(separator: "-")
        guard parts.count >= 3 else { return nil }
        let hash = parts[parts.count - 2]
        if let templateHash, hash != templateHash[...] { return nil }
        guard parts.last!.count == 5, (6...10).contains(hash.count),
              hash.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        return ("Deployment", parts.dropLast(2).joined(separator: "-"))
    }

    mutating func addPod(_ obj: JSONValue) {
        let meta = obj["metadata"]
        guard let podName = meta?["name"]?.asString else { return }
        let ns = meta?["namespace"]?.asString
        let podLabels = meta?["labels"]?.asStringMap ?? [:]
        var owner: Owner = ("Pod", podName)
        var rsInfo: ReplicaSetInfo?
        if let ref = Workloads.controllerRef(meta) {
            switch ref.kind {
            case "ReplicaSet":
                owner = replicaSetOwner(namespace: ns, name: ref.name, templateHash: podLabels["pod-template-hash"])
                rsInfo = replicaSets[Workloads.nsKey(ns, ref.name)]
            case "Job":
                // Job pods come and go by design; they are not components.
                podOwner[Workloads.nsKey(ns, podName)] = ref
                return
            case "Node":
                break // a static (mirror) pod: its name is stable
            default:
                owner = ref
            }
        }
        podOwner[Workloads.nsKey(ns, podName)] = owner
        // A pod being deleted is on its way out (a rollout, a scale-down); it does not describe the component.
        if meta?["deletionTimestamp"] != nil { return }

        let key = ComponentState.key(kind: owner.kind, namespace: ns, name: owner.name)
        var acc = accumulators[key] ?? Accumulator(state: ComponentState(kind: owner.kind, namespace: ns, name: owner.name))
        if !acc.fromController && !acc.hasPods {
            // No controller object listed: describe the component from its ReplicaSet or the pod itself.
            let template = rsInfo?.template ?? .object([("metadata", meta ?? .object([])), ("spec", obj["spec"] ?? .object([]))])
            let podMeta: JSONValue = owner.kind == "Pod"
                ? .object([("labels", meta?["labels"] ?? .object([])), ("annotations", meta?["annotations"] ?? .object([]))])
                : (template["metadata"] ?? .object([])).removingKeys(["name", "generateName", "uid", "resourceVersion", "ownerReferences", "selfLink"])
            let facts = SnapshotBuilder.templateFacts(podSpec: template["spec"], metadata: podMeta)
            acc.state.images = facts.images
            acc.state.envHash = facts.envHash
            acc.state.envNames = facts.envNames
            // A pod's own spec carries its node and generated names; only a template's hash is meaningful.
            acc.state.specHash = rsInfo?.template != nil ? facts.specHash : nil
            if owner.kind == "ReplicaSet", let rsInfo {
                acc.state.replicas = rsInfo.replicas
                acc.state.readyReplicas = rsInfo.ready
                acc.roleLabels = rsInfo.labels
            } else {
                acc.roleLabels = podLabels
            }
            acc.state.labels = builder.keptLabels(acc.roleLabels)
        }
        acc.hasPods = true

        let status = obj["status"]
        let phase = status?["phase"]?.asString ?? "Unknown"
        acc.phases[phase, default: 0] += 1
        let ready = status?["conditions"]?.asArray.contains { $0["type"]?.asString == "Ready" && $0["status"]?.asString == "True" } ?? false
        if ready { acc.readyPods += 1 } else if phase == "Running" { acc.runningNotReady += 1 }
        for field in ["initContainerStatuses", "containerStatuses"] {
            for cs in status?[field]?.asArray ?? [] {
                acc.restarts += cs["restartCount"]?.asInt ?? 0
                let waitingReason = cs.at("state", "waiting", "reason")?.asString
                if let waitingReason { acc.waiting[waitingReason, default: 0] += 1 }
                let containerReady = cs["ready"]?.asBool ?? false
                if waitingReason != nil || !containerReady, let term = cs.at("lastState", "terminated") ?? cs.at("state", "terminated") {
                    let reason = term["reason"]?.asString ?? "Terminated"
                    let code = term["exitCode"]?.asInt
                    if reason != "Completed" || (code ?? 0) != 0 {
                        acc.terminations.insert(code.map { "\(reason) (exit \($0))" } ?? reason)
                    }
                }
            }
        }
        accumulators[key] = acc
    }

    /// Waiting reasons that are part of a normal start, not a problem.
    static let benignWaiting: Set<String> = ["ContainerCreating", "PodInitializing"]

    func finish() -> [ComponentState] {
        accumulators.values.map { acc in
            var s = acc.state
            if acc.hasPods {
                s.pods = acc.phases
                s.waiting = acc.waiting.isEmpty ? nil : acc.waiting
                s.restarts = acc.restarts
                s.crashLoop = (acc.waiting["CrashLoopBackOff"] ?? 0) > 0
                s.lastTermination = acc.terminations.min()
                if s.readyReplicas == nil, s.kind != "Pod" { s.readyReplicas = acc.readyPods }
            }
            s.role = builder.config.role(kind: s.kind, name: s.name, namespace: s.namespace, labels: acc.roleLabels)
            let (status, reasons) = Workloads.health(s, acc: acc)
            s.status = status
            s.reasons = reasons.isEmpty ? nil : reasons
            return s
        }
    }

    static func health(_ s: ComponentState, acc: Accumulator) -> (HealthStatus, [String]) {
        var status = HealthStatus.healthy
        var reasons: [String] = []
        func worsen(_ to: HealthStatus, _ reason: String) {
            status = max(status, to)
            if !reasons.contains(reason) { reasons.append(reason) }
        }
        if s.crashLoop == true { worsen(.critical, "CrashLoopBackOff") }
        for reason in acc.waiting.keys.sorted() where reason != "CrashLoopBackOff" && !benignWaiting.contains(reason) {
            worsen(.degraded, reason)
        }
        if s.kind == "Pod" {
            let phase = acc.phases.keys.first ?? "Unknown"
            switch phase {
            case "Running": if acc.readyPods == 0 { worsen(.degraded, "not ready") }
            case "Succeeded": break
            case "Pending": worsen(.degraded, "Pending")
            case "Failed": worsen(.degraded, "Failed")
            default: if status == .healthy { status = .unknown }
            }
            return (status, reasons)
        }
        if let desired = s.replicas, let ready = s.readyReplicas {
            if desired > 0 && ready == 0 { worsen(.critical, "0/\(desired) ready") }
            else if ready < desired { worsen(.degraded, "\(ready)/\(desired) ready") }
        } else if s.replicas == nil && s.readyReplicas == nil && !acc.hasPods {
            return (.unknown, [])
        }
        if let failed = acc.phases["Failed"], failed > 0 { worsen(.degraded, "\(failed) pods Failed") }
        if let c = s.conditions {
            if c["ReplicaFailure"] == "True" { worsen(.degraded, "ReplicaFailure") }
            if c["Progressing"] == "False" { worsen(.degraded, "rollout stalled") }
        }
        return (status, reasons)
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
