import MemoryModel

/// The result of comparing two snapshots: the timeline events to append, and the snapshot to store.
///
/// The stored snapshot is not always the collected one: components whose source failed are carried over
/// from the previous snapshot, and restart counts that were coalesced stay at their last reported value
/// (so a crash-looping pod changes the stored state at most once per window, not at every restart).
public struct InfraChange: Sendable, Equatable {
    public var events: [TimelineEvent]
    public var snapshot: InfraSnapshot

    public init(events: [TimelineEvent], snapshot: InfraSnapshot) {
        self.events = events
        self.snapshot = snapshot
    }
}

/// Turns the difference between two snapshots into timeline events.
///
/// | type | when | details |
/// |---|---|---|
/// | `deployment` | image, pod template or revision changed; Argo CD synced a new revision; a node's kubelet version changed | `field` (`image`, `spec`, `revision`, `version`), `old`, `new`, and `changes` when several fields moved |
/// | `scaling` | desired replicas changed | `field: replicas`, `old`, `new` |
/// | `pod_restart` | restarts went up (coalesced per window), or a crash loop began | `old`, `new`, `delta`, `crash_loop`, `last_termination` |
/// | `health_change` | status changed (pod readiness, conditions, node Ready); Argo CD health, sync or operation phase changed | `field` (`status`, `health`, `sync`, `operation_phase`), `old`, `new`, `reasons` |
/// | `config_change` | ConfigMap data, environment, Service ports/type/selector, labels, Argo CD source | `field`, `old`, `new` (hashes for data and env), `added`/`removed` names |
/// | `component_added` / `component_removed` | a component appeared or disappeared | `kind`, `namespace`, `status`, … |
/// | `alert` | a Kubernetes Warning event's reason (BackOff, OOMKilling, FailedScheduling, …) newly reported on a component (attributed to its owning workload) | `reason` |
///
/// The first snapshot (no `old`) is a baseline: it gives one `health_change` event (`found_at_start`) for
/// each component that is already degraded or critical, so that an incident that began before the
/// collector ran is on the timeline; healthy components give none.
public struct ChangeDetector: Sendable {
    public var restartWindowSeconds: Int64
    /// Whether new Warning events become `alert` events here. Off while `EventWatch` follows Events (it
    /// records one per Event, by uid); the state still lists the alerts.
    public var recordsAlerts = true

    public init(restartWindowSeconds: Int64 = 15 * 60) {
        self.restartWindowSeconds = restartWindowSeconds
    }

    public init(config: CollectorConfig) {
        self.init(restartWindowSeconds: config.restartWindowSeconds)
    }

