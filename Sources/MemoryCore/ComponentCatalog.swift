import Foundation
import MemoryModel
import MemoryStore

/// The parts of `.cmem/components.yaml` the handoff needs: which paths belong to which component, and
/// what each component depends on. A missing or unreadable file is an empty catalog.
struct ComponentCatalog {
    var paths: [String: [String]] = [:]
    var dependencies: [String: [String]] = [:]

    static func load(root: String) -> ComponentCatalog {
        var catalog = ComponentCatalog()
        let path = ".cmem/components.yaml"
        guard let bytes = try? AtomicFile.read(root + "/" + path, limit: 1 << 20),
              let text = String(validating: bytes, as: UTF8.self),
              let values = try? YAMLSafety.mapping(text, path: path, lineOffset: 0),
              case let .object(components)? = values.first(where: { $0.0 == "components" })?.1 else { return catalog }
        for (name, spec) in components {
            catalog.paths[name] = strings(spec["paths"])
            catalog.dependencies[name] = strings(spec["depends_on"])
        }
        return catalog
    }

    /// Components whose path globs match `file` (`*` and `**` both match across `/`, as in fnmatch without
    /// FNM_PATHNAME; a pattern ending in `/` or `/**` covers everything below it).
    func components(covering file: String) -> [String] {
        paths.compactMap { name, globs in
            globs.contains { glob in
                var g = glob
                if g.hasSuffix("/") { g += "**" }
                return fnmatch(g, file, 0) == 0
            } ? name : nil
        }
    }

    private static func strings(_ v: JSONValue?) -> [String] {
        switch v {
        case let .array(items)?: return items.compactMap(\.stringValue)
        case let .string(s)?: return [s]
        default: return []
        }
    }
}
