import Foundation

extension MemoryStore {
    /// Every symbolic link in the working tree (outside `.git`), repository-relative and sorted: cmem
    /// refuses to read or write through them (`absolute`), and `cmem status` names them so a human can
    /// replace them. Walks the whole tree: for `status`, never for a write.
    public func symbolicLinks() -> [String] {
        var found: [String] = []
        func walk(_ relative: String) {
            let path = relative.isEmpty ? root : root + "/" + relative
            guard let dir = opendir(path) else { return }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafePointer(to: &entry.pointee.d_name) { raw in
                    raw.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name == "." || name == ".." || (relative.isEmpty && name == ".git") { continue }
                let child = relative.isEmpty ? name : relative + "/" + name
                var st = stat()
                guard lstat(root + "/" + child, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFLNK: found.append(child)
                case S_IFDIR: walk(child)
                default: break
                }
            }
        }
        walk("")
        return found.sorted()
    }
}
