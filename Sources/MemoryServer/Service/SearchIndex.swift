import Foundation
import Logging
import MemoryIndex

/// The search index, opened in the background so the server starts at once (a first build over a large
/// repository takes a while). Until it is ready, index questions wait a bounded time and are then
/// answered 503 (`MemoryService.queries`). Queries may run on any thread (`MemoryIndex` reads an
/// immutable snapshot).
final class SearchIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var _index: MemoryIndex?
    private var _failure: String?
    private let logger: Logger
    /// Tells which notes changed (edits in place included) so the index re-reads them at once, rather
    /// than at its next periodic sweep of every note.
    private let watchLock = NSLock()
    private var watcher: DirectoryWatcher?

    private let repositoryPath: String
    private let options: MemoryIndex.Options
    private var started = false

    init(repositoryPath: String, logger: Logger, options: MemoryIndex.Options = MemoryIndex.Options(), start: Bool = true) {
        self.logger = logger
        self.repositoryPath = repositoryPath
        self.options = options
        if start { self.start() }
    }

    /// Why the index could not be opened, if it could not.
    var failure: String? {
        lock.lock(); defer { lock.unlock() }
        return _failure
    }

    /// Starts opening the index on a thread of its own (once).
    func start() {
        lock.lock()
        let first = !started
        started = true
        lock.unlock()
        guard first else { return }
        let repositoryPath = self.repositoryPath, options = self.options
        Thread.detachNewThread { [self] in
            let started = Date()
            // Watch before opening, so nothing written during the build is missed.
            watchLock.lock()
            watcher = DirectoryWatcher(root: repositoryPath, relatives: ["sessions", "decisions", "timeline"])
            watchLock.unlock()
            do {
                let index = try MemoryIndex.open(repoPath: repositoryPath, logger: logger, options: options)
                lock.lock(); _index = index; lock.unlock()
                logger.info("search index ready", metadata: [
                    "index.seconds": "\(String(format: "%.2f", Date().timeIntervalSince(started)))",
                    "index.update": "\(index.freshness.update)",
                ])
            } catch {
                lock.lock(); _failure = "\(error)"; lock.unlock()
                logger.error("cannot open the search index; index questions are answered 503", metadata: ["error": "\(error)"])
                return
            }
            updateLoop()
        }
    }

    /// The index, brought up to date with the working tree (a `git pull`, a hand edit, another
    /// process's write), or nil while it is still being built.
    func current() -> MemoryIndex? {
        lock.lock()
        let index = _index
        lock.unlock()
        guard let index else { return nil }
        watchLock.lock()
        var changed = Set<String>()
        for change in watcher?.poll() ?? [.rescan] {
            if case let .file(path) = change, path.hasSuffix(".md") { changed.insert(path) }
        }
        watchLock.unlock()
        do {
            // Both check the working tree for renames, new files and a moved HEAD; `apply` also re-reads
            // the notes inotify saw change.
            if changed.isEmpty { try index.refresh() } else { try index.apply(writtenPaths: changed.sorted()) }
        } catch {
            logger.warning("index refresh failed; answering from the last state", metadata: ["error": "\(error)"])
        }
        return index
    }

    /// The index without refreshing it (for counts).
    var loaded: MemoryIndex? {
        lock.lock(); defer { lock.unlock() }
        return _index
    }

    /// Notes what this server just wrote. The index takes it in on its own thread, a few writes at a time,
    /// so a write is not slowed by it (bringing the index up to date checks HEAD and the working tree,
    /// which costs more than the commit on a large repository); a query that comes first brings the index
    /// up to date itself (`current()`).
    func apply(writtenPaths: [String]) {
        guard !writtenPaths.isEmpty else { return }
        updates.lock()
        pendingPaths.formUnion(writtenPaths)
        updates.signal()
        updates.unlock()
    }

    private let updates = NSCondition()
    private var pendingPaths = Set<String>()

    /// Applies pending writes, at most every `interval` seconds, so a burst of writes costs one update.
    private func updateLoop(interval: TimeInterval = 1) {
        while true {
            updates.lock()
            while pendingPaths.isEmpty { updates.wait() }
            let paths = pendingPaths.sorted()
            pendingPaths = []
            updates.unlock()
            if let index = loaded {
                do {
                    try index.apply(writtenPaths: paths)
                } catch {
                    logger.warning("index update failed; the next query re-checks the repository", metadata: ["error": "\(error)"])
                }
            }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// Waits until the index is open (or failed), for tests and benchmarks.
    func waitUntilReady(timeout: TimeInterval = 600) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            lock.lock()
            let done = _index != nil || _failure != nil
            lock.unlock()
            if done { return loaded != nil }
            usleep(10_000)
        }
        return false
    }
}