    /// The events between `old` and `new`, in a stable order (Argo CD applications first, then by
    /// component key), and the snapshot to store.
    public func compare(old: InfraSnapshot?, new: InfraSnapshot, at: Timestamp) -> InfraChange {
        // The first snapshot is a baseline, kept as collected; what is already failing is on record.
        guard let old else {
            var run = DiffRun(at: at, windowMilliseconds: restartWindowSeconds * 1000)
            for key in new.components.keys.sorted() { run.foundAtStart(new.components[key]!) }
            if recordsAlerts { for alert in new.alerts { run.alertRaised(alert, foundAtStart: true) } }
            for key in new.usage.keys.sorted() {
                if let c = new.components[key] { run.pressure(c, old: nil, new: new.usage[key]!, foundAtStart: true) }
            }
            return InfraChange(events: run.events, snapshot: new)
        }
        var next = new
        if new.sources[InfraKind.events.rawValue]?.isFailed == true { next.alerts = old.alerts }
        // Metrics that could not be read are as last seen; metrics-server gone ("absent") means no usage.
        for (kind, isNode) in [(InfraKind.metrics, false), (InfraKind.nodemetrics, true)] where new.sources[kind.rawValue]?.isFailed == true {
            let fromThisSource = { (key: String) in key.hasPrefix("node/") == isNode }
            next.usage = next.usage.filter { !fromThisSource($0.key) }.merging(old.usage.filter { fromThisSource($0.key) }) { new, _ in new }
        }
        // Components whose own source failed are shown as last seen, whatever this round made of them.
        let failing = Set(new.components.values.map(\.kind)).union(old.components.values.map(\.kind))
            .filter { Provenance.ownSourceFailed(kind: $0, in: new.sources) }
        if !failing.isEmpty {
            next.components = next.components.filter { !failing.contains($0.value.kind) }
            for (key, c) in old.components where failing.contains(c.kind) { next.components[key] = c }
        }
        // A workload whose own source answered but whose pods were not read: its own fields (replicas,
        // images, revision) are current and their changes recorded; what only pods tell is as last seen.
        if new.sources[InfraKind.pods.rawValue]?.isFailed == true {
            for (key, c) in next.components where Provenance.isWorkload(kind: c.kind) && !failing.contains(c.kind) {
                if let seen = old.components[key] { next.components[key] = c.withPodFields(of: seen) }
            }
        }

        // Kinds whose source had failed before we ever saw them: their components appearing now are a
        // baseline, not additions.
        let seenKinds = Set(old.components.values.map(\.kind))
        func isBaseline(_ kind: String) -> Bool {
            !seenKinds.contains(kind) && Provenance.failed(kind: kind, in: old.sources)
        }

        var run = DiffRun(at: at, windowMilliseconds: restartWindowSeconds * 1000)
        let keys = Set(old.components.keys).union(next.components.keys)
        let apps = keys.filter { (next.components[$0] ?? old.components[$0])?.kind == "Application" }.sorted()
        let rest = keys.subtracting(apps).sorted()
        for key in apps + rest {
            switch (old.components[key], next.components[key]) {
            case let (nil, n?):
                if isBaseline(n.kind) { run.foundAtStart(n) } else { run.added(n) }
            case let (o?, nil):
                run.removed(o)
            case let (o?, n?):
                if o == n { continue }
                var updated = n
                run.changed(o, &updated)
                next.components[key] = updated
            default: continue
            }
        }
        // Kubernetes Warning events: one timeline event when a (component, reason) warning appears, none
        // while it persists (a BackOff repeated 40 times is one event), another if it returns after clearing.
        // Events expire from the cluster within an hour; the timeline keeps them.
        if recordsAlerts, new.sources[InfraKind.events.rawValue]?.isFailed != true {
            let known = Set(old.alerts)
            for alert in next.alerts where !known.contains(alert) { run.alertRaised(alert, foundAtStart: false) }
        }
        // Usage crossing a limit's threshold: memory near its limit (the OOM killer is next), CPU at its limit.
        for key in next.usage.keys.sorted() {
            guard let c = next.components[key] else { continue }
            run.pressure(c, old: old.usage[key], new: next.usage[key]!, foundAtStart: false)
        }
        return InfraChange(events: run.events, snapshot: next)
    }

    /// Only the events of `compare(old:new:at:)`.
    public func diff(old: InfraSnapshot?, new: InfraSnapshot, at: Timestamp) -> [TimelineEvent] {
        compare(old: old, new: new, at: at).events
    }
}

/// One comparison: the events so far, and the links between them for `caused_by`.
private struct DiffRun {
    let at: Timestamp
    let windowMilliseconds: Int64
    var events: [TimelineEvent] = []
    /// Key of a resource managed by an Argo CD application → the application's `deployment` event.
    var argoDeployments: [String: String] = [:]

    init(at: Timestamp, windowMilliseconds: Int64) {
        self.at = at
        self.windowMilliseconds = windowMilliseconds
    }

    // MARK: Emitting

    @discardableResult
    mutating func emit(_ type: String, _ c: ComponentState, _ severity: Severity, _ description: String,
                       _ details: [(String, JSONValue)], causedBy: String? = nil, also: [String] = []) -> String {
        var pairs = details
        pairs.append(("component", .string(c.key)))
        pairs.append(("kind", .string(c.kind)))
        if let ns = c.namespace { pairs.append(("namespace", .string(ns))) }
        let detailsValue = JSONValue.object(pairs)
        let id = Identifier.derived(.event, at: at, content: "\(type)\u{1}\(c.key)\u{1}\(detailsValue.json)")
        var names = [componentName(c.name)]
        for extra in also.map(componentName) where !names.contains(extra) { names.append(extra) }
        events.append(TimelineEvent(id: id, timestamp: at, type: type, source: c.source, description: description,
                                    details: detailsValue, causedBy: causedBy, components: names, severity: severity))
        return id
    }

