import Foundation

/// The blockers and next steps an assistant message states, read without a model: the items of a list
/// under a heading or label that names them ("## Next steps", "**Blockers:**", "Next steps:"), and single
/// lines that say so ("Blocked on …", "Blocker: …", "Next step: …"). Anything else is not guessed at.
public enum StatedWork {
    public static let maxItems = 5
    public static let maxLength = 300

    public struct Found: Equatable, Sendable {
        public var blockers: [String] = []
        public var nextSteps: [String] = []
    }

    enum Kind { case blocker, next }

    public static func parse(_ message: String) -> Found {
        var found = Found()
        var section: Kind?
        func add(_ kind: Kind, _ text: String) {
            let t = clean(text)
            guard t.count >= 3 else { return }
            let item = t.count > maxLength ? String(t.prefix(maxLength - 1)) + "…" : t
            switch kind {
            case .blocker: if found.blockers.count < maxItems, !found.blockers.contains(item) { found.blockers.append(item) }
            case .next: if found.nextSteps.count < maxItems, !found.nextSteps.contains(item) { found.nextSteps.append(item) }
            }
        }
        for raw in message.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if let item = listItem(line) {
                if let section { add(section, item) }
                continue
            }
            // A heading or label line: "## Blockers", "**Next steps:**", "Next steps: do X".
            let label = clean(line.replacingOccurrences(of: "#", with: ""))
            let (head, rest) = split(label)
            if let kind = kind(of: head) {
                section = kind
                if !rest.isEmpty { add(kind, rest) }
                continue
            }
            let lower = label.lowercased()
            if lower.hasPrefix("blocked on ") || lower.hasPrefix("blocked by ") {
                add(.blocker, label)
                section = nil
                continue
            }
            section = nil
        }
        return found
    }

    /// The text of a list item ("- x", "* x", "1. x", "- [ ] x"), or nil.
    static func listItem(_ line: String) -> String? {
        var s = Substring(line)
        if s.hasPrefix("- ") || s.hasPrefix("* ") || s.hasPrefix("• ") {
            s = s.dropFirst(2)
        } else if let dot = s.firstIndex(where: { $0 == "." || $0 == ")" }), dot > s.startIndex, s[..<dot].allSatisfy(\.isNumber),
                  s[s.index(after: dot)...].hasPrefix(" ") {
            s = s[s.index(dot, offsetBy: 2)...]
        } else {
            return nil
        }
        if s.hasPrefix("[ ] ") || s.hasPrefix("[x] ") { s = s.dropFirst(4) }
        return String(s)
    }

    /// "Next steps: run it" → ("Next steps", "run it"); a line without a colon is all head.
    static func split(_ s: String) -> (String, String) {
        guard let colon = s.firstIndex(of: ":") else { return (s, "") }
        return (String(s[..<colon]), clean(String(s[s.index(after: colon)...])))
    }

    static func kind(of head: String) -> Kind? {
        let h = head.lowercased().trimmingCharacters(in: .whitespaces)
        if ["blocker", "blockers", "blocked", "blocking"].contains(h) { return .blocker }
        if ["next step", "next steps", "next", "next up", "todo next", "remaining", "still to do"].contains(h) { return .next }
        return nil
    }

    /// Without Markdown emphasis and surrounding spaces.
    static func clean(_ s: String) -> String {
        var t = s.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: "")
        t = t.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix(":") { t.removeLast() }
        return t.trimmingCharacters(in: .whitespaces)
    }
}
