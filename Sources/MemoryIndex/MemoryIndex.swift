import Dispatch
import GitKit
import Logging
import MemoryModel

/// The search and correlation index of a memory repository.
///
/// Reflects the working tree: the files at HEAD plus uncommitted edits. The index persists as a snapshot
/// in `.git/cmem/` (machine-local, never committed) and is brought up to date on `open` and `refresh`:
/// only files that changed since the snapshot are read again. Every answer says which commit it reflects
/// and which uncommitted files it includes (`Freshness`).
///
/// Thread safety: queries may run concurrently from any thread; they read an immutable snapshot.
/// `refresh` and `apply` are serialised and swap in a new snapshot when done.
public final class MemoryIndex: @unchecked Sendable {
    public struct Options: Sendable {
        /// Session and decision notes edited in place (without renaming, as some editors save) change no
        /// directory, so finding them needs a `stat` of every note: about 40 ms per 30,000 notes here.
        /// That sweep runs when this many seconds have passed since the last one (0: on every open).
        /// Timeline day files and all directories are checked on every open.
        public var noteSweepInterval: Int64 = 10
        /// When the delta holds more documents than this, it is merged into a new base.
        public var compactionThreshold = 40_000
        /// Keep the snapshot in memory only (tests, read-only repositories).
        public var persist = true

        public init() {}
    }

    public let repositoryPath: String
    let gitDirectory: String
    let snapshotDirectory: String
    let logger: Logger
    let options: Options

    private let updateLock = Lock()
    private let stateLock = Lock()
    private var _snapshot: Snapshot
    private var _freshness: Freshness
    private var _statistics = UpdateStatistics()

    var snapshot: Snapshot { stateLock.withLock { _snapshot } }

    /// `.cmem/components.yaml` as last read, with the file's signature then: parsing it (YAML) cost a tenth
    /// of a correlation, and it changes rarely. Read again whenever its size, time or inode differ.
    private var _catalog: (signature: FileIO.Signature?, catalog: ComponentCatalog)?

    /// The repository's component catalog, read again only when the file changed.
    var componentCatalog: ComponentCatalog {
        let signature = FileIO.signature(repositoryPath + "/" + ComponentCatalog.path)
        if let cached = stateLock.withLock({ _catalog }), cached.signature == signature { return cached.catalog }
        let catalog = ComponentCatalog.load(root: repositoryPath)
        stateLock.withLock { _catalog = (signature, catalog) }
        return catalog
    }

    /// Which state of the repository the index reflects. Its warnings name the notes it could not read
    /// and a `.cmem/components.yaml` it could not use (correlation then knows no dependencies).
    public var freshness: Freshness {
        var f = stateLock.withLock { _freshness }
        if let problem = componentCatalog.problem { f.warnings.append(problem) }
        return f
    }

    /// What the last open, refresh or apply did (files parsed, snapshot written).
    public var lastUpdate: UpdateStatistics { stateLock.withLock { _statistics } }

    var basePath: String { snapshotDirectory + "/base.cmx" }
    var deltaPath: String { snapshotDirectory + "/delta.cmx" }
    /// When a sweep last found every note unchanged, for the delta file it was made against: recorded
    /// beside the delta instead of rewriting it (a rewrite cost more than the sweep).
    var sweptPath: String { snapshotDirectory + "/swept" }

    private init(root: String, logger: Logger, options: Options) {
        var root = root
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        repositoryPath = root
        gitDirectory = RepositoryFiles.gitDirectory(root: root)
        // Its own folder: `.git/cmem/` also holds state that cannot be rebuilt (session maps, snapshots,
        // sync state, logs), and `cmem index rebuild` must be able to discard the index alone.
        snapshotDirectory = MemoryIndex.snapshotDirectory(gitDirectory: gitDirectory)
        self.logger = logger
        self.options = options
        let empty = MemoryIndex.emptySegment()
        _snapshot = Snapshot(base: empty, delta: empty, state: IndexState(), baseBuildID: 0, bytes: 0, baseSignature: .missing)
        let zero = Timestamp(milliseconds: 0)
        _freshness = Freshness(commit: nil, dirtyFiles: [], updatedAt: zero, checkedAt: zero, notesVerifiedAt: zero,
                               update: .current, warnings: [])
    }

