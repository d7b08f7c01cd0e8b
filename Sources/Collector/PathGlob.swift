import Foundation
import MemoryModel

/// A path pattern from `.cmem/components.yaml`, matched against repository-relative file paths:
///
/// - `*` matches any run of characters within one path segment, `?` one character (never `/`);
/// - `**` as a whole segment matches any number of segments, none included (`src/**/test` matches
///   `src/test` and `src/a/b/test`; `charts/**` matches everything below `charts/`);
/// - a pattern ending in `/` covers everything below it (`docs/` is `docs/**`);
/// - a pattern without `/` matches the file name at any depth (`*.tf`, `Dockerfile`), as in `.gitignore`;
///   any other pattern is anchored at the repository root (a leading `/` is allowed and ignored).
public struct PathGlob: Sendable, Equatable {
    public let pattern: String
    let segments: [[UInt8]]

    public init(_ pattern: String) {
        self.pattern = pattern
        var p = pattern
        if p.hasSuffix("/") { p += "**" }
        while p.hasPrefix("/") { p.removeFirst() }
        if !p.contains("/") { p = "**/" + p }
        segments = p.split(separator: "/", omittingEmptySubsequences: true).map { Array($0.utf8) }
    }

    public func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { Array($0.utf8) }
        var memo: [Int: Bool] = [:]
        return match(0, 0, parts, &memo)
    }

    private func match(_ si: Int, _ pi: Int, _ parts: [[UInt8]], _ memo: inout [Int: Bool]) -> Bool {
        let key = si * (parts.count + 1) + pi
        if let known = memo[key] { return known }
        let result: Bool
        if si == segments.count {
            result = pi == parts.count
        } else if segments[si] == Array("**".utf8) {
            // Zero segments, or one more and stay on `**`.
            result = match(si + 1, pi, parts, &memo) || (pi < parts.count && match(si, pi + 1, parts, &memo))
        } else {
            result = pi < parts.count && PathGlob.segmentMatches(segments[si], parts[pi]) && match(si + 1, pi + 1, parts, &memo)
        }
        memo[key] = result
        return result
    }

    /// `*` and `?` within one segment (`**` inside a segment, as in `a**b`, acts as `*`).
    static func segmentMatches(_ p: [UInt8], _ t: [UInt8]) -> Bool {
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == UInt8(ascii: "?") || (p[pi] == t[ti] && p[pi] != UInt8(ascii: "*")) {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}

/// The `paths` rules of `.cmem/components.yaml`: which files belong to which component.
///
/// ```yaml
/// components:
///   github-mcp-server:
///     depends_on: [redis-cache]
///     paths: ["src/github_mcp/**", "charts/github-mcp/"]
/// ```
public struct ComponentPaths: Sendable, Equatable {
    public var rules: [(component: String, globs: [PathGlob])]

    public static func == (a: ComponentPaths, b: ComponentPaths) -> Bool {
        a.rules.map(\.component) == b.rules.map(\.component) && a.rules.map(\.globs) == b.rules.map(\.globs)
    }

    public init(rules: [(component: String, globs: [PathGlob])] = []) {
        self.rules = rules
    }

    public static let path = ".cmem/components.yaml"

    /// Reads the rules from YAML text. Components whose names are not valid component names are skipped;
    /// broken YAML is an error naming the file and line.
    public init(yaml text: String, path: String = ComponentPaths.path) throws {
        self.init()
        let top = try YAMLSafety.mapping(text, path: path, lineOffset: 0)
        guard let entry = top.first(where: { $0.0 == "components" })?.1, case let .object(items) = entry else { return }
        for (name, spec) in items where Identifier.isSafeName(name, maxLength: 253) {
            let globs: [String]
            switch spec["paths"] {
            case let .array(values)?: globs = values.compactMap(\.stringValue)
            case let .string(s)?: globs = [s]
            default: globs = []
            }
            if !globs.isEmpty { rules.append((name, globs.map(PathGlob.init))) }
        }
    }

    /// Reads `.cmem/components.yaml` under `root`; a missing file gives no rules.
    public static func load(root: String) throws -> ComponentPaths {
        let full = (root as NSString).appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: full) else { return ComponentPaths() }
        guard data.count <= 1 << 20 else { throw ValidationError("\(path) is larger than 1 MiB") }
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(path) is not UTF-8 text") }
        return try ComponentPaths(yaml: text)
    }

    /// The components some file belongs to, in the order the file declares them.
    public func components(for files: [String]) -> [String] {
        rules.filter { rule in files.contains { file in rule.globs.contains { $0.matches(file) } } }.map(\.component)
    }

    /// These rules followed by `other`'s rules for components not already named.
    public func adding(_ other: ComponentPaths) -> ComponentPaths {
        let known = Set(rules.map(\.component))
        return ComponentPaths(rules: rules + other.rules.filter { !known.contains($0.component) })
    }
}
