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

    /// The block id an event carries in its day file (`^ev-…` at the end of the line under its heading),
    /// so that `[[2026-11-20#^ev-…]]` lands on the event. Obsidian allows only letters, digits and `-` in
    /// a block id: any other character of the event id (`.`, `_`) becomes `-`.
    public static func blockID(ofEvent id: String) -> String {
        String(String.UnicodeScalarView(id.unicodeScalars.map { s in
            (s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s))) || s == "-" ? s : "-"
        }))
    }

    /// A link to the event `id` in its day note: `[[YYYY-MM-DD#^block]]`, the day taken from the id (cmem's
    /// ids carry the time of the event). An id that carries no day (an imported `ev-000123`) cannot be
    /// linked without reading the timeline: it is written as code, `` `ev-000123` ``.
    public static func event(_ id: String, label: String? = nil) -> String {
        guard let day = Identifier.day(of: id) else { return "`\(id)`" }
        return "[[\(day)#^\(blockID(ofEvent: id))\(label.map { "|" + $0 } ?? "")]]"
    }
}