    /// Kubernetes names are already safe as component names; anything else is made so.
    func componentName(_ name: String) -> String {
        if Identifier.isSafeName(name, maxLength: 253) { return name }
        var out = ""
        for ch in name {
            let safe: Character = ch.isASCII && (ch.isLetter || ch.isNumber || ch == "-" || ch == "_" || ch == ".") ? ch : "-"
            if safe == ".", out.last == "." { continue }
            if out.isEmpty, safe == "." || safe == "-" { continue }
            out.append(safe)
        }
        return out.isEmpty ? "unnamed" : String(out.prefix(253))
    }

    func label(_ c: ComponentState) -> String {
        "\(c.kind) \(c.namespace.map { "\($0)/" } ?? "")\(c.name)"
    }

    // MARK: Added and removed

    /// A Kubernetes Warning event's reason newly reported on a component.
    mutating func alertRaised(_ a: InfraAlert, foundAtStart: Bool) {
        let serious: Set<String> = ["OOMKilling", "OOMKilled", "SystemOOM", "Evicted", "NodeNotReady", "FailedMount", "FailedAttachVolume"]
        var details: [(String, JSONValue)] = [("reason", .string(a.reason))]
        if foundAtStart { details.append(("found_at_start", .bool(true))) }
        let c = ComponentState(kind: a.kind, namespace: a.namespace, name: a.name)
        emit("alert", c, serious.contains(a.reason) ? .error : .warning, "Kubernetes warning \(a.reason) on \(label(c))", details)
    }

    /// Memory at 90 % or more of a container's limit (a node's allocatable), or CPU at it, newly on a component.
    mutating func pressure(_ c: ComponentState, old: ResourceUsage?, new u: ResourceUsage, foundAtStart: Bool) {
        let node = c.kind == "Node"
        if u.memoryNearLimit, old?.memoryNearLimit != true {
            pressureAlert(c, reason: "MemoryNearLimit", field: "memory_limit_percent", old: old?.memoryLimitPercent, new: u.memoryLimitPercent,
                          amount: u.memoryBytes.map { ("memory_bytes", $0) }, foundAtStart: foundAtStart,
                          what: "memory", risk: node ? "pods may be evicted" : "OOM kill risk")
        }
        if u.cpuThrottled, old?.cpuThrottled != true {
            pressureAlert(c, reason: "CPUThrottled", field: "cpu_limit_percent", old: old?.cpuLimitPercent, new: u.cpuLimitPercent,
                          amount: u.cpuMillicores.map { ("cpu_millicores", $0) }, foundAtStart: foundAtStart,
                          what: "CPU", risk: node ? "saturated" : "throttled")
        }
    }

    private mutating func pressureAlert(_ c: ComponentState, reason: String, field: String, old: Int?, new: Int?, amount: (String, Int64)?,
                                        foundAtStart: Bool, what: String, risk: String) {
        var details: [(String, JSONValue)] = [("reason", .string(reason)), ("field", .string(field)),
                                             ("old", old.map { .number(Double($0)) } ?? .null), ("new", .number(Double(new ?? 0)))]
        if let (key, value) = amount { details.append((key, .number(Double(value)))) }
        if foundAtStart { details.append(("found_at_start", .bool(true))) }
        let of = c.kind == "Node" ? "of allocatable" : "of its limit"
        emit("alert", c, .warning, "\(label(c)) \(what) at \(new ?? 0)% \(of) (\(risk))", details)
    }

    /// A component first seen already failing: the state it was found in, as a health change from nothing.
    mutating func foundAtStart(_ c: ComponentState) {
        guard c.status == .degraded || c.status == .critical else { return }
        var details: [(String, JSONValue)] = [("field", .string("status")), ("new", .string(c.status.rawValue)), ("found_at_start", .bool(true))]
        if let reasons = c.reasons { details.append(("reasons", strings(reasons))) }
        let why = c.reasons.map { ": " + $0.joined(separator: ", ") } ?? ""
        emit("health_change", c, c.status == .critical ? .error : .warning,
             "\(label(c)) was already \(c.status.rawValue) when first collected\(why)", details)
    }