    /// Opens the index of the repository at `repoPath`: loads the snapshot, brings it up to date with the
    /// working tree (re-reading only what changed) and saves it if anything changed. Builds from scratch
    /// when there is no usable snapshot; a damaged one is reported and replaced, never trusted.
    public static func open(repoPath: String, logger: Logger, options: Options = Options()) throws -> MemoryIndex {
        let index = MemoryIndex(root: repoPath, logger: logger, options: options)
        if options.persist { index.removeLegacySnapshot() }
        try index.updateLock.withLock { try index.load() }
        return index
    }

    /// Checks the working tree again and brings the index up to date.
    public func refresh() throws {
        try updateLock.withLock {
            try synchronize(from: snapshot, forceFull: false, extraPaths: [])
        }
    }

    /// Re-reads `paths` (repository-relative), for a writer that knows what it just wrote (the server
    /// after its own writes). Other changes are picked up too.
    public func apply(writtenPaths paths: [String]) throws {
        try updateLock.withLock {
            try synchronize(from: snapshot, forceFull: false, extraPaths: paths)
        }
    }

    /// `.git/cmem/index/`: everything the index persists, and nothing else.
    public static func snapshotDirectory(gitDirectory: String) -> String { gitDirectory + "/cmem/index" }

    /// Discards the persisted snapshot of the repository at `repoPath`, and only it; the next `open`
    /// rebuilds it from the notes.
    public static func discardSnapshot(repoPath: String) throws {
        let directory = snapshotDirectory(gitDirectory: RepositoryFiles.gitDirectory(root: repoPath))
        guard let entries = FileIO.list(directory) else { return }
        for entry in entries where !entry.isDirectory { FileIO.remove(directory + "/" + entry.name) }
        try FileIO.removeDirectory(directory)
    }

    /// Snapshots before index version 5 of the layout sat in `.git/cmem/` itself: they are a cache, so
    /// they are deleted rather than moved (one rebuild after the upgrade).
    private func removeLegacySnapshot() {
        let legacy = gitDirectory + "/cmem/"
        guard FileIO.exists(legacy + "base.cmx") || FileIO.exists(legacy + "delta.cmx") else { return }
        for name in ["base.cmx", "delta.cmx", "swept"] { FileIO.remove(legacy + name) }
    }

    // MARK: Loading

    private func load() throws {
        guard options.persist else {
            try coldBuild(reason: "in-memory index")
            return
        }
        // The delta first: it is small, always verified, and says which base it goes with and whether
        // that base file was already verified.
        var delta: SnapshotFile.Loaded?
        var state = IndexState()
        do {
            if let d = try SnapshotFile.read(deltaPath, role: .delta) {
                state = try IndexState(decoding: d.segment.state)
                if let swept = SweepRecord.read(sweptPath), swept.delta == d.signature, swept.at > state.notesVerifiedAt {
                    state.notesVerifiedAt = swept.at
                }
                delta = d
            }
        } catch {
            logger.warning("index delta is unusable; checking every file", metadata: ["index.reason": "\(error)"])
        }
        let base: SnapshotFile.Loaded?
        let trusted = delta == nil ? nil : state.verifiedBase
        do {
            base = try SnapshotFile.read(basePath, role: .base, verified: trusted)
        } catch {
            logger.warning("index snapshot is unusable; rebuilding", metadata: ["index.reason": "\(error)"])
            try coldBuild(reason: "\(error)")
            return
        }
        guard let base else {
            try coldBuild(reason: "no snapshot yet")
            return
        }
        if let d = delta, d.header.baseBuildID != base.header.buildID {
            logger.info("index delta belongs to another base; checking every file")
            delta = nil
            state = IndexState()
        }
        if delta == nil, trusted == base.signature {
            // Read again, verified: the base's checksum was skipped on the word of a delta now discarded.
            guard let verified = try? SnapshotFile.read(basePath, role: .base) else {
                try coldBuild(reason: "the index snapshot changed while it was read")
                return
            }
            _ = verified
        }
        let deltaSegment = delta?.segment ?? MemoryIndex.emptySegment()
        let snap = Snapshot(base: base.segment, delta: deltaSegment, state: state, baseBuildID: base.header.buildID,
                            bytes: base.bytes + (delta?.bytes ?? 0), baseSignature: base.signature)
        try synchronize(from: snap, forceFull: delta == nil, extraPaths: [])
    }

