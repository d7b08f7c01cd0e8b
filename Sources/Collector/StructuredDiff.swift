import MemoryModel

/// What `cmem infra diff --since T` prints: components added and removed, and every changed field with
/// its old and new value. The caller reads the older snapshot from git history; this only compares.
public struct StructuredDiff: Sendable, Equatable {
    public struct FieldChange: Sendable, Equatable {
        public var component: String
        public var name: String
        public var kind: String
        public var namespace: String?
        public var field: String
        /// `null` when the field was not set.
        public var old: JSONValue
        public var new: JSONValue

        public var json: JSONValue {
            var pairs: [(String, JSONValue)] = [("component", .string(component)), ("name", .string(name)), ("kind", .string(kind))]
            if let namespace { pairs.append(("namespace", .string(namespace))) }
            pairs += [("field", .string(field)), ("old", old), ("new", new)]
            return .object(pairs)
        }
    }

    public var added: [ComponentState]
    public var removed: [ComponentState]
    public var changed: [FieldChange]

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    public static func between(_ old: InfraSnapshot, _ new: InfraSnapshot) -> StructuredDiff {
        var diff = StructuredDiff(added: [], removed: [], changed: [])
        let keys = Set(old.components.keys).union(new.components.keys).sorted()
        for key in keys {
            switch (old.components[key], new.components[key]) {
            case let (nil, n?): diff.added.append(n)
            case let (o?, nil): diff.removed.append(o)
            case let (o?, n?) where o != n:
                let before = Dictionary(o.fields, uniquingKeysWith: { a, _ in a })
                let after = Dictionary(n.fields, uniquingKeysWith: { a, _ in a })
                // Field order follows `ComponentState.fields`, then anything only the old one had.
                var names = n.fields.map(\.0)
                for (name, _) in o.fields where after[name] == nil { names.append(name) }
                for name in names {
                    let a = before[name] ?? .null, b = after[name] ?? .null
                    if a != b {
                        diff.changed.append(FieldChange(component: key, name: n.name, kind: n.kind, namespace: n.namespace,
                                                        field: name, old: a, new: b))
                    }
                }
            default: continue
            }
        }
        return diff
    }

    public var json: JSONValue {
        .object([
            ("added", .array(added.map(\.summary))),
            ("removed", .array(removed.map(\.summary))),
            ("changed", .array(changed.map(\.json))),
        ])
    }
}

/// What `cmem infra health` prints: counts by status, the components that are not healthy (worst first)
/// and the sources that failed.
public struct HealthSummary: Sendable, Equatable {
    public var healthy: Int
    public var degraded: Int
    public var critical: Int
    public var unknown: Int
    /// Degraded and critical components, worst first.
    public var unhealthy: [ComponentState]
    public var failedSources: [String: String]

    public init(_ snapshot: InfraSnapshot) {
        var counts: [HealthStatus: Int] = [:]
        for c in snapshot.components.values { counts[c.status, default: 0] += 1 }
        healthy = counts[.healthy] ?? 0
        degraded = counts[.degraded] ?? 0
        critical = counts[.critical] ?? 0
        unknown = counts[.unknown] ?? 0
        unhealthy = snapshot.unhealthy
        var failed: [String: String] = [:]
        for (k, s) in snapshot.sources { if case let .failed(m) = s { failed[k] = m } }
        failedSources = failed
    }

    public var counts: JSONValue {
        .object([
            ("healthy", .number(Double(healthy))), ("degraded", .number(Double(degraded))),
            ("critical", .number(Double(critical))), ("unknown", .number(Double(unknown))),
        ])
    }

    public var json: JSONValue {
        .object([
            ("healthy", .number(Double(healthy))), ("degraded", .number(Double(degraded))),
            ("critical", .number(Double(critical))), ("unknown", .number(Double(unknown))),
            ("unhealthy", .array(unhealthy.map(\.summary))),
            ("failed_sources", .object(failedSources.keys.sorted().map { ($0, .string(failedSources[$0]!)) })),
        ])
    }
}
