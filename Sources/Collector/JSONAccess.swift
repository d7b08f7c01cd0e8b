import MemoryModel

/// Tolerant read access to decoded Kubernetes objects: a missing key or a value of the wrong type reads
/// as `nil`, never as an error, because clusters of every age and every CRD version must be readable.
extension JSONValue {
    var asString: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    var asInt: Int? {
        switch self {
        case let .number(n) where n.isFinite && n == n.rounded() && abs(n) < 1e15: return Int(n)
        case let .string(s): return Int(s)
        default: return nil
        }
    }

    var asBool: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    var asArray: [JSONValue] {
        if case let .array(a) = self { return a }
        return []
    }

    var asObject: [(String, JSONValue)] {
        if case let .object(pairs) = self { return pairs }
        return []
    }

    /// A string-to-string map such as `labels` or `annotations`; non-string values are skipped.
    var asStringMap: [String: String] {
        var out: [String: String] = [:]
        for (k, v) in asObject { if let s = v.asString { out[k] = s } }
        return out
    }

    func at(_ path: String...) -> JSONValue? {
        var current: JSONValue? = self
        for key in path { current = current?[key] }
        return current
    }

    /// The value with every object's keys sorted, so that two equal documents print the same bytes.
    var sortedKeys: JSONValue {
        switch self {
        case let .object(pairs):
            return .object(pairs.map { ($0.0, $0.1.sortedKeys) }.sorted { $0.0 < $1.0 })
        case let .array(items):
            return .array(items.map(\.sortedKeys))
        default:
            return self
        }
    }

    /// The value without the given keys at the top level of an object.
    func removingKeys(_ keys: Set<String>) -> JSONValue {
        if case let .object(pairs) = self { return .object(pairs.filter { !keys.contains($0.0) }) }
        return self
    }
}

/// A short, stable content hash (FNV-1a, 64 bit, hex). Used to notice that a ConfigMap's data, a pod
/// template or an environment changed without storing the values, which may hold secrets. It is not a
/// security boundary: a low-entropy value can be guessed from any unsalted hash.
func stableHash(_ text: String) -> String {
    let s = String(fnv1a64(text), radix: 16)
    return String(repeating: "0", count: max(0, 16 - s.count)) + s
}

func stableHash(_ value: JSONValue) -> String { stableHash(value.sortedKeys.json) }