    mutating func added(_ n: ComponentState) {
        var details: [(String, JSONValue)] = [("status", .string(n.status.rawValue))]
        if let image = n.image { details.append(("image", .string(image))) }
        if let r = n.replicas { details.append(("replicas", .number(Double(r)))) }
        if let role = n.role { details.append(("role", .string(role.rawValue))) }
        if let reasons = n.reasons { details.append(("reasons", strings(reasons))) }
        emit("component_added", n, .info, "\(label(n)) added", details, causedBy: argoDeployments[n.key])
    }

    mutating func removed(_ o: ComponentState) {
        var details: [(String, JSONValue)] = [("last_status", .string(o.status.rawValue))]
        if let image = o.image { details.append(("image", .string(image))) }
        emit("component_removed", o, o.kind == "Node" ? .warning : .info, "\(label(o)) removed", details,
             causedBy: argoDeployments[o.key])
    }

    // MARK: Changed

    mutating func changed(_ o: ComponentState, _ n: inout ComponentState) {
        switch n.kind {
        case "Application": application(o, n)
        case "Service": service(o, n)
        case "ConfigMap": configMap(o, n)
        case "Node": node(o, n)
        case "Namespace": health(o, n, causedBy: nil, suppressRollout: false)
        default: workload(o, &n)
        }
    }

    mutating func workload(_ o: ComponentState, _ n: inout ComponentState) {
        let argo = argoDeployments[n.key]
        var deploymentID: String?
        var changes: [(String, JSONValue, JSONValue)] = []
        var imageExtra: [(String, JSONValue)] = []
        if o.images != n.images {
            let oi = o.images ?? [:], ni = n.images ?? [:]
            let containers = Set(oi.keys).union(ni.keys).filter { oi[$0] != ni[$0] }.sorted()
            func joined(_ m: [String: String]) -> JSONValue {
                let vals = containers.compactMap { m[$0] }
                return vals.isEmpty ? .null : .string(vals.joined(separator: ", "))
            }
            changes.append(("image", joined(oi), joined(ni)))
            imageExtra = containers.count == 1 ? [("container", .string(containers[0]))] : [("containers", strings(containers))]
        }
        if o.specHash != n.specHash, o.specHash != nil, n.specHash != nil {
            changes.append(("spec", opt(o.specHash), opt(n.specHash)))
        }
        if o.revision != n.revision { changes.append(("revision", opt(o.revision), opt(n.revision))) }
        // Labels such as app.kubernetes.io/version move with a rollout: part of it, not a second event.
        let labelsMoved = o.labels != n.labels
        if !changes.isEmpty && labelsMoved { changes.append(("labels", labels(o.labels), labels(n.labels))) }
        if let first = changes.first {
            var details: [(String, JSONValue)] = [("field", .string(first.0)), ("old", first.1), ("new", first.2)]
            if first.0 == "image" { details += imageExtra }
            if changes.count > 1 { details.append(("changes", .array(changes.map(change)))) }
            if o.status != n.status { details.append(("status", oldNew(o.status.rawValue, n.status.rawValue))) }
            let what: String
            switch first.0 {
            case "image": what = "image \(text(first.1)) → \(text(first.2))"
            case "spec": what = "pod template changed" + (n.revision.map { " (revision \($0))" } ?? "")
            default: what = "revision \(text(first.1)) → \(text(first.2))"
            }
            deploymentID = emit("deployment", n, .info, "\(label(n)): \(what)", details, causedBy: argo)
        }

        var scaled = false
        if let a = o.replicas, let b = n.replicas, a != b {
            scaled = true
            emit("scaling", n, .info, "\(label(n)) scaled \(a) → \(b)",
                 [("field", .string("replicas")), ("old", .number(Double(a))), ("new", .number(Double(b)))], causedBy: argo)
        }

        if o.envHash != n.envHash {
            var details: [(String, JSONValue)] = [("field", .string("env")), ("old", opt(o.envHash)), ("new", opt(n.envHash))]
            details += namesDiff(o.envNames, n.envNames)
            emit("config_change", n, .info, "\(label(n)): environment changed", details, causedBy: argo)
        }
        if deploymentID == nil { labelChange(o, n, causedBy: argo) }

        let crashReported = restarts(o, &n, causedBy: deploymentID)
        if crashReported && n.status == .critical { return }
        health(o, n, causedBy: deploymentID ?? argo, suppressRollout: deploymentID != nil || scaled)
    }

