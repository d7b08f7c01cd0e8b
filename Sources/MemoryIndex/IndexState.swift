/// What the snapshot knows about the repository besides its documents: stored in the delta file's `state`
/// section and rewritten on every update.
struct IndexState: Equatable {
    static let version: UInt32 = 1

    /// HEAD when the snapshot was last brought up to date (nil: no commit yet).
    var commit: String?
    /// Indexed files that differ from HEAD (uncommitted edits, new files), included in the index.
    var dirtyPaths: [String] = []
    /// Files of the base segment that are gone or replaced by the delta.
    var deadBaseFiles: [UInt32] = []
    /// Every directory under the indexed roots (and the roots themselves), with its signature: a new or
    /// removed note changes its directory.
    var directories: [(path: String, signature: FileIO.Signature)] = []
    /// Files whose signature changed but whose content did not (a `touch`, a checkout of the same bytes).
    var signatureOverrides: [(path: String, signature: FileIO.Signature)] = []
    /// When every session and decision note was last checked with `stat` (ms since the epoch).
    var notesVerifiedAt: Int64 = 0
    /// When the snapshot was last brought up to date (ms since the epoch).
    var updatedAt: Int64 = 0
    /// When the base segment was built from scratch (ms since the epoch).
    var rebuiltAt: Int64 = 0
    /// The signature of `base.cmx` when its checksum was last verified (or when it was written).
    var verifiedBase = FileIO.Signature.missing

    static func == (a: IndexState, b: IndexState) -> Bool {
        a.encoded() == b.encoded()
    }

    func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.u32(Self.version)
        w.string(commit ?? "")
        w.u32(UInt32(dirtyPaths.count))
        for p in dirtyPaths { w.string(p) }
        w.u32(UInt32(deadBaseFiles.count))
        for f in deadBaseFiles { w.u32(f) }
        w.u32(UInt32(directories.count))
        for d in directories { w.string(d.path); w.signature(d.signature) }
        w.u32(UInt32(signatureOverrides.count))
        for o in signatureOverrides { w.string(o.path); w.signature(o.signature) }
        w.i64(notesVerifiedAt)
        w.i64(updatedAt)
        w.i64(rebuiltAt)
        w.signature(verifiedBase)
        return w.bytes
    }

    init() {}

    init(decoding bytes: UnsafeBufferPointer<UInt8>) throws {
        var r = ByteReader(bytes)
        guard try r.u32() == Self.version else { throw SnapshotCorrupt(reason: "unknown state version") }
        let c = try r.string()
        commit = c.isEmpty ? nil : c
        for _ in 0..<(try r.count()) { dirtyPaths.append(try r.string()) }
        for _ in 0..<(try r.count()) { deadBaseFiles.append(try r.u32()) }
        for _ in 0..<(try r.count()) { directories.append((try r.string(), try r.signature())) }
        for _ in 0..<(try r.count()) { signatureOverrides.append((try r.string(), try r.signature())) }
        notesVerifiedAt = try r.i64()
        updatedAt = try r.i64()
        rebuiltAt = try r.i64()
        verifiedBase = try r.signature()
    }
}

struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ s: String) {
        u32(UInt32(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }
    mutating func signature(_ s: FileIO.Signature) {
        i64(s.size)
        i64(s.mtimeNanoseconds)
        u64(s.inode)
    }
}

struct ByteReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0
    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private mutating func take(_ n: Int) throws -> UnsafeBufferPointer<UInt8> {
        guard n >= 0, n <= bytes.count - at else { throw SnapshotCorrupt(reason: "state is truncated") }
        defer { at += n }
        return UnsafeBufferPointer(rebasing: bytes[at..<(at + n)])
    }
    mutating func u32() throws -> UInt32 {
        UInt32(littleEndian: UnsafeRawBufferPointer(try take(4)).loadUnaligned(as: UInt32.self))
    }
    mutating func i64() throws -> Int64 {
        Int64(littleEndian: UnsafeRawBufferPointer(try take(8)).loadUnaligned(as: Int64.self))
    }
    mutating func u64() throws -> UInt64 {
        UInt64(littleEndian: UnsafeRawBufferPointer(try take(8)).loadUnaligned(as: UInt64.self))
    }
    mutating func count() throws -> Int {
        let n = Int(try u32())
        guard n <= bytes.count else { throw SnapshotCorrupt(reason: "state has an impossible count") }
        return n
    }
    mutating func string() throws -> String {
        String(decoding: try take(Int(try u32())), as: UTF8.self)
    }
    mutating func signature() throws -> FileIO.Signature {
        FileIO.Signature(size: try i64(), mtimeNanoseconds: try i64(), inode: try u64())
    }
}
