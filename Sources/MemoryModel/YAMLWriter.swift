/// Writes the YAML that `cmem` owns: predictable, diff-friendly, and safe to read back with any YAML parser.
/// Strings are plain when that is unambiguous and double-quoted JSON-style otherwise.
public enum YAMLWriter {
    public static func scalar(_ s: String) -> String {
        isSafePlain(s) ? s : JSONValue.quoted(s)
    }

    public static func scalar(_ v: JSONValue) -> String {
        switch v {
        case let .string(s): return scalar(s)
        case .null: return "null"
        default: return v.json
        }
    }

    /// `key: value`
    public static func entry(_ key: String, _ value: String?) -> String {
        "\(key): \(value.map { scalar($0) } ?? "null")\n"
    }

    /// `key:` followed by `  - item` lines, or `key: []`.
    public static func list(_ key: String, _ items: [String]) -> String {
        if items.isEmpty { return "\(key): []\n" }
        var out = "\(key):\n"
        for item in items { out += "  - \(scalar(item))\n" }
        return out
    }

    /// `key:` followed by block mappings, one per item, keys in the given order; nil values are omitted.
    public static func records(_ key: String, _ items: [[(String, JSONValue?)]]) -> String {
        if items.isEmpty { return "\(key): []\n" }
        var out = "\(key):\n"
        for item in items {
            var first = true
            for (k, v) in item {
                guard let v else { continue }
                out += first ? "  - " : "    "
                first = false
                switch v {
                case let .array(elements):
                    out += "\(k): [" + elements.map { scalar($0) }.joined(separator: ", ") + "]\n"
                default:
                    out += "\(k): \(scalar(v))\n"
                }
            }
        }
        return out
    }

    /// A flow list: `[a, "b c"]`.
    public static func flowList(_ items: [String]) -> String {
        "[" + items.map { scalar($0) }.joined(separator: ", ") + "]"
    }

    private static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]

    /// Plain only when no YAML reader could take it for anything but this string (in block context).
    static func isSafePlain(_ s: String) -> Bool {
        guard let first = s.utf8.first, let last = s.utf8.last else { return false }
        if first == 32 || last == 32 || last == 58 { return false } // leading/trailing space, trailing ':'
        if reserved.contains(s.lowercased()) { return false }
        if Double(s) != nil || Int(s) != nil || s.hasPrefix("0x") || s.hasPrefix("0o") { return false }
        // Indicators that may not start a plain scalar.
        if "-?:,[]{}#&*!|>'\"%@`".utf8.contains(first) { return false }
        // C1 controls and a few invisible code points are not allowed unquoted by YAML readers.
        if s.unicodeScalars.contains(where: { ($0.value >= 0x7F && $0.value <= 0x9F) || [0xFEFF, 0x2028, 0x2029, 0xFFFE, 0xFFFF].contains($0.value) }) {
            return false
        }
        var previous: UInt8 = 0
        for c in s.utf8 {
            if c < 0x20 || c == 0x7F { return false }
            if c == 32 && previous == 58 { return false } // ": "
            if c == 35 && previous == 32 { return false } // " #"
            previous = c
        }
        return true
    }

}
