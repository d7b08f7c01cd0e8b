import Foundation

/// Where secrets survive in a memory repository: any file of the working tree, and any object git holds
/// (loose or packed: blobs, trees, commit messages), read back through `git cat-file`, so nothing the
/// store wrote or committed escapes the check. Machine-local state in `.git/cmem/` is not synced and is
/// left out; everything else under `.git` that is an object is in.
public enum SecretLeaks {
    /// One line per place a secret was found: `worktree PATH: SECRET-PREFIX` or `object: SECRET-PREFIX`.
    public static func find(_ secrets: [String], in repo: String) throws -> [String] {
        let needles = Set(secrets.filter { $0.utf8.count >= 6 })
        var found: [String] = []
        let fm = FileManager.default
        let root = URL(fileURLWithPath: repo)
        if let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker {
                if url.lastPathComponent == ".git" { walker.skipDescendants(); continue }
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                      let data = fm.contents(atPath: url.path) else { continue }
                let text = String(decoding: data, as: UTF8.self)
                for s in needles where text.contains(s) { found.append("worktree \(url.path.dropFirst(repo.count + 1)): \(s.prefix(12))…") }
            }
        }
        let objects = try ProcessRunner.git(["cat-file", "--batch-all-objects", "--batch", "--unordered"], cwd: repo)
        guard objects.status == 0 else { throw SecretLeaksError(message: "git cat-file failed: \(objects.stderr)") }
        for s in needles where objects.stdout.contains(s) { found.append("object: \(s.prefix(12))…") }
        return found
    }
}

public struct SecretLeaksError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
