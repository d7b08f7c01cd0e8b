/// Finds the notes the index reads, and reads HEAD without starting libgit2 (whose initialisation costs
/// more than a whole fresh-snapshot search).
enum RepositoryFiles {
    struct Listing {
        var files: [(path: String, kind: FileKind)] = []
        var directories: [(path: String, signature: FileIO.Signature)] = []
    }

    /// Every indexable file under the roots, and every directory visited (roots included, with
    /// `.missing` for a root that does not exist).
    static func list(root: String) -> Listing {
        var out = Listing()
        for top in FileKind.roots {
            listDirectory(root: root, relative: top, depth: 0, into: &out)
        }
        listNotes(root: root, relative: ".", into: &out)
        return out
    }

    /// The relative path of `name` in the folder `relative` ("." is the root).
    static func child(_ relative: String, _ name: String) -> String { relative == "." ? name : relative + "/" + name }

    /// Lists a folder that may hold notes a person wrote, and the note folders below it.
    static func listNotes(root: String, relative: String, into out: inout Listing) {
        let full = root + "/" + relative
        guard let sig = FileIO.signature(full), let entries = FileIO.list(full) else {
            out.directories.append((relative, .missing))
            return
        }
        out.directories.append((relative, sig))
        for (name, isDir) in entries.sorted(by: { $0.name < $1.name }) {
            let path = child(relative, name)
            if isDir {
                if FileKind.isNoteFolder(path) { listNotes(root: root, relative: path, into: &out) }
            } else if FileKind(path: path) == .note {
                out.files.append((path, .note))
            }
        }
    }

    /// Lists one directory (and below it, down to the month level) into `out`.
    static func listDirectory(root: String, relative: String, depth: Int, into out: inout Listing) {
        let full = root + "/" + relative
        guard let sig = FileIO.signature(full), let entries = FileIO.list(full) else {
            out.directories.append((relative, .missing))
            return
        }
        out.directories.append((relative, sig))
        for (name, isDir) in entries.sorted(by: { $0.name < $1.name }) {
            let path = relative + "/" + name
            if isDir {
                if depth < 2 { listDirectory(root: root, relative: path, depth: depth + 1, into: &out) }
            } else if depth == 2, let kind = FileKind(path: path) {
                out.files.append((path, kind))
            }
        }
    }

    /// The git directory of the working tree at `root` (`.git`, or where a `.git` file points).
    static func gitDirectory(root: String) -> String {
        let dotGit = root + "/.git"
        if FileIO.isDirectory(dotGit) { return dotGit }
        if let bytes = try? FileIO.read(dotGit, limit: 4096) {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \n\r\t")
            if text.hasPrefix("gitdir:") {
                let p = text.dropFirst(7).trimmingCharacters(in: " ")
                return p.hasPrefix("/") ? p : root + "/" + p
            }
        }
        return dotGit
    }

    enum Head: Equatable {
        case commit(String)
        case unborn
        case unknown
    }

    /// HEAD read from the files: `HEAD`, then the loose ref or `packed-refs`. `.unknown` for anything
    /// unusual (a worktree, a reftable), which sends the caller to libgit2.
    static func head(gitDirectory: String) -> Head {
        guard let bytes = try? FileIO.read(gitDirectory + "/HEAD", limit: 4096) else { return .unknown }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \n\r\t")
        if isHex40(text) { return .commit(text) }
        guard text.hasPrefix("ref: ") else { return .unknown }
        let ref = String(text.dropFirst(5)).trimmingCharacters(in: " ")
        guard ref.hasPrefix("refs/"), !ref.contains("..") else { return .unknown }
        if FileIO.isDirectory(gitDirectory + "/commondir") || FileIO.signature(gitDirectory + "/commondir") != nil { return .unknown }
        if let loose = try? FileIO.read(gitDirectory + "/" + ref, limit: 4096) {
            let id = String(decoding: loose, as: UTF8.self).trimmingCharacters(in: " \n\r\t")
            return isHex40(id) ? .commit(id) : .unknown
        }
        guard let packed = try? FileIO.read(gitDirectory + "/packed-refs") else { return .unborn }
        for line in String(decoding: packed, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[1] == ref, isHex40(String(parts[0])) { return .commit(String(parts[0])) }
        }
        return .unborn
    }

    static func isHex40(_ s: String) -> Bool {
        s.utf8.count == 40 && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
