import Foundation

/// The notes under one top folder (`sessions/`, `decisions/`) whose file name is not their id, by id, and
/// the modification times of the folders they were read from: a rename or a new note changes the
/// folder's time, which makes the map stale.
final class MovedNotes {
    private(set) var paths: [String: String] = [:]
    private var folders: [(path: String, mtime: timespec)] = []

    var isCurrent: Bool {
        folders.allSatisfy { folder in
            var st = stat()
            return stat(folder.path, &st) == 0 && st.st_mtim.tv_sec == folder.mtime.tv_sec && st.st_mtim.tv_nsec == folder.mtime.tv_nsec
        }
    }

    /// `inside` turns a repository-relative path into an absolute one, or nil for a path that leaves the
    /// repository (through a symlinked folder).
    static func scan(root: String, top: String, key: String, inside: (String) -> String?) -> MovedNotes {
        let notes = MovedNotes()
        let base = root + "/" + top
        notes.record(base)
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: base) else { return notes }
        let prefix = key + ":"
        while let name = walker.nextObject() as? String {
            let type = walker.fileAttributes?[.type] as? FileAttributeType
            if type == .typeDirectory {
                notes.record(base + "/" + name)
                continue
            }
            guard type == .typeRegular, name.hasSuffix(".md"), let full = inside(top + "/" + name),
                  let bytes = try? AtomicFile.read(full, limit: 64 * 1024 * 1024) else { continue }
            let head = String(decoding: bytes.prefix(64 * 1024), as: UTF8.self)
            guard head.hasPrefix("---") else { continue }
            for line in head.split(separator: "\n", omittingEmptySubsequences: false).dropFirst() {
                if line == "---" || line == "..." { break }
                guard line.hasPrefix(prefix) else { continue }
                var value = line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
                if value.hasSuffix("\r") { value.removeLast() }
                if value.count >= 2, value.first == "\"" || value.first == "'", value.last == value.first {
                    value = String(value.dropFirst().dropLast())
                }
                if !name.hasSuffix("/" + value + ".md"), name != value + ".md", notes.paths[value] == nil {
                    notes.paths[value] = top + "/" + name
                }
                break
            }
        }
        return notes
    }

    private func record(_ folder: String) {
        var st = stat()
        if stat(folder, &st) == 0 { folders.append((folder, st.st_mtim)) }
    }
}