    static func emptySegment() -> Segment {
        var none: [DocBatch] = []
        // An empty build cannot fail to lay out.
        return try! SnapshotFile.inMemory(SegmentBuilder.build(&none, state: IndexState().encoded(), builtAt: 0))
    }

    // MARK: Cold build

    private func coldBuild(reason: String) throws {
        let started = Timestamp.now().milliseconds
        var stats = UpdateStatistics()
        let repo = try GitRepository(path: repositoryPath)
        let head = try repo.head()?.hex
        let listing = RepositoryFiles.list(root: repositoryPath)
        let listed = Timestamp.now().milliseconds
        // `git status` (a stat per file) runs beside the parsing.
        let status = BackgroundWork { try repo.dirtyPaths().map(\.path).filter { FileKind(path: $0) != nil }.sorted() }
        let parsed = parseFiles(listing.files.map(\.path), kinds: listing.files.map(\.kind))
        let parsedAt = Timestamp.now().milliseconds
        stats.filesParsed = parsed.count
        stats.documentsParsed = parsed.reduce(0) { $0 + $1.docs.count }
        logParseErrors(parsed)
        var batches = parsed.map(DocBatch.init)
        let dirty = try status.wait()
        var state = IndexState()
        state.commit = head
        state.dirtyPaths = dirty
        state.directories = listing.directories
        state.notesVerifiedAt = started
        state.updatedAt = started
        state.rebuiltAt = started
        let dirtyAt = Timestamp.now().milliseconds
        var arrays: SegmentArrays? = SegmentBuilder.build(&batches, state: [], builtAt: started)
        let builtAt = Timestamp.now().milliseconds
        let snap = try save(base: &arrays, delta: nil, state: state, previous: nil, stats: &stats)
        logger.debug("index build phases", metadata: [
            "index.list.ms": "\(listed - started)", "index.parse.ms": "\(parsedAt - listed)", "index.status.ms": "\(dirtyAt - parsedAt)",
            "index.build.ms": "\(builtAt - dirtyAt)", "index.save.ms": "\(Timestamp.now().milliseconds - builtAt)",
        ])
        logger.info("index built", metadata: [
            "index.reason": "\(reason)", "index.files": "\(stats.filesParsed)", "index.documents": "\(stats.documentsParsed)",
            "index.ms": "\(Timestamp.now().milliseconds - started)",
        ])
        install(snap, update: .rebuilt(reason: reason), stats: stats, checkedAt: started)
    }

    /// Reads and parses files on all cores.
    func parseFiles(_ paths: [String], kinds: [FileKind]) -> [ParsedFile] {
        let n = paths.count
        guard n > 0 else { return [] }
        let slots = UnsafeMutableBufferPointer<ParsedFile?>.allocate(capacity: n)
        slots.initialize(repeating: nil)
        defer {
            slots.deinitialize()
            slots.deallocate()
        }
        let root = repositoryPath
        let work = UncheckedSendable { (i: Int) in
            let full = root + "/" + paths[i]
            guard let (bytes, signature) = FileIO.readWithSignature(full, limit: Limits.maxNoteBytes) else {
                // A file too large to read is a note with an error, not a note that is not there: answers say so.
                guard let signature = FileIO.signature(full), signature.size > Limits.maxNoteBytes else { return }
                var parser = DocumentParser()
                var parsed = parser.parse(path: paths[i], kind: kinds[i], bytes: [], signature: signature)
                parsed.errors.append(NoteError(path: paths[i], line: 1,
                                               message: "\(signature.size) bytes, over the \(Limits.maxNoteBytes)-byte limit; it is not read"))
                slots[i] = parsed
                return
            }
            var parser = DocumentParser()
            slots[i] = parser.parse(path: paths[i], kind: kinds[i], bytes: bytes, signature: signature)
        }
        if n == 1 {
            work.value(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: n) { work.value($0) }
        }
        return slots.compactMap { $0 }
    }

    private func logParseErrors(_ parsed: [ParsedFile]) {
        var logged = 0
        for p in parsed {
            for e in p.errors {
                if logged < 20 {
                    logger.warning("a note could not be read whole", metadata: ["index.note": "\(e.path):\(e.line)", "index.error": "\(e.message)"])
                }
                logged += 1
            }
        }
        if logged > 20 { logger.warning("skipped more notes that cannot be read", metadata: ["index.count": "\(logged - 20)"]) }
    }

