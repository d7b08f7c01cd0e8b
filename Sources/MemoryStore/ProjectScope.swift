import Foundation

/// Which project a working directory belongs to: by default the root of the git repository it is in,
/// so a session started in `repo/src` and one started in `repo/docs` continue each other.
public struct ProjectScope: Sendable, Equatable {
    /// The directory that identifies the project (absolute, no trailing slash).
    public let root: String
    /// A short human name: the root's last path component.
    public let name: String

    public init(root: String, name: String) {
        self.root = root
        self.name = name
    }

    public static func resolve(cwd: String, scope: String = "git-root") -> ProjectScope {
        let absolute = standardise(cwd)
        var root = absolute
        if scope != "directory" {
            var dir = absolute
            while true {
                if FileManager.default.fileExists(atPath: dir + "/.git") { root = dir; break }
                let parent = (dir as NSString).deletingLastPathComponent
                if parent == dir || parent.isEmpty { break }
                dir = parent
            }
        }
        let name = (root as NSString).lastPathComponent
        return ProjectScope(root: root, name: name.isEmpty ? "root" : name)
    }

    static func standardise(_ path: String) -> String {
        var p = (path as NSString).expandingTildeInPath
        if !p.hasPrefix("/") { p = FileManager.default.currentDirectoryPath + "/" + p }
        // realpath answers in one call for a path that exists; Foundation's standardizing reads each
        // component's link on its own, so it is left for paths that do not exist yet.
        if let real = realpath(p, nil) {
            defer { free(real) }
            p = String(cString: real)
        } else {
            p = (p as NSString).standardizingPath
        }
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }
}