    /// Restart coalescing. Returns whether a crash-loop event was written.
    mutating func restarts(_ o: ComponentState, _ n: inout ComponentState, causedBy: String?) -> Bool {
        guard let reported = o.restarts, let actual = n.restarts else { return false }
        let last = o.restartReport
        let inWindow = last.map { at >= $0.at && at.milliseconds - $0.at.milliseconds < windowMilliseconds } ?? false
        let wasCrash = o.crashLoop == true
        // A crash-looping container is briefly Running between back-offs. While it keeps restarting, the
        // stored state stays "crash looping" so that the flicker makes neither events nor commits.
        if wasCrash && n.crashLoop != true && actual > reported {
            n.crashLoop = true
            n.status = max(n.status, o.status)
            n.reasons = o.reasons
            n.waiting = o.waiting
            n.lastTermination = o.lastTermination ?? n.lastTermination
        }
        let crash = n.crashLoop == true
        let entered = crash && !wasCrash && !(inWindow && last?.crashLoop == true)
        let delta = actual - reported
        guard entered || (delta > 0 && !inWindow) else {
            n.restarts = delta > 0 ? reported : actual
            n.restartReport = last
            return false
        }
        var details: [(String, JSONValue)] = [
            ("field", .string("restarts")), ("old", .number(Double(reported))), ("new", .number(Double(actual))),
            ("delta", .number(Double(max(0, delta)))), ("crash_loop", .bool(crash)),
        ]
        if let t = n.lastTermination { details.append(("last_termination", .string(t))) }
        if let w = n.waiting { details.append(("waiting", .object(w.keys.sorted().map { ($0, .number(Double(w[$0]!))) }))) }
        if o.status != n.status { details.append(("status", oldNew(o.status.rawValue, n.status.rawValue))) }
        details.append(("window_seconds", .number(Double(windowMilliseconds / 1000))))
        let description = crash
            ? "\(label(n)) is crash looping" + (n.lastTermination.map { " (\($0))" } ?? "") + ": restarts \(reported) → \(actual)"
            : "\(label(n)) restarted \(max(0, delta)) time\(delta == 1 ? "" : "s") (restarts \(reported) → \(actual))"
        emit("pod_restart", n, crash ? .critical : .warning, description, details, causedBy: causedBy)
        n.restarts = actual
        n.restartReport = RestartReport(at: at, crashLoop: crash)
        return crash
    }