    // MARK: Saving

    /// Writes the segments (or keeps them in memory when that fails or is not wanted) and returns the new
    /// snapshot. `base` nil keeps the previous base.
    private func save(base: inout SegmentArrays?, delta: SegmentArrays?, state: IndexState, previous: Snapshot?,
                      stats: inout UpdateStatistics) throws -> Snapshot {
        var rng = SystemRandomNumberGenerator()
        var state = state
        var deltaArrays: SegmentArrays? = delta ?? {
            var none: [DocBatch] = []
            return SegmentBuilder.build(&none, state: [], builtAt: state.updatedAt)
        }()
        if options.persist {
            do {
                try FileIO.makeDirectories(snapshotDirectory)
                var baseSegment = previous?.base
                var baseID = previous?.baseBuildID ?? 0
                var baseBytes = previous?.base.storage.count ?? 0
                var baseSignature = previous?.baseSignature ?? .missing
                if base != nil {
                    baseID = rng.next() | 1
                    let loaded = try SnapshotFile.write(&base, role: .base, buildID: baseID, baseBuildID: 0, to: basePath)
                    baseSegment = loaded.segment
                    baseBytes = loaded.bytes
                    baseSignature = loaded.signature
                }
                guard let baseSegment else { throw SnapshotCorrupt(reason: "no base segment") }
                // The base was verified when it was loaded, or written just now.
                state.verifiedBase = baseSignature
                deltaArrays?.state = state.encoded()
                let d = try SnapshotFile.write(&deltaArrays, role: .delta, buildID: rng.next() | 1, baseBuildID: baseID, to: deltaPath)
                stats.snapshotWritten = true
                return Snapshot(base: baseSegment, delta: d.segment, state: state, baseBuildID: baseID, bytes: baseBytes + d.bytes,
                                baseSignature: baseSignature)
            } catch {
                logger.warning("cannot write the index snapshot; keeping it in memory", metadata: [
                    "index.directory": "\(snapshotDirectory)", "index.error": "\(error)",
                ])
            }
        }
        let baseSegment = try base.map(SnapshotFile.inMemory) ?? previous?.base ?? MemoryIndex.emptySegment()
        guard var deltaArrays else { throw SnapshotCorrupt(reason: "the index could not be saved nor kept in memory") }
        deltaArrays.state = state.encoded()
        return Snapshot(base: baseSegment, delta: try SnapshotFile.inMemory(deltaArrays), state: state,
                        baseBuildID: previous?.baseBuildID ?? 0, bytes: 0, baseSignature: .missing)
    }

    private func install(_ snap: Snapshot, update: Freshness.Update, stats: UpdateStatistics, checkedAt: Int64) {
        let f = Freshness(commit: snap.state.commit, dirtyFiles: snap.state.dirtyPaths,
                          updatedAt: Timestamp(milliseconds: snap.state.updatedAt), checkedAt: Timestamp(milliseconds: checkedAt),
                          notesVerifiedAt: Timestamp(milliseconds: snap.state.notesVerifiedAt), update: update,
                          warnings: snap.warnings)
        stateLock.withLock {
            _snapshot = snap
            _freshness = f
            _statistics = stats
        }
    }

    // MARK: Bringing the snapshot up to date

