import Foundation

/// Files a commit removes (retention's day files and old summaries). Each is renamed aside, beside
/// itself, before the commit and unlinked only once the commit is made; should the commit fail, it is
/// renamed back, so a failed write removes nothing. A folder left empty is removed with its last file.
enum RemovedFiles {
    static func setAside(_ paths: [String]) throws -> [(path: String, aside: String)] {
        var done: [(path: String, aside: String)] = []
        for path in paths {
            let dir = (path as NSString).deletingLastPathComponent
            let name = (path as NSString).lastPathComponent
            let aside = "\(dir)/.\(name).cmem-\(getpid()).removed.tmp"
            if rename(path, aside) != 0 {
                if errno == ENOENT { continue }
                let reason = String(cString: strerror(errno))
                restore(done)
                throw StoreError.io("cannot remove \(path): \(reason)")
            }
            done.append((path, aside))
        }
        return done
    }

    static func restore(_ files: [(path: String, aside: String)]) {
        for f in files { _ = rename(f.aside, f.path) }
    }

    static func discard(_ files: [(path: String, aside: String)]) {
        var dirs = Set<String>()
        for f in files {
            unlink(f.aside)
            dirs.insert((f.path as NSString).deletingLastPathComponent)
        }
        // Deepest first: a month folder, then its year folder, when each is left empty.
        for dir in dirs.sorted(by: { $0.count > $1.count }) {
            if rmdir(dir) == 0 { _ = rmdir((dir as NSString).deletingLastPathComponent) }
        }
    }
}
