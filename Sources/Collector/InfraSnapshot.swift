import Foundation
import MemoryModel

/// The state of the infrastructure at one moment, as the memory stores it: components by key, recent
/// alerts, and how each source went. Nothing volatile is kept (no collection time, no resource versions,
/// no pod names), so two collections of an unchanged cluster give byte-equal `canonicalJSON()`.
public struct InfraSnapshot: Sendable, Equatable, Codable {
    public static let formatVersion = 1

    public var version: Int = InfraSnapshot.formatVersion
    /// Components by `ComponentState.key`.
    public var components: [String: ComponentState]
    /// Recent Warning events, one per component and reason, sorted.
    public var alerts: [InfraAlert]
    /// How reading each `InfraKind` went, by its raw value.
    public var sources: [String: SourceStatus]
    /// CPU and memory per component key, from the metrics API (empty without metrics-server).
    public var usage: [String: ResourceUsage] = [:]

    public init(components: [String: ComponentState] = [:], alerts: [InfraAlert] = [], sources: [String: SourceStatus] = [:]) {
        self.components = components
        self.alerts = alerts
        self.sources = sources
    }

    /// Components sorted by key.
    public var sortedComponents: [ComponentState] { components.keys.sorted().map { components[$0]! } }

    /// Components with this key (`deployment/shop/api`), `namespace/name`, or name; several kinds can share
    /// a name (a Deployment and its Service).
    public func components(named query: String) -> [ComponentState] {
        if let exact = components[query] { return [exact] }
        return sortedComponents.filter { c in
            c.name == query || (c.namespace.map { "\($0)/\(c.name)" } == query)
        }
    }

    // MARK: Encoding

    /// The stored form: pretty-printed JSON with sorted keys and sorted arrays, ending in a newline. Equal
    /// snapshots give equal bytes, so the state file is committed only when something changed.
    public func canonicalJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Encoding plain structs, strings and integers cannot fail.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Reads a state file written by `canonicalJSON()`. Unknown keys are ignored.
    public init(canonicalJSON text: String) throws {
        do {
            self = try JSONDecoder().decode(InfraSnapshot.self, from: Data(text.utf8))
        } catch {
            throw ValidationError("the infrastructure state is not readable: \(error)")
        }
    }

    enum CodingKeys: String, CodingKey { case version, components, alerts, sources, usage }

    /// `usage` only when there is some, so a cluster without metrics-server stores what it always did.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(components, forKey: .components)
        try c.encode(alerts, forKey: .alerts)
        try c.encode(sources, forKey: .sources)
        if !usage.isEmpty { try c.encode(usage, forKey: .usage) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? InfraSnapshot.formatVersion
        components = try c.decodeIfPresent([String: ComponentState].self, forKey: .components) ?? [:]
        alerts = try c.decodeIfPresent([InfraAlert].self, forKey: .alerts) ?? []
        sources = try c.decodeIfPresent([String: SourceStatus].self, forKey: .sources) ?? [:]
        usage = try c.decodeIfPresent([String: ResourceUsage].self, forKey: .usage) ?? [:]
    }

    // MARK: Views

    /// Components in a state other than healthy or unknown, worst first.
    public var unhealthy: [ComponentState] {
        sortedComponents.filter { $0.status >= .degraded }.sorted { a, b in
            a.status != b.status ? a.status > b.status : a.key < b.key
        }
    }

    public func components(withRole role: ComponentRole) -> [ComponentState] {
        sortedComponents.filter { $0.role == role }
    }

    public func components(ofKinds kinds: Set<String>) -> [ComponentState] {
        sortedComponents.filter { kinds.contains($0.kind) }
    }

    /// Pods across all workloads: how many, in which phases, restarts, and who is crash looping.
    public var podSummary: JSONValue {
        var phases: [String: Int] = [:]
        var restarts = 0
        var crashLooping: [JSONValue] = []
        for c in sortedComponents where c.isWorkload {
            for (phase, n) in c.pods ?? [:] { phases[phase, default: 0] += n }
            restarts += c.restarts ?? 0
            if c.crashLoop == true { crashLooping.append(.string(c.key)) }
        }
        return .object([
            ("total", .number(Double(phases.values.reduce(0, +)))),
            ("phases", .object(phases.keys.sorted().map { ($0, .number(Double(phases[$0]!))) })),
            ("restarts", .number(Double(restarts))),
            ("crash_looping", .array(crashLooping)),
        ])
    }

    /// What `cmem infra current` prints with `--json`.
    public var current: JSONValue {
        func list(_ cs: [ComponentState]) -> JSONValue { .array(cs.map(\.summary)) }
        let workloadKinds = Set(sortedComponents.filter(\.isWorkload).map(\.kind))
        return .object([
            ("health", HealthSummary(self).counts),
            ("nodes", list(components(ofKinds: ["Node"]))),
            ("namespaces", list(components(ofKinds: ["Namespace"]))),
            ("deployments", list(components(ofKinds: workloadKinds))),
            ("pods", podSummary),
            ("services", list(components(ofKinds: ["Service"]))),
            ("mcp_servers", list(components(withRole: .mcpServer))),
            ("layer_stacks", list(components(withRole: .layerStack))),
            ("agents", list(components(withRole: .agent))),
            ("argocd_applications", list(components(ofKinds: ["Application"]))),
            ("alerts", .array(alerts.map(\.json))),
            ("sources", .object(sources.keys.sorted().map { ($0, .string(sources[$0]!.label)) })),
        ])
    }