    /// Finds what changed in the working tree since `snap` and installs an up-to-date snapshot.
    private func synchronize(from snap: Snapshot, forceFull: Bool, extraPaths: [String]) throws {
        let now = Timestamp.now().milliseconds
        var stats = UpdateStatistics()
        let state = snap.state

        // 1. HEAD, from the files (no libgit2 unless something changed).
        let headNow = RepositoryFiles.head(gitDirectory: gitDirectory)
        var headChanged: Bool
        switch headNow {
        case let .commit(c): headChanged = c != state.commit
        case .unborn: headChanged = state.commit != nil
        case .unknown: headChanged = true
        }

        // 2. Directories: a note added, removed or replaced by rename changes its directory.
        var changedDirectories = Set<String>()
        for d in state.directories where (FileIO.signature(repositoryPath + "/" + d.path) ?? .missing) != d.signature {
            changedDirectories.insert(d.path)
        }
        if state.directories.isEmpty { changedDirectories = Set(FileKind.roots + ["."]) }

        // 3. Files: day files always, notes when a sweep is due.
        let sweep = forceFull || now - state.notesVerifiedAt >= options.noteSweepInterval * 1000
        var overrides: [String: FileIO.Signature] = [:]
        for o in state.signatureOverrides { overrides[o.path] = o.signature }
        var suspects = Set<String>()
        var checked: [(ref: FileRef, path: String)] = []
        snap.forEachFile { ref in
            guard sweep || snap.kind(ref) == .day else { return }
            checked.append((ref, snap.path(ref)))
        }
        stats.filesChecked += checked.count
        let signatures = FileIO.signatures(root: repositoryPath, paths: checked.map(\.path))
        for (i, (ref, path)) in checked.enumerated() {
            let recorded = overrides[path] ?? snap.signature(ref)
            let recordedAt = overrides[path] != nil ? state.updatedAt : snap.segment(ref).builtAt
            guard let now = signatures[i] else {
                suspects.insert(path)
                continue
            }
            // Same signature is proof of no change unless the file changed within the timestamp
            // granularity of when it was recorded ("racy"): then its content decides.
            if now != recorded || now.mtimeNanoseconds / 1_000_000 >= recordedAt - 1000 { suspects.insert(path) }
        }
        for p in extraPaths where FileKind(path: p) != nil { suspects.insert(p) }

        if !headChanged, changedDirectories.isEmpty, suspects.isEmpty, !sweep, !forceFull {
            install(snap, update: .current, stats: stats, checkedAt: now)
            return
        }

        // The slow path: something may have changed.
        // Directories that changed: list them for new and removed notes.
        var directories = state.directories
        if !changedDirectories.isEmpty {
            let rescanned = rescan(changedDirectories, recorded: state.directories)
            directories = rescanned.directories
            for p in rescanned.files { suspects.insert(p) }
            // Files in a listed directory that are no longer there are gone.
            let listed = Set(rescanned.files)
            for dir in rescanned.listedDirectories {
                // A note folder's listing covers its own files, not those of the folders below it.
                let prefix = dir == "." ? "" : dir + "/"
                for ref in snap.refs(under: dir == "." ? "" : dir) {
                    let kind = snap.kind(ref)
                    if dir == ".", kind != .note { continue }
                    let path = snap.path(ref)
                    if kind == .note, path.dropFirst(prefix.count).contains("/") { continue }
                    if !listed.contains(path) { suspects.insert(path) }
                }
            }
        }

        // HEAD moved: what git says changed is checked too (it would be caught by signatures anyway).
        var repo: GitRepository?
        func repository() throws -> GitRepository {
            if let repo { return repo }
            let r = try GitRepository(path: repositoryPath)
            repo = r
            return r
        }
        var head = state.commit
        var diffPaths: [String] = []
        if headChanged {
            if case let .commit(c) = headNow { head = c } else { head = try repository().head()?.hex }
            if head != state.commit, let to = head.flatMap(ObjectID.init(hex:)) {
                let from = state.commit.flatMap(ObjectID.init(hex:))
                if let changes = try? repository().changedPaths(from: from, to: to, under: FileKind.roots) {
                    diffPaths = changes.map(\.path).filter { FileKind(path: $0) != nil }
                    for p in diffPaths { suspects.insert(p) }
                }
            }
        }

        // Read the suspects: unchanged content only refreshes the recorded signature.
        var toParse: [String] = []
        var deleted: [String] = []
        var newOverrides: [String: FileIO.Signature] = [:]
        var refs: [String: FileRef] = [:]
        for path in suspects.sorted() where FileKind(path: path) != nil {
            let ref = snap.ref(path: path)
            refs[path] = ref
            guard let sig = FileIO.signature(repositoryPath + "/" + path) else {
                if ref != nil { deleted.append(path) }
                continue
            }
            if let ref, sig == (overrides[path] ?? snap.signature(ref)),
               sig.mtimeNanoseconds / 1_000_000 < (overrides[path] != nil ? state.updatedAt : snap.segment(ref).builtAt) - 1000 {
                continue
            }
            if let ref, let bytes = try? FileIO.read(repositoryPath + "/" + path, limit: Limits.maxNoteBytes),
               bytes.withUnsafeBufferPointer(MemoryIndex.hash) == snap.contentHash(ref) {
                newOverrides[path] = sig
                continue
            }
            toParse.append(path)
        }
        let parsed = parseFiles(toParse, kinds: toParse.map { FileKind(path: $0)! })
        stats.filesParsed = parsed.count
        stats.documentsParsed = parsed.reduce(0) { $0 + $1.docs.count }
        logParseErrors(parsed)
        let parsedPaths = Set(parsed.map(\.path))
        // A file that vanished between the stat and the read counts as deleted.
        for p in toParse where !parsedPaths.contains(p) && refs[p] != nil { deleted.append(p) }

        let contentChanged = !parsed.isEmpty || !deleted.isEmpty

        // Uncommitted files: only the ones that could have changed status are asked about.
        var dirty = state.dirtyPaths
        if forceFull || headChanged || contentChanged {
            if forceFull {
                dirty = try repository().dirtyPaths().map(\.path).filter { FileKind(path: $0) != nil }.sorted()
            } else {
                let candidates = Set(state.dirtyPaths).union(parsedPaths).union(deleted).union(diffPaths)
                dirty = try repository().pathsDifferingFromHead(candidates.sorted()).map(\.path).sorted()
            }
        }
        if case let .commit(c) = headNow, !headChanged { head = c }

        // The new state.
        var newState = state
        newState.commit = head
        newState.dirtyPaths = dirty
        newState.directories = directories
        if sweep { newState.notesVerifiedAt = now }
        var mergedOverrides = overrides
        for p in parsedPaths { mergedOverrides[p] = nil }
        for p in deleted { mergedOverrides[p] = nil }
        for (p, s) in newOverrides { mergedOverrides[p] = s }
        newState.signatureOverrides = mergedOverrides.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }

