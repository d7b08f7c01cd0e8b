import MemoryModel

/// How a role is recognised: by a label (a value of `*` means any value), by the component's own name,
/// or by the namespace it lives in. Patterns are globs with `*` and `?`.
public struct RoleRule: Sendable, Equatable {
    public var labels: [String: String]
    public var names: [String]
    public var namespaces: [String]

    public init(labels: [String: String] = [:], names: [String] = [], namespaces: [String] = []) {
        self.labels = labels
        self.names = names
        self.namespaces = namespaces
    }

    public func matches(name: String, namespace: String?, labels objectLabels: [String: String]) -> Bool {
        for (key, want) in labels {
            if let have = objectLabels[key], want == "*" || globMatches(want, have) { return true }
        }
        if names.contains(where: { globMatches($0, name) }) { return true }
        if let namespace, namespaces.contains(where: { globMatches($0, namespace) }) { return true }
        return false
    }
}

/// Which Argo CD applications to read, and how.
public enum ArgoCDMode: String, Sendable, Equatable {
    /// `kubectl get applications.argoproj.io -A -o json` (absent when the CRD is not installed).
    case kubernetes
    /// `argocd app list -o json`, with the user's argocd login.
    case cli
    /// Do not read applications.
    case off
}

/// The `collector:` section of `.cmem/config.yaml`. Every setting has a default, so an empty section
/// (or none) gives a working collector.
///
/// ```yaml
/// collector:
///   context: prod               # kube context; default: the current one
///   kubeconfig: ~/.kube/config  # default: kubectl's own rules (KUBECONFIG, ~/.kube/config)
///   interval: 60s
///   timeout: 30s                # per kubectl call
///   restart_window: 15m         # restart events are coalesced per component within this window
///   argocd: kubernetes          # kubernetes | cli | off
///   namespaces: []              # globs; empty means all
///   exclude_namespaces: []
///   labels_of_interest: [app.kubernetes.io/name, app.kubernetes.io/part-of]
///   roles:
///     mcp_server: {labels: {app.kubernetes.io/component: mcp-server}, names: ["*-mcp-server", "*mcp*"]}
///     layer_stack: {labels: {cortex.io/layer: "*"}, names: ["layer-*"]}
///     agent: {names: ["*-agent"]}
/// ```
public struct CollectorConfig: Sendable, Equatable {
    public var context: String?
    public var kubeconfig: String?
    public var kubectl: String = "kubectl"
    public var argocdExecutable: String = "argocd"
    public var argocd: ArgoCDMode = .kubernetes
    public var intervalSeconds: Int64 = 60
    public var timeoutSeconds: Int64 = 30
    public var restartWindowSeconds: Int64 = 15 * 60
    public var namespaces: [String] = []
    public var excludeNamespaces: [String] = []
    public var labelsOfInterest: [String] = [
        "app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/component", "app.kubernetes.io/version",
    ]
    public var mcpServer = RoleRule(labels: ["app.kubernetes.io/component": "mcp-server"], names: ["*-mcp-server", "*mcp*"])
    public var layerStack = RoleRule(labels: ["cortex.io/layer": "*"], names: ["layer-*"])
    public var agent = RoleRule(names: ["*-agent"])

    public init() {}

    /// Reads the `collector:` section. Unknown keys are ignored; a known key with a value of the wrong
    /// type is an error that names the key.
    public init(values: JSONValue) throws {
        self.init()
        guard case let .object(pairs) = values else {
            if case .null = values { return }
            throw ValidationError("collector: expected a mapping")
        }
        for (rawKey, value) in pairs {
            let key = rawKey.replacingDashes
            let path = "collector.\(rawKey)"
            switch key {
            case "context": context = try Self.string(value, path)
            case "kubeconfig": kubeconfig = try Self.string(value, path)
            case "kubectl": kubectl = try Self.string(value, path) ?? kubectl
            case "argocd_executable": argocdExecutable = try Self.string(value, path) ?? argocdExecutable
            case "argocd":
                guard let text = try Self.string(value, path) else { continue }
                guard let mode = ArgoCDMode(rawValue: text.lowercased()) else {
                    throw ValidationError("\(path): expected kubernetes, cli or off, not \(JSONValue.quoted(text))")
                }
                argocd = mode
            case "interval": intervalSeconds = try Self.duration(value, path) ?? intervalSeconds
            case "timeout": timeoutSeconds = try Self.duration(value, path) ?? timeoutSeconds
            case "restart_window": restartWindowSeconds = try Self.duration(value, path) ?? restartWindowSeconds
            case "namespaces": namespaces = try Self.strings(value, path)
            case "exclude_namespaces": excludeNamespaces = try Self.strings(value, path)
            case "labels_of_interest": labelsOfInterest = try Self.strings(value, path)
            case "roles":
                guard case let .object(roles) = value else {
                    if case .null = value { continue }
                    throw ValidationError("\(path): expected a mapping")
                }
                for (roleKey, ruleValue) in roles {
                    let rolePath = "\(path).\(roleKey)"
                    switch roleKey.replacingDashes {
                    case "mcp_server", "mcp_servers": mcpServer = try Self.rule(ruleValue, rolePath)
                    case "layer_stack", "layer_stacks": layerStack = try Self.rule(ruleValue, rolePath)
                    case "agent", "agents": agent = try Self.rule(ruleValue, rolePath)
                    default: continue
                    }
                }
            default: continue
            }
        }
        guard intervalSeconds > 0 else { throw ValidationError("collector.interval must be more than 0 seconds") }
        guard timeoutSeconds > 0 else { throw ValidationError("collector.timeout must be more than 0 seconds") }
    }