    /// A short page for a human: counts, what is unhealthy, MCP servers, layer stacks, agents, Argo CD
    /// applications, alerts, and sources that failed. No times in it, so it changes only with the state.
    public func markdownPage(limit: Int = 50) -> String {
        let all = sortedComponents
        var kinds: [String: Int] = [:]
        for c in all { kinds[c.kind, default: 0] += 1 }
        let health = HealthSummary(self)
        var out = "# Infrastructure\n\n"
        let podTotal = all.filter(\.isWorkload).reduce(0) { $0 + ($1.pods ?? [:]).values.reduce(0, +) }
        var counts: [String] = []
        for (kind, word) in [("Node", "nodes"), ("Namespace", "namespaces"), ("Deployment", "deployments"),
                             ("StatefulSet", "statefulsets"), ("DaemonSet", "daemonsets"), ("Service", "services"),
                             ("ConfigMap", "configmaps"), ("Application", "Argo CD applications")] {
            if let n = kinds[kind], n > 0 { counts.append("\(n) \(word)") }
        }
        if podTotal > 0 { counts.append("\(podTotal) pods") }
        out += counts.isEmpty ? "No components.\n\n" : counts.joined(separator: ", ") + ".\n\n"
        out += "Health: \(health.healthy) healthy, \(health.degraded) degraded, \(health.critical) critical"
        out += health.unknown > 0 ? ", \(health.unknown) unknown.\n" : ".\n"

        let failed = sources.keys.sorted().compactMap { k -> String? in
            if case let .failed(m) = sources[k]! { return "- `\(k)`: \(m)" }
            return nil
        }
        if !failed.isEmpty {
            out += "\n## Sources that failed\n\nTheir components are shown as last seen.\n\n" + failed.joined(separator: "\n") + "\n"
        }

        let bad = unhealthy
        out += "\n## Unhealthy\n\n"
        if bad.isEmpty {
            out += "Nothing is unhealthy.\n"
        } else {
            for c in bad.prefix(limit) { out += "- " + line(c) + "\n" }
            if bad.count > limit { out += "- … and \(bad.count - limit) more\n" }
        }

        func section(_ title: String, _ cs: [ComponentState]) {
            guard !cs.isEmpty else { return }
            out += "\n## \(title)\n\n"
            for c in cs.prefix(limit) { out += "- " + line(c) + "\n" }
            if cs.count > limit { out += "- … and \(cs.count - limit) more\n" }
        }
        section("MCP servers", components(withRole: .mcpServer))
        section("Layer stacks", components(withRole: .layerStack))
        section("Agents", components(withRole: .agent))

        let apps = components(ofKinds: ["Application"])
        if !apps.isEmpty {
            out += "\n## Argo CD applications\n\n| Application | Sync | Health | Revision | Last operation |\n|---|---|---|---|---|\n"
            for a in apps.prefix(limit) {
                let rev = a.revision.map { String($0.prefix(12)) } ?? ""
                let appName = (a.namespace.map { $0 + "/" } ?? "") + a.name
                out += "| \(cell(appName)) | \(cell(a.sync ?? "")) | \(cell(a.health ?? "")) | \(cell(rev)) | \(cell(a.operationPhase ?? "")) |\n"
            }
            if apps.count > limit { out += "\n… and \(apps.count - limit) more.\n" }
        }

        if !alerts.isEmpty {
            out += "\n## Alerts\n\n"
            for a in alerts.prefix(limit) { out += "- \(a.reason) on `\(a.component)`\n" }
            if alerts.count > limit { out += "- … and \(alerts.count - limit) more\n" }
        }
        return out
    }

    private func line(_ c: ComponentState) -> String {
        let qualified = (c.namespace.map { $0 + "/" } ?? "") + c.name
        var s = "**\(c.status.rawValue)** \(c.kind) `\(qualified)`"
        var facts: [String] = []
        if let reasons = c.reasons?.filter({ $0 != c.health }), !reasons.isEmpty { facts.append(reasons.joined(separator: ", ")) }
        if c.status == .healthy, let r = c.readyReplicas, let d = c.replicas { facts.append("\(r)/\(d) ready") }
        if let image = c.image { facts.append("`\(image)`") }
        if let restarts = c.restarts, restarts > 0 { facts.append(Plural.count(restarts, "restart")) }
        if c.kind == "Application" {
            facts.append([c.sync.map { "sync \($0)" }, c.health.map { "health \($0)" }].compactMap { $0 }.joined(separator: ", "))
        }
        if !facts.isEmpty { s += " — " + facts.filter { !$0.isEmpty }.joined(separator: "; ") }
        return s
    }

    private func cell(_ s: String) -> String {
        String(s.map { $0 == "|" || $0.isNewline ? " " : $0 })
    }
}
