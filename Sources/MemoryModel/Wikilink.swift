/// Obsidian `[[links]]`: components, sessions and decisions are linked so a vault graph just works.
public enum Wikilink {
    public static func make(_ target: String) -> String { "[[\(target)]]" }

    /// `[[x]]` or `[[x|label]]` becomes `x`; anything else is returned as is.
    public static func target(_ text: String) -> String {
        var s = Substring(text)
        guard s.hasPrefix("[["), s.hasSuffix("]]") else { return text }
        s = s.dropFirst(2).dropLast(2)
        if let bar = s.firstIndex(of: "|") { s = s[..<bar] }
        if let hash = s.firstIndex(of: "#") { s = s[..<hash] }
        return String(s)
    }
}
