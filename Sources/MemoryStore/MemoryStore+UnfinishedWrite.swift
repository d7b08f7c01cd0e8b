import Foundation
import GitKit

extension MemoryStore {
    /// Undoes the write of a writer that died holding the write lock (its intent is still in the lock
    /// file; see `WriteLock.Intent`), so that a write is all or nothing even across a kill -9: each file it
    /// was writing is put back as it was before (from the second name `AtomicFile.begin(keepingOld:)` gave
    /// it) or removed where the write created it, its index entries are reset to HEAD's, and its temporary
    /// files and objects are removed. A write that was committed before the writer died is kept: it
    /// happened, even though nobody was told. Called holding the write lock.
    func undoUnfinishedWrite() {
        guard let intent = lock.unfinishedIntent() else { return }
        defer { lock.clearIntent() }
        let paths = intent.paths.map(\.path)
        let uncommitted = Set(((try? git.pathsDifferingFromHead(paths)) ?? []).map(\.path))
        var undone: [String] = []
        for (path, existed) in intent.paths {
            guard let full = try? absolute(path) else { continue }
            let folder = (full as NSString).deletingLastPathComponent
            let prefix = "." + (full as NSString).lastPathComponent + ".cmem-\(intent.pid)-"
            var old: String?
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            where entry.hasPrefix(prefix) && entry.hasSuffix(".tmp") {
                if entry.hasSuffix(".old.tmp") { old = folder + "/" + entry } else { unlink(folder + "/" + entry) }
            }
            if uncommitted.contains(path) {
                if let old, rename(old, full) == 0 {
                    undone.append(path)
                    continue
                }
                if old == nil, !existed, unlink(full) == 0 { undone.append(path) }
            }
            if let old { unlink(old) }
        }
        do {
            try git.resetIndex(paths: paths)
        } catch {
            logger.warning("could not reset the index entries of \(paths.joined(separator: ", ")) after a killed writer: \(error)")
        }
        let objects = git.removeTemporaryObjects(leftBy: intent.pid)
        logger.notice("a writer (pid \(intent.pid)) died mid-write: undid \(undone.count) file(s), removed \(objects) temporary object(s)")
    }
}
