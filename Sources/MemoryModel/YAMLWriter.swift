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

    /// Plain only when no YAML reader could take it for anything but this string.
    static func isSafePlain(_ s: String) -> Bool {
        guard let first = s.utf8.first, let last = s.utf8.last else { return false }
        if first == 32 || last == 32 { return false }
        if reserved.contains(s.lowercased()) { return false }
        if Double(s) != nil || Int(s) != nil { return false }
        // Indicators that may not start a plain scalar.
        if "-?:,[]{}#&*!|>'\"%@`".utf8.contains(first) && !(first == 45 && s.utf8.count > 1 && s.utf8.dropFirst().first != 32) {
            return false
        }
        if first == 45 { return false }
        var previous: UInt8 = 0
        for c in s.utf8 {
            if c < 0x20 || c >= 0x7F { return false }
            if c == 58 || c == 35 || c == 34 || c == 39 || c == 92 || c == 123 || c == 125 || c == 91 || c == 93 || c == 44 { // : # " ' \ { } [ ] ,
                // `a:b` and `a#b` are fine in YAML but trip humans and naive tools; quote them all
                return c == 58 ? isTimestampLike(s) : false
            }
            previous = c
        }
        _ = previous
        return true
    }

    private static func isTimestampLike(_ s: String) -> Bool {
        Timestamp(iso8601: s) != nil && !s.contains(" ")
    }
}