        if !contentChanged && newState == state {
            install(snap, update: .current, stats: stats, checkedAt: now)
            return
        }
        var sweptOnly = newState
        sweptOnly.notesVerifiedAt = state.notesVerifiedAt
        if !contentChanged, sweep, sweptOnly == state, options.persist, let delta = FileIO.signature(deltaPath) {
            SweepRecord(delta: delta, at: now).write(to: sweptPath)
            let swept = Snapshot(base: snap.base, delta: snap.delta, state: newState, baseBuildID: snap.baseBuildID,
                                 bytes: snap.bytes, baseSignature: snap.baseSignature)
            install(swept, update: .current, stats: stats, checkedAt: now)
            return
        }
        newState.updatedAt = now

        // Replaced or deleted files leave the base (marked dead) or the delta (dropped).
        var deadBase = Set(state.deadBaseFiles.map(Int.init))
        var droppedDelta = Set<Int>()
        for p in Array(parsedPaths) + deleted {
            guard let ref = refs[p] ?? snap.ref(path: p) else { continue }
            if ref.segment == 0 { deadBase.insert(ref.file) } else { droppedDelta.insert(ref.file) }
        }
        newState.deadBaseFiles = deadBase.sorted().map(UInt32.init)

        var batches: [DocBatch] = []
        let keptDelta = snap.delta.docCount - (0..<snap.delta.docCount).filter { droppedDelta.contains(Int(snap.delta.file[$0])) }.count
        let newDocs = parsed.reduce(0) { $0 + $1.docs.count }
        let compact = keptDelta + newDocs > options.compactionThreshold || deadBase.count > max(64, snap.base.fileCount / 4)
        var baseArrays: SegmentArrays?
        if contentChanged || compact {
            if compact {
                batches.append(SegmentBuilder.export(snap.base, excludingFiles: deadBase))
                newState.deadBaseFiles = []
            }
            if snap.delta.docCount > 0 || snap.delta.fileCount > 0 {
                batches.append(SegmentBuilder.export(snap.delta, excludingFiles: droppedDelta))
            }
            batches += parsed.map(DocBatch.init)
        }
        if compact {
            stats.compacted = true
            baseArrays = SegmentBuilder.build(&batches, state: [], builtAt: now)
        }
        var deltaArrays: SegmentArrays?
        if !compact {
            if contentChanged {
                deltaArrays = SegmentBuilder.build(&batches, state: [], builtAt: now)
            } else {
                // Only the state changed: keep the delta's documents as they are.
                var keep = [SegmentBuilder.export(snap.delta, excludingFiles: [])]
                var arrays = SegmentBuilder.build(&keep, state: [], builtAt: snap.delta.builtAt)
                arrays.meta[Meta.builtAt.rawValue] = UInt64(bitPattern: snap.delta.builtAt)
                deltaArrays = arrays
            }
        }
        let newSnap = try save(base: &baseArrays, delta: deltaArrays, state: newState, previous: snap, stats: &stats)
        let update: Freshness.Update = contentChanged ? .incremental(files: parsed.count + deleted.count) : .current
        if contentChanged {
            logger.info("index updated", metadata: [
                "index.parsed": "\(parsed.count)", "index.deleted": "\(deleted.count)", "index.compacted": "\(compact)",
                "index.ms": "\(Timestamp.now().milliseconds - now)",
            ])
        }
        install(newSnap, update: update, stats: stats, checkedAt: now)
    }

    static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 { contentHash(b) }

    /// Lists the changed directories (and any new ones below them). Returns the updated directory list,
    /// the files found in listed directories, and the directories whose files are now all known (listed
    /// month directories, and directories that are gone).
    private func rescan(_ changed: Set<String>, recorded: [(path: String, signature: FileIO.Signature)])
        -> (directories: [(path: String, signature: FileIO.Signature)], files: [String], listedDirectories: Set<String>) {
        var known: [String: FileIO.Signature] = [:]
        for d in recorded { known[d.path] = d.signature }
        var out: [(String, FileIO.Signature)] = []
        var files: [String] = []
        var listed = Set<String>()
        func visit(_ path: String, depth: Int) {
            let full = repositoryPath + "/" + path
            let mustList = changed.contains(path) || known[path] == nil
            guard let sig = FileIO.signature(full), FileIO.isDirectory(full) else {
                // Gone: every file that was below it is gone too.
                out.append((path, .missing))
                listed.insert(path)
                return
            }
            out.append((path, sig))
            if mustList {
                if depth == 2 { listed.insert(path) } // notes live at this depth: the listing is complete
                guard let entries = FileIO.list(full) else { return }
                for (name, isDir) in entries.sorted(by: { $0.name < $1.name }) {
                    let child = path + "/" + name
                    if isDir {
                        if depth < 2 { visit(child, depth: depth + 1) }
                    } else if depth == 2, FileKind(path: child) != nil {
                        files.append(child)
                    }
                }
            } else {
                // Unchanged: its subdirectories are the recorded ones.
                let prefix = path + "/"
                for d in recorded where d.path.hasPrefix(prefix) && !d.path.dropFirst(prefix.count).contains("/") {
                    visit(d.path, depth: depth + 1)
                }
            }
        }
        for root in FileKind.roots { visit(root, depth: 0) }
        /// A folder that may hold notes, at any depth (`FileKind.isNoteFolder`).
        func visitNotes(_ path: String) {
            let full = repositoryPath + "/" + path
            guard let sig = FileIO.signature(full), FileIO.isDirectory(full) else {
                out.append((path, .missing))
                listed.insert(path)
                return
            }
            out.append((path, sig))
            if changed.contains(path) || known[path] == nil {
                listed.insert(path)
                guard let entries = FileIO.list(full) else { return }
                for (name, isDir) in entries.sorted(by: { $0.name < $1.name }) {
                    let child = RepositoryFiles.child(path, name)
                    if isDir {
                        if FileKind.isNoteFolder(child) { visitNotes(child) }
                    } else if FileKind(path: child) == .note {
                        files.append(child)
                    }
                }
            } else {
                let prefix = path == "." ? "" : path + "/"
                for d in recorded where d.path != "." && d.path.hasPrefix(prefix) && !d.path.dropFirst(prefix.count).contains("/")
                    && FileKind.isNoteFolder(d.path) {
                    visitNotes(d.path)
                }
            }
        }
        visitNotes(".")
        return (out, files, listed)
    }
}

/// One piece of work on its own thread, waited for later. The work must not share mutable state.
final class BackgroundWork<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping () throws -> T) {
        let box = UncheckedSendable(work)
        DispatchQueue.global().async { [self] in
            result = Result { try box.value() }
            done.signal()
        }
    }

    func wait() throws -> T {
        done.wait()
        return try result!.get()
    }
}
