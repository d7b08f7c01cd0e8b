/// A path pattern from `.cmem/components.yaml`, matched against repository-relative file paths. This is the
/// one meaning of a component glob, for the Claude Code hooks, the git hooks, the webhooks and the index:
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
    public static func segmentMatches(_ p: [UInt8], _ t: [UInt8]) -> Bool {
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
