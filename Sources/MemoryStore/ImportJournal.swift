import Foundation

/// The files of the import batch being written, kept in `.git/cmem/import-batch` (one path a line) from just
/// before they are written until they are committed. An import killed in between leaves files on disk that
/// no commit holds, and a second run would call every record in them "already present" and commit nothing:
/// the next import commits them first (`MemoryStore.completeInterruptedImport`).
struct ImportJournal {
    let path: String

    init(gitDir: String) {
        path = gitDir + (gitDir.hasSuffix("/") ? "" : "/") + "cmem/import-batch"
    }

    func record(_ paths: [String]) throws {
        try AtomicFile.write(paths.joined(separator: "\n") + "\n", to: path)
    }

    /// The paths of a batch that was not committed, if one was left.
    func pending() -> [String]? {
        guard let bytes = try? AtomicFile.read(path, limit: 64 << 20) else { return nil }
        let paths = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        return paths.isEmpty ? nil : paths
    }

    func clear() {
        unlink(path)
    }
}
