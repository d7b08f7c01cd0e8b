import MemoryModel

/// Matches component names written loosely in free text ("github-mcp crashing", "the gateway proxy")
/// to known component names.
struct ComponentMatcher {
    struct Match: Equatable {
        var name: String
        /// 1 for the full name (or an alias) written out; less for part of it.
        var strength: Double
    }

    let known: [String]
    let catalog: ComponentCatalog

    /// The known components the text names, strongest first. A full name or alias wins outright;
    /// otherwise the components whose words cover the most of the text's words (the first word, the
    /// system, counts double: "github mcp" is github-mcp-server rather than cortex-mcp-server).
    func match(_ text: String) -> [Match] {
        let words = Tokenizer.words(text)
        guard !words.isEmpty else { return [] }
        let joined = " " + words.joined(separator: " ") + " "
        var exact: [Match] = []
        var best: [(name: String, score: Double, fraction: Double)] = []
        var bestScore = 0.0
        var names = Set(known)
        names.formUnion(catalog.components.keys)
        for c in catalog.components.values { names.formUnion(c.dependsOn) }
        for name in names.sorted() {
            let forms = [name] + (catalog.components[name]?.aliases ?? [])
            if forms.contains(where: { joined.contains(" " + Tokenizer.words($0).joined(separator: " ") + " ") && !Tokenizer.words($0).isEmpty }) {
                exact.append(Match(name: name, strength: 1))
                continue
            }
            let parts = Tokenizer.words(name)
            guard !parts.isEmpty else { continue }
            var score = 0.0
            var matched = 0
            for (i, p) in parts.enumerated() where words.contains(p) || (p.count >= 4 && words.contains { $0.count >= 4 && ($0.hasPrefix(p) || p.hasPrefix($0)) }) {
                score += i == 0 ? 2 : 1
                matched += 1
            }
            // One generic word ("server", "api") alone names nothing.
            guard matched > 0, score >= 2 else { continue }
            let fraction = Double(matched) / Double(parts.count)
            if score > bestScore {
                bestScore = score
                best = [(name, score, fraction)]
            } else if score == bestScore {
                best.append((name, score, fraction))
            }
        }
        if !exact.isEmpty {
            // The longest full names first: "github-mcp-server" over "server" if both are known.
            return exact.sorted { $0.name.count > $1.name.count }
        }
        guard !best.isEmpty else { return [] }
        let topFraction = best.map(\.fraction).max()!
        let top = best.filter { $0.fraction == topFraction }
        // Many equally good candidates ("github" alone): each is a weak match.
        let strength = top.count == 1 ? 0.8 : top.count <= 3 ? 0.5 : 0.25
        return top.map { Match(name: $0.name, strength: strength) }
    }
}