    /// A status change. During a rollout or a scale the new pods are briefly not ready: that alone is
    /// reported by the deployment or scaling event, not as a health change.
    mutating func health(_ o: ComponentState, _ n: ComponentState, causedBy: String?, suppressRollout: Bool) {
        guard o.status != n.status else { return }
        let reasons = n.reasons ?? []
        if suppressRollout, n.status == .degraded, !reasons.isEmpty, reasons.allSatisfy({ $0.hasSuffix(" ready") }) { return }
        var details: [(String, JSONValue)] = [
            ("field", .string("status")), ("old", .string(o.status.rawValue)), ("new", .string(n.status.rawValue)),
        ]
        if !reasons.isEmpty { details.append(("reasons", strings(reasons))) }
        if let conditions = conditionsDiff(o.conditions, n.conditions) { details.append(("conditions", conditions)) }
        if o.pods != n.pods, let pods = n.pods {
            details.append(("pods", .object(pods.keys.sorted().map { ($0, .number(Double(pods[$0]!))) })))
        }
        let severity: Severity
        switch n.status {
        case .critical: severity = .critical
        case .degraded, .unknown: severity = .warning
        case .healthy: severity = .info
        }
        let why = reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))"
        emit("health_change", n, severity, "\(label(n)) \(o.status.rawValue) → \(n.status.rawValue)\(why)", details, causedBy: causedBy)
    }

    mutating func labelChange(_ o: ComponentState, _ n: ComponentState, causedBy: String?) {
        guard o.labels != n.labels else { return }
        emit("config_change", n, .info, "\(label(n)): labels changed",
             [("field", .string("labels")), ("old", labels(o.labels)), ("new", labels(n.labels))], causedBy: causedBy)
    }

    func labels(_ m: [String: String]?) -> JSONValue {
        guard let m else { return .null }
        return .object(m.keys.sorted().map { ($0, .string(m[$0]!)) })
    }

    mutating func node(_ o: ComponentState, _ n: ComponentState) {
        var upgrade: String?
        if o.version != n.version, o.version != nil, n.version != nil {
            upgrade = emit("deployment", n, .info, "\(label(n)): kubelet \(o.version!) → \(n.version!)",
                           [("field", .string("version")), ("old", opt(o.version)), ("new", opt(n.version))])
        }
        labelChange(o, n, causedBy: nil)
        health(o, n, causedBy: upgrade, suppressRollout: false)
    }

    mutating func service(_ o: ComponentState, _ n: ComponentState) {
        var changes: [(String, JSONValue, JSONValue)] = []
        if o.serviceType != n.serviceType { changes.append(("type", opt(o.serviceType), opt(n.serviceType))) }
        if o.ports != n.ports { changes.append(("ports", o.ports.map(strings) ?? .null, n.ports.map(strings) ?? .null)) }
        if o.selector != n.selector {
            func sel(_ m: [String: String]?) -> JSONValue {
                guard let m else { return .null }
                return .string(m.keys.sorted().map { "\($0)=\(m[$0]!)" }.joined(separator: ","))
            }
            changes.append(("selector", sel(o.selector), sel(n.selector)))
        }
        let argo = argoDeployments[n.key]
        if let first = changes.first {
            var details: [(String, JSONValue)] = [("field", .string(first.0)), ("old", first.1), ("new", first.2)]
            if changes.count > 1 { details.append(("changes", .array(changes.map(change)))) }
            emit("config_change", n, .info, "\(label(n)): \(changes.map(\.0).joined(separator: ", ")) changed", details, causedBy: argo)
        }
        labelChange(o, n, causedBy: argo)
        health(o, n, causedBy: argo, suppressRollout: false)
    }

    mutating func configMap(_ o: ComponentState, _ n: ComponentState) {
        let argo = argoDeployments[n.key]
        if o.configHash != n.configHash {
            var details: [(String, JSONValue)] = [("field", .string("data")), ("old", opt(o.configHash)), ("new", opt(n.configHash))]
            details += namesDiff(o.configKeys, n.configKeys)
            emit("config_change", n, .info, "\(label(n)): data changed", details, causedBy: argo)
        }
        labelChange(o, n, causedBy: argo)
    }

    mutating func application(_ o: ComponentState, _ n: ComponentState) {
        let revisionChanged = o.revision != n.revision
            || (o.operationRevision != n.operationRevision && n.operationRevision != nil && n.operationRevision != n.revision)
        var synced: String?
        if revisionChanged {
            let failed = n.operationPhase == "Failed" || n.operationPhase == "Error"
            var details: [(String, JSONValue)] = [("field", .string("revision")), ("old", opt(o.revision)), ("new", opt(n.revision))]
            if let s = n.sync { details.append(("sync", .string(s))) }
            if let p = n.operationPhase { details.append(("phase", .string(p))) }
            if let r = n.operationRevision, r != n.revision { details.append(("operation_revision", .string(r))) }
            if let h = n.health { details.append(("health", .string(h))) }
            let workloads = (n.manages ?? []).filter {
                $0.hasPrefix("deployment/") || $0.hasPrefix("statefulset/") || $0.hasPrefix("daemonset/")
            }
            let names = workloads.compactMap { $0.split(separator: "/").last.map(String.init) }
            let short = (failed ? n.operationRevision ?? n.revision : n.revision).map { String($0.prefix(12)) } ?? "?"
            let verb = failed ? "sync of \(short) \(n.operationPhase!)" : "synced to \(short)"
            synced = emit("deployment", n, failed ? .error : .info, "Argo CD \(n.name) \(verb)", details,
                          also: Array(names.prefix(20)))
            for key in n.manages ?? [] { argoDeployments[key] = synced }
        }

        // One health_change per application: health first, then operation phase, then sync status.
        var changes: [(String, JSONValue, JSONValue)] = []
        let progressingOnly = Set([o.health, n.health].compactMap { $0 }) == ["Healthy", "Progressing"]
        if o.health != n.health && !progressingOnly { changes.append(("health", opt(o.health), opt(n.health))) }
        let badPhase = n.operationPhase == "Failed" || n.operationPhase == "Error"
        if o.operationPhase != n.operationPhase && badPhase && !revisionChanged {
            changes.append(("operation_phase", opt(o.operationPhase), opt(n.operationPhase)))
        }
        if o.sync != n.sync && !revisionChanged { changes.append(("sync", opt(o.sync), opt(n.sync))) }
        if let first = changes.first {
            var details: [(String, JSONValue)] = [("field", .string(first.0)), ("old", first.1), ("new", first.2)]
            if changes.count > 1 { details.append(("changes", .array(changes.map(change)))) }
            if first.0 != "sync", let s = n.sync { details.append(("sync", .string(s))) }
            if let r = n.revision { details.append(("revision", .string(r))) }
            let severity: Severity
            switch first.0 {
            case "health":
                switch n.health {
                case "Degraded"?, "Missing"?: severity = .error
                case "Healthy"?, "Progressing"?, "Suspended"?: severity = .info
                default: severity = .warning
                }
            case "operation_phase": severity = .error
            default: severity = n.sync == "OutOfSync" ? .warning : .info
            }
            emit("health_change", n, severity, "Argo CD \(n.name): \(first.0) \(text(first.1)) → \(text(first.2))",
                 details, causedBy: synced)
        }

        var source: [(String, JSONValue, JSONValue)] = []
        if o.repo != n.repo { source.append(("repo", opt(o.repo), opt(n.repo))) }
        if o.targetRevision != n.targetRevision { source.append(("target_revision", opt(o.targetRevision), opt(n.targetRevision))) }
        if let first = source.first {
            var details: [(String, JSONValue)] = [("field", .string(first.0)), ("old", first.1), ("new", first.2)]
            if source.count > 1 { details.append(("changes", .array(source.map(change)))) }
            emit("config_change", n, .info, "Argo CD \(n.name): source changed", details, causedBy: synced)
        }
        labelChange(o, n, causedBy: synced)
    }

    // MARK: Small helpers

    func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    func strings(_ a: [String]) -> JSONValue { .array(a.map { .string($0) }) }
    func oldNew(_ a: String, _ b: String) -> JSONValue { .object([("old", .string(a)), ("new", .string(b))]) }
    func change(_ c: (String, JSONValue, JSONValue)) -> JSONValue { .object([("field", .string(c.0)), ("old", c.1), ("new", c.2)]) }
    func text(_ v: JSONValue) -> String {
        switch v {
        case .null: return "none"
        case let .string(s): return s
        default: return v.json
        }
    }

    func namesDiff(_ a: [String]?, _ b: [String]?) -> [(String, JSONValue)] {
        let before = Set(a ?? []), after = Set(b ?? [])
        var out: [(String, JSONValue)] = []
        let added = after.subtracting(before).sorted(), removed = before.subtracting(after).sorted()
        if !added.isEmpty { out.append(("added", strings(added))) }
        if !removed.isEmpty { out.append(("removed", strings(removed))) }
        return out
    }

    func conditionsDiff(_ a: [String: String]?, _ b: [String: String]?) -> JSONValue? {
        let before = a ?? [:], after = b ?? [:]
        let types = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
        guard !types.isEmpty else { return nil }
        return .object(types.map { ($0, .object([("old", opt(before[$0])), ("new", opt(after[$0]))])) })
    }
}
