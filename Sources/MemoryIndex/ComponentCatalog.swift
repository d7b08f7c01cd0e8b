import Logging
import MemoryModel

/// What the repository declares about its components, in `.cmem/components.yaml`:
///
/// ```yaml
/// components:
///   github-mcp-server:
///     depends_on: [redis-cache, postgres-db]   # what it needs to work
///     namespace: cortex-mcp                    # optional: its Kubernetes namespace
///     aliases: [github-mcp, gh-mcp]            # optional: other names people use
///     paths: ["src/github_mcp/**"]             # read by the git hooks, not by the index
/// ```
///
/// Every key is optional and unknown keys are ignored. A missing file is an empty catalog; a broken one
/// is reported (file and line) and treated as empty, so correlation still works on what the timeline says.
public struct ComponentCatalog: Sendable, Equatable {
    public struct Component: Sendable, Equatable {
        public var name: String
        public var dependsOn: [String] = []
        public var namespace: String?
        public var aliases: [String] = []
        public init(name: String, dependsOn: [String] = [], namespace: String? = nil, aliases: [String] = []) {
            self.name = name
            self.dependsOn = dependsOn
            self.namespace = namespace
            self.aliases = aliases
        }
    }

    public static let path = ".cmem/components.yaml"

    public var components: [String: Component] = [:]
    /// Why the file could not be read, if it could not.
    public var problem: NoteError?

    public init(components: [Component] = []) {
        for c in components { self.components[c.name] = c }
    }

    /// Reads `.cmem/components.yaml` under `root`.
    public static func load(root: String) -> ComponentCatalog {
        guard let bytes = try? FileIO.read(root + "/" + path, limit: 1 << 20) else { return ComponentCatalog() }
        return parse(String(decoding: bytes, as: UTF8.self))
    }

    public static func parse(_ text: String) -> ComponentCatalog {
        var catalog = ComponentCatalog()
        do {
            let top = try YAMLSafety.mapping(text, path: path, lineOffset: 0)
            guard let entry = top.first(where: { $0.0 == "components" })?.1 else { return catalog }
            guard case let .object(items) = entry else {
                catalog.problem = NoteError(path: path, line: 1, message: "`components` must be a mapping of component names")
                return catalog
            }
            for (name, value) in items {
                var c = Component(name: name)
                c.dependsOn = list(value["depends_on"])
                c.namespace = value["namespace"]?.stringValue
                c.aliases = list(value["aliases"])
                catalog.components[name] = c
            }
        } catch let error as NoteError {
            catalog.problem = error
        } catch {
            catalog.problem = NoteError(path: path, line: 1, message: "\(error)")
        }
        return catalog
    }

    private static func list(_ v: JSONValue?) -> [String] {
        switch v {
        case let .array(items)?: return items.compactMap { $0.stringValue.map(Wikilink.target) }
        case let .string(s)?: return [Wikilink.target(s)]
        default: return []
        }
    }

    /// What `name` depends on, directly.
    public func dependencies(of name: String) -> [String] { components[name]?.dependsOn ?? [] }

    /// Components that depend on `name`, directly.
    public func dependents(of name: String) -> [String] {
        components.values.filter { $0.dependsOn.contains(name) }.map(\.name).sorted()
    }
}

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
