import Foundation

/// What a repository declares about its components, in `.cmem/components.yaml`: the one reader of that file,
/// for the Claude Code hooks (which components a session's files touch), the git hooks and the GitHub
/// webhook (which components a commit touches), and the index (what a symptom's component depends on).
///
/// ```yaml
/// components:
///   github-mcp-server:
///     depends_on: [redis-cache, postgres-db]   # what it needs to work
///     namespace: cortex-mcp                    # optional: its Kubernetes namespace
///     aliases: [github-mcp, gh-mcp]            # optional: other names people use
///     paths: ["src/github_mcp/**", "charts/github-mcp/"]   # which files belong to it (`PathGlob`)
/// ```
///
/// Every key is optional and unknown keys are ignored. Names that are not valid component names are
/// skipped. A missing file is an empty catalog; a broken one is an empty catalog with its `problem` (file
/// and line), so that what depends on it (a commit's event, a correlation) still works on what it has.
public struct ComponentCatalog: Sendable, Equatable {
    public struct Component: Sendable, Equatable {
        public var name: String
        public var dependsOn: [String] = []
        public var namespace: String?
        public var aliases: [String] = []
        public var paths: [PathGlob] = []

        public init(name: String, dependsOn: [String] = [], namespace: String? = nil, aliases: [String] = [], paths: [PathGlob] = []) {
            self.name = name
            self.dependsOn = dependsOn
            self.namespace = namespace
            self.aliases = aliases
            self.paths = paths
        }
    }

    public static let path = ".cmem/components.yaml"
    /// The largest catalog read; a larger file is a problem, not a reason to read megabytes on every hook.
    public static let maxBytes = 1 << 20

    public private(set) var components: [String: Component] = [:]
    /// Component names in the order the file declares them: paths rules apply in this order.
    public private(set) var order: [String] = []
    /// Why the file could not be read, if it could not.
    public var problem: NoteError?

    public init(components: [Component] = []) {
        for c in components { add(c) }
    }

    private mutating func add(_ c: Component) {
        if components.updateValue(c, forKey: c.name) == nil { order.append(c.name) }
    }

    /// Reads `.cmem/components.yaml` under `root`.
    public static func load(root: String) -> ComponentCatalog {
        let full = root + "/" + path
        guard let handle = FileHandle(forReadingAtPath: full) else { return ComponentCatalog() }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxBytes + 1)) ?? Data()
        var catalog = ComponentCatalog()
        guard data.count <= maxBytes else {
            catalog.problem = NoteError(path: path, line: 1, message: "larger than \(maxBytes / 1024) KiB; not read")
            return catalog
        }
        guard let text = String(data: data, encoding: .utf8) else {
            catalog.problem = NoteError(path: path, line: 1, message: "not UTF-8 text")
            return catalog
        }
        return parse(text)
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
            for (name, value) in items where Identifier.isSafeName(name, maxLength: 253) {
                catalog.add(Component(name: name, dependsOn: names(value["depends_on"]), namespace: value["namespace"]?.stringValue,
                                      aliases: names(value["aliases"]), paths: strings(value["paths"]).map(PathGlob.init)))
            }
        } catch let error as NoteError {
            catalog.problem = error
        } catch {
            catalog.problem = NoteError(path: path, line: 1, message: "\(error)")
        }
        return catalog
    }

    private static func strings(_ v: JSONValue?) -> [String] {
        switch v {
        case let .array(items)?: return items.compactMap(\.stringValue)
        case let .string(s)?: return [s]
        default: return []
        }
    }

    /// Component names, written plain or as Obsidian links (`[[postgres-db]]`).
    private static func names(_ v: JSONValue?) -> [String] { strings(v).map(Wikilink.target) }

    /// What `name` depends on, directly.
    public func dependencies(of name: String) -> [String] { components[name]?.dependsOn ?? [] }

    /// Components that depend on `name`, directly.
    public func dependents(of name: String) -> [String] {
        components.values.filter { $0.dependsOn.contains(name) }.map(\.name).sorted()
    }

    /// The components some of `files` belong to, in the order the file declares them.
    public func components(for files: [String]) -> [String] {
        order.filter { name in
            let globs = components[name]!.paths
            return files.contains { file in globs.contains { $0.matches(file) } }
        }
    }

    /// The components `file` belongs to.
    public func components(covering file: String) -> [String] { components(for: [file]) }

    /// This catalog followed by `other`'s components that it does not already name: the memory's own
    /// rules first, then those a code repository adds.
    public func adding(_ other: ComponentCatalog) -> ComponentCatalog {
        var merged = self
        for name in other.order where merged.components[name] == nil { merged.add(other.components[name]!) }
        if merged.problem == nil { merged.problem = other.problem }
        return merged
    }
}
