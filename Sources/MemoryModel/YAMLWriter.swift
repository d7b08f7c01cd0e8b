/// Writes the YAML that `cmem` owns: predictable, diff-friendly, and safe to read back with any YAML parser.
/// Strings are plain when that is unambiguous and double-quoted JSON-style otherwise.
public enum YAMLWriter {
    public static func scalar(_ s: String) -> String {
        isSafePlain(s) ? s : quoted(s)
    }

    /// A double-quoted scalar. JSON's quoting, with the code points YAML treats as line breaks or forbids
    /// in a document (DEL and C1 controls, U+2028/U+2029, U+FEFF, U+FFFE/U+FFFF) written as `\u` escapes:
    /// raw, a YAML reader may break the line there, and the fast reader leaves the note to YAML.
    static func quoted(_ s: String) -> String {
        let json = JSONValue.quoted(s)
        guard json.unicodeScalars.contains(where: needsEscape) else { return json }
        var out = String.UnicodeScalarView()
        for u in json.unicodeScalars {
            if needsEscape(u) {
                let hex = String(u.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }

    private static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        (u.value >= 0x7F && u.value <= 0x9F) || u.value == 0x2028 || u.value == 0x2029 || u.value == 0xFEFF || u.value == 0xFFFE || u.value == 0xFFFF
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
                    out += "\(k): " + flow(elements) + "\n"
                default:
                    out += "\(k): \(scalar(v))\n"
                }
            }
        }
        return out
    }

    /// A flow list: `[a, "b c"]`.
    public static func flowList(_ items: [String]) -> String {
        flow(items.map(JSONValue.string))
    }

    /// Inside `[…]` a comma or bracket ends a plain scalar, so strings holding one are quoted.
    private static func flow(_ items: [JSONValue]) -> String {
        "[" + items.map { item in
            if case let .string(s) = item, isSafePlain(s), !s.utf8.contains(where: { "[]{},".utf8.contains($0) }) { return s }
            return item == .null ? "null" : (item.stringValue.map(quoted) ?? item.json)
        }.joined(separator: ", ") + "]"
    }

    private static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]

    /// Plain only when no YAML reader could take it for anything but this string (in block context).
    static func isSafePlain(_ s: String) -> Bool {
        guard let first = s.utf8.first, let last = s.utf8.last else { return false }
        if first == 32 || last == 32 || last == 58 { return false } // leading/trailing space, trailing ':'
        if reserved.contains(s.lowercased()) { return false }
        // Numbers, and what a reader's number rules may take for one (`.5 x`, `.inf`): quoted.
        if Double(s) != nil || Int(s) != nil || s.hasPrefix("0x") || s.hasPrefix("0o") || s.hasPrefix(".") { return false }
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
            // `&` or `*` after a space, bracket or comma: what `YAMLSafety.rejectAnchorsAndAliases` (and so
            // every reader of ours) may take for an anchor or an alias, as in `git add -- *`.
            if (c == 38 || c == 42) && (previous == 32 || previous == 91 || previous == 123 || previous == 44) { return false }
            previous = c
        }
        return true
    }

}
