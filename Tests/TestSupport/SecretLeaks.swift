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
                for s in occurring(needles, in: data) { found.append("worktree \(url.path.dropFirst(repo.count + 1)): \(s.prefix(12))…") }
            }
        }
        let objects = try ProcessRunner.git(["cat-file", "--batch-all-objects", "--batch", "--unordered"], cwd: repo)
        guard objects.status == 0 else { throw SecretLeaksError(message: "git cat-file failed: \(objects.stderr)") }
        for s in occurring(needles, in: Data(objects.stdout.utf8)) { found.append("object: \(s.prefix(12))…") }
        return found
    }

    /// The needles found in `bytes`, byte for byte, by the C library's `strstr`: the objects of a repository
    /// that took a few hundred commits come to tens of megabytes, which `String.contains` takes a minute to
    /// search for a corpus of needles. Git's objects hold NUL bytes (in trees), which no needle holds: they
    /// become 0x01, so the whole text is one C string.
    static func occurring(_ needles: Set<String>, in bytes: Data) -> [String] {
        var text = [UInt8](bytes)
        text.append(0)
        return text.withUnsafeMutableBufferPointer { b -> [String] in
            let base = b.baseAddress!
            let length = b.count - 1
            var p = 0
            while p < length, let hit = memchr(base + p, 0, length - p) {
                let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                base[i] = 1
                p = i + 1
            }
            return base.withMemoryRebound(to: CChar.self, capacity: b.count) { haystack in
                needles.sorted().filter { needle in needle.withCString { strstr(haystack, $0) != nil } }
            }
        }
    }
}

public struct SecretLeaksError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
