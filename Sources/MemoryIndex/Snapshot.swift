import MemoryModel

/// One indexed file, by where its documents live.
struct FileRef: Hashable {
    var segment: Int
    var file: Int
}

/// An immutable view of the whole index: the base segment, the delta segment (files changed since the
/// base was built), and the state. Queries read a `Snapshot` without locks; an update makes a new one.
final class Snapshot: @unchecked Sendable {
    let base: Segment
    let delta: Segment
    /// Per base file: superseded by the delta, or deleted.
    let baseDead: [Bool]
    let state: IndexState
    let baseBuildID: UInt64
    let bytes: Int
    /// The base file's signature as loaded (or written).
    let baseSignature: FileIO.Signature
    let segments: [Segment]
    let totalDocuments: Int
    let averageDocLength: Float
    let warnings: [NoteError]

    init(base: Segment, delta: Segment, state: IndexState, baseBuildID: UInt64, bytes: Int, baseSignature: FileIO.Signature) {
        self.base = base
        self.baseSignature = baseSignature
        self.delta = delta
        self.state = state
        self.baseBuildID = baseBuildID
        self.bytes = bytes
        var dead = [Bool](repeating: false, count: base.fileCount)
        for f in state.deadBaseFiles where Int(f) < dead.count { dead[Int(f)] = true }
        baseDead = dead
        segments = [base, delta]
        totalDocuments = base.docCount + delta.docCount
        let length = Double(base.totalDocLength + delta.totalDocLength)
        averageDocLength = totalDocuments == 0 ? 1 : Float(max(1, length / Double(totalDocuments)))
        var warnings: [NoteError] = []
        for (s, seg) in segments.enumerated() {
            for e in seg.errors where s == 1 || !(e.file < dead.count && dead[e.file]) {
                warnings.append(NoteError(path: seg.filePathString(e.file), line: e.line, message: e.message))
            }
        }
        self.warnings = warnings
    }

    @inline(__always)
    func isLive(_ segment: Int, _ doc: Int) -> Bool {
        if segment != 0 { return true }
        let f = Int(base.file[doc])
        return f >= baseDead.count || !baseDead[f]
    }

    /// Every live file: base files not superseded, then delta files.
    func forEachFile(_ body: (FileRef) throws -> Void) rethrows {
        for f in 0..<base.fileCount where !baseDead[f] { try body(FileRef(segment: 0, file: f)) }
        for f in 0..<delta.fileCount { try body(FileRef(segment: 1, file: f)) }
    }

    func segment(_ ref: FileRef) -> Segment { ref.segment == 0 ? base : delta }

    /// The live file with this path: the delta's copy if it has one, else the base's.
    func ref(path: String) -> FileRef? {
        if let f = delta.file(path: path) { return FileRef(segment: 1, file: f) }
        if let f = base.file(path: path), !baseDead[f] { return FileRef(segment: 0, file: f) }
        return nil
    }

    /// The live files directly or indirectly under a directory.
    func refs(under directory: String) -> [FileRef] {
        let prefix = directory.isEmpty ? "" : directory + "/"
        return base.files(withPrefix: prefix).filter { !baseDead[$0] }.map { FileRef(segment: 0, file: $0) }
            + delta.files(withPrefix: prefix).map { FileRef(segment: 1, file: $0) }
    }

    func path(_ ref: FileRef) -> String { segment(ref).filePathString(ref.file) }

    func kind(_ ref: FileRef) -> FileKind { FileKind(rawValue: segment(ref).fileKind[ref.file]) ?? .day }

    func signature(_ ref: FileRef) -> FileIO.Signature {
        let s = segment(ref)
        return FileIO.Signature(size: s.fileSize[ref.file], mtimeNanoseconds: s.fileMtime[ref.file], inode: s.fileInode[ref.file])
    }

    func contentHash(_ ref: FileRef) -> UInt64 { segment(ref).fileHash[ref.file] }

    /// Live documents per kind.
    func counts() -> (events: Int, decisions: Int, sessions: Int) {
        var c = [0, 0, 0]
        for (s, seg) in segments.enumerated() {
            for d in 0..<seg.docCount where isLive(s, d) {
                let k = Int(seg.kind[d])
                if k < 3 { c[k] += 1 }
            }
        }
        return (c[0], c[1], c[2])
    }

    var liveFileCount: Int {
        var n = 0
        forEachFile { _ in n += 1 }
        return n
    }

    var termCount: Int { base.termCount + delta.termCount }
}
