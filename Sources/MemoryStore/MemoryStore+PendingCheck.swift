import Foundation
import Redaction

extension MemoryStore {
    /// Why files cmem did not write, but is about to commit for someone (a sync sweeping up a human's
    /// uncommitted edits), must not be committed: one line per problem, `path:line:column: why`. The same
    /// rules as the pre-commit guard a human's `git commit` passes (the redactor's findings), plus conflict
    /// markers and symbolic links. Deleted files pass. Empty when everything may be committed.
    public func refusals(amongPending paths: [String]) -> [String] {
        let redactor = Redactor()
        var lines: [String] = []
        for path in paths {
            var st = stat()
            let full = root + "/" + path
            guard lstat(full, &st) == 0 else { continue }
            if st.st_mode & S_IFMT == S_IFLNK {
                lines.append("\(path): a symbolic link (cmem never commits one)")
                continue
            }
            guard st.st_mode & S_IFMT == S_IFREG, st.st_size <= Self.maxScannedBytes,
                  let bytes = try? AtomicFile.read(full, limit: Self.maxScannedBytes) else { continue }
            if let line = ConflictMarkers.line(in: bytes) {
                lines.append("\(path):\(line): merge conflict markers (<<<<<<<)")
            }
            guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else { continue }
            for f in redactor.findings(text) { lines.append("\(path):\(f.line):\(f.column): \(f.kind)") }
        }
        return lines
    }

    /// Files larger than this are not scanned (as the pre-commit guard).
    static let maxScannedBytes = 8 << 20
}