    /// Whether objects in this namespace are collected.
    public func includes(namespace: String?) -> Bool {
        guard let namespace else { return true }
        if excludeNamespaces.contains(where: { globMatches($0, namespace) }) { return false }
        return namespaces.isEmpty || namespaces.contains(where: { globMatches($0, namespace) })
    }

    /// The role of a component. MCP servers win over agents, and agents over layer stacks; labels and names
    /// are checked for every kind, namespaces only for objects inside one.
    public func role(kind: String, name: String, namespace: String?, labels: [String: String]) -> ComponentRole? {
        let ns = kind == "Namespace" ? name : namespace
        if mcpServer.matches(name: name, namespace: ns, labels: labels) { return .mcpServer }
        if agent.matches(name: name, namespace: ns, labels: labels) { return .agent }
        if layerStack.matches(name: name, namespace: ns, labels: labels) { return .layerStack }
        return nil
    }

    /// Label keys kept in the snapshot: `labelsOfInterest` plus every key a role rule looks at.
    var keptLabelKeys: Set<String> {
        Set(labelsOfInterest).union(mcpServer.labels.keys).union(layerStack.labels.keys).union(agent.labels.keys)
    }

    // MARK: Reading values

    private static func string(_ v: JSONValue, _ path: String) throws -> String? {
        switch v {
        case .null: return nil
        case let .string(s): return s.isEmpty ? nil : s
        case .number, .bool: return v.stringValue
        default: throw ValidationError("\(path): expected a string")
        }
    }

    private static func strings(_ v: JSONValue, _ path: String) throws -> [String] {
        switch v {
        case .null: return []
        case let .string(s): return [s]
        case let .array(items):
            return try items.map {
                guard let s = $0.stringValue else { throw ValidationError("\(path): expected a list of strings") }
                return s
            }
        default: throw ValidationError("\(path): expected a list of strings")
        }
    }

    private static func duration(_ v: JSONValue, _ path: String) throws -> Int64? {
        switch v {
        case .null: return nil
        case let .number(n): return try DurationText.seconds(n, what: path)
        case let .string(s): return try DurationText.seconds(s.trimmingSpaces, what: path)
        default: throw ValidationError("\(path): expected a duration such as 30s, 15m or 1h")
        }
    }

    private static func rule(_ v: JSONValue, _ path: String) throws -> RoleRule {
        guard case let .object(pairs) = v else { throw ValidationError("\(path): expected a mapping with labels, names or namespaces") }
        var rule = RoleRule()
        for (key, value) in pairs {
            switch key {
            case "labels":
                switch value {
                case .null: break
                case let .object(labelPairs):
                    for (k, lv) in labelPairs {
                        if case .null = lv { rule.labels[k] = "*"; continue }
                        guard let s = lv.stringValue else { throw ValidationError("\(path).labels.\(k): expected a string") }
                        rule.labels[k] = s
                    }
                case .string, .array:
                    // A bare key or list of keys: presence of the label is enough.
                    for k in try strings(value, "\(path).labels") { rule.labels[k] = "*" }
                default: throw ValidationError("\(path).labels: expected a mapping of label to value")
                }
            case "names": rule.names = try strings(value, "\(path).names")
            case "namespaces": rule.namespaces = try strings(value, "\(path).namespaces")
            default: continue
            }
        }
        return rule
    }
}

extension String {
    fileprivate var replacingDashes: String { String(map { $0 == "-" ? "_" : $0 }) }

    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

/// Glob matching with `*` (any run of characters, including none) and `?` (one character): the same
/// wildcards as one segment of a component path glob.
func globMatches(_ pattern: String, _ text: String) -> Bool {
    PathGlob.segmentMatches(Array(pattern.utf8), Array(text.utf8))
}
