#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// The files a snapshot is made of, in `.git/cmem/index/`: `base.cmx` (the bulk, rewritten only by a compaction)
/// and `delta.cmx` (the files changed since, plus the state: commit, dirty files, signatures; rewritten on
/// every update). Both have the same shape: a 64-byte header, then a segment payload.
///
/// Header (little-endian):
///
///     0  magic "CMEMIDX" 0x1A      32 buildID (random per file)
///     8  format version (UInt32)   40 baseBuildID (delta: the base it goes with)
///     12 role: 1 base, 2 delta     48 reserved
///     16 payload length (UInt64)   56 header checksum (of bytes 0..<56)
///     24 payload checksum
///
/// A file is used only if its size, magic, version, role and both checksums agree; anything else is
/// reported and rebuilt. The payload checksum hashes 4 MiB blocks on all cores and then the block hashes.
enum SnapshotFile {
    static let magic: [UInt8] = [0x43, 0x4D, 0x45, 0x4D, 0x49, 0x44, 0x58, 0x1A] // "CMEMIDX\x1A"
    static let version: UInt32 = 3
    static let headerSize = 64

    enum Role: UInt32 {
        case base = 1, delta = 2
    }

    struct Header {
        var role: Role
        var payloadLength: UInt64
        var payloadChecksum: UInt64
        var buildID: UInt64
        var baseBuildID: UInt64
    }

    struct Loaded {
        var segment: Segment
        var header: Header
        var bytes: Int
        /// The file's signature when it was read (or written).
        var signature: FileIO.Signature
    }

    // MARK: Writing

    /// Lays out `arrays` as a payload.
    static func payloadLayout(_ arrays: SegmentArrays) -> (directory: [UInt8], offsets: [Int], total: Int) {
        let lengths = arrays.sectionLengths
        let dirSize = 8 + lengths.count * 16
        var offsets: [Int] = []
        var at = align8(dirSize)
        for l in lengths {
            offsets.append(at)
            at = align8(at + l)
        }
        var dir = [UInt8](repeating: 0, count: dirSize)
        dir.withUnsafeMutableBytes { d in
            d.storeBytes(of: UInt32(lengths.count).littleEndian, toByteOffset: 0, as: UInt32.self)
            for (i, l) in lengths.enumerated() {
                d.storeBytes(of: UInt64(offsets[i]).littleEndian, toByteOffset: 8 + i * 16, as: UInt64.self)
                d.storeBytes(of: UInt64(l).littleEndian, toByteOffset: 16 + i * 16, as: UInt64.self)
            }
        }
        return (dir, offsets, at)
    }

    /// A segment in memory only (when the snapshot cannot be written).
    static func inMemory(_ arrays: SegmentArrays) throws -> Segment {
        let (dir, offsets, total) = payloadLayout(arrays)
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(total, 8), alignment: 16)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: total)
        dir.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        var i = 0
        arrays.forEachSection { bytes in
            if bytes.count > 0 { (p + offsets[i]).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            i += 1
        }
        let storage = SegmentStorage(copying: UnsafeRawBufferPointer(start: p, count: total))
        p.deallocate()
        return try Segment(storage: storage, payloadOffset: 0, payloadLength: total)
    }

    /// Writes `arrays` to `path` (through a temporary file and a rename) and returns the segment mapped
    /// from the written file. Once written, the arrays are released (set to nil) before the file is mapped,
    /// so that a million documents are not in memory twice.
    static func write(_ arrays: inout SegmentArrays?, role: Role, buildID: UInt64, baseBuildID: UInt64, to path: String) throws -> Loaded {
        guard let written = arrays else { throw SnapshotCorrupt(reason: "nothing to write") }
        let (dir, offsets, total) = payloadLayout(written)
        let temp = path + ".tmp.\(getpid())"
        let fd = open(temp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileIO.Failure(path: temp, operation: "create", errno: errno) }
        var renamed = false
        defer {
            close(fd)
            if !renamed { unlink(temp) }
        }
        var writer = BufferedWriter(fd: fd, path: temp)
        try writer.zeros(headerSize)
        try dir.withUnsafeBytes { try writer.write($0) }
        var position = dir.count
        var i = 0
        try written.forEachSection { bytes in
            try writer.zeros(offsets[i] - position)
            try writer.write(bytes)
            position = offsets[i] + bytes.count
            i += 1
        }
        try writer.zeros(total - position)
        try writer.flush()
        _ = consume written
        arrays = nil
        releaseFreeMemory()

        let fileSize = headerSize + total
        guard let map = mmap(nil, fileSize, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            throw FileIO.Failure(path: temp, operation: "mmap", errno: errno)
        }
        let storage = SegmentStorage(mapping: UnsafeRawPointer(map), count: fileSize)
        let checksum = payloadChecksum(UnsafeRawBufferPointer(start: storage.base + headerSize, count: total))
        let header = Header(role: role, payloadLength: UInt64(total), payloadChecksum: checksum, buildID: buildID, baseBuildID: baseBuildID)
        let headerBytes = encode(header)
        let n = headerBytes.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
        guard n == headerSize else { throw FileIO.Failure(path: temp, operation: "write header", errno: errno) }
        var st = stat()
        let signature = fstat(fd, &st) == 0 ? FileIO.signature(of: st) : .missing
        guard rename(temp, path) == 0 else { throw FileIO.Failure(path: path, operation: "rename", errno: errno) }
        renamed = true
        let segment = try Segment(storage: storage, payloadOffset: headerSize, payloadLength: total)
        return Loaded(segment: segment, header: header, bytes: fileSize, signature: signature)
    }

    static func encode(_ h: Header) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: headerSize)
        b.withUnsafeMutableBytes { d in
            for (i, m) in magic.enumerated() { d[i] = m }
            d.storeBytes(of: version.littleEndian, toByteOffset: 8, as: UInt32.self)
            d.storeBytes(of: h.role.rawValue.littleEndian, toByteOffset: 12, as: UInt32.self)
            d.storeBytes(of: h.payloadLength.littleEndian, toByteOffset: 16, as: UInt64.self)
            d.storeBytes(of: h.payloadChecksum.littleEndian, toByteOffset: 24, as: UInt64.self)
            d.storeBytes(of: h.buildID.littleEndian, toByteOffset: 32, as: UInt64.self)
            d.storeBytes(of: h.baseBuildID.littleEndian, toByteOffset: 40, as: UInt64.self)
            let sum = contentHash(UnsafeBufferPointer(start: d.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 56))
            d.storeBytes(of: sum.littleEndian, toByteOffset: 56, as: UInt64.self)
        }
        return b
    }

    // MARK: Reading

    /// Maps and verifies a snapshot file. Throws `SnapshotCorrupt` for anything that is not a complete,
    /// intact snapshot of this format and role; returns nil when there is no file.
    ///
    /// The payload checksum is skipped when `verified` is the file's current signature: the state records
    /// the signature of the base it verified (or wrote), and any write to the file, in place or by
    /// replacement, changes it. That saves hashing 140 MB on every open of a large index.
    static func read(_ path: String, role: Role, verified: FileIO.Signature? = nil) throws -> Loaded? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SnapshotCorrupt(reason: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SnapshotCorrupt(reason: "cannot stat \(path)") }
        let size = Int(st.st_size)
        let signature = FileIO.signature(of: st)
        guard size >= headerSize else { throw SnapshotCorrupt(reason: "\(path) is truncated (\(size) bytes)") }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw SnapshotCorrupt(reason: "cannot map \(path)")
        }
        let storage = SegmentStorage(mapping: UnsafeRawPointer(map), count: size)
        let h = UnsafeRawBufferPointer(start: storage.base, count: headerSize)
        guard Array(h[0..<8]) == magic else { throw SnapshotCorrupt(reason: "\(path) is not a cmem index snapshot") }
        let v = UInt32(littleEndian: h.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard v == version else { throw SnapshotCorrupt(reason: "\(path) has format version \(v), this cmem reads \(version)") }
        let sum = contentHash(UnsafeBufferPointer(start: storage.base.assumingMemoryBound(to: UInt8.self), count: 56))
        guard UInt64(littleEndian: h.loadUnaligned(fromByteOffset: 56, as: UInt64.self)) == sum else {
            throw SnapshotCorrupt(reason: "\(path) has a damaged header")
        }
        let r = UInt32(littleEndian: h.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        guard let fileRole = Role(rawValue: r), fileRole == role else { throw SnapshotCorrupt(reason: "\(path) has the wrong role") }
        let header = Header(role: fileRole,
                            payloadLength: UInt64(littleEndian: h.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                            payloadChecksum: UInt64(littleEndian: h.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
                            buildID: UInt64(littleEndian: h.loadUnaligned(fromByteOffset: 32, as: UInt64.self)),
                            baseBuildID: UInt64(littleEndian: h.loadUnaligned(fromByteOffset: 40, as: UInt64.self)))
        guard header.payloadLength == UInt64(size - headerSize) else {
            throw SnapshotCorrupt(reason: "\(path) is truncated or padded (\(size) bytes, header says \(header.payloadLength + 64))")
        }
        let payload = UnsafeRawBufferPointer(start: storage.base + headerSize, count: size - headerSize)
        if verified != signature || signature.mtimeNanoseconds == 0 {
            guard payloadChecksum(payload) == header.payloadChecksum else {
                throw SnapshotCorrupt(reason: "\(path) fails its checksum")
            }
        }
        let segment = try Segment(storage: storage, payloadOffset: headerSize, payloadLength: size - headerSize)
        return Loaded(segment: segment, header: header, bytes: size, signature: signature)
    }

    // MARK: Checksum

    static let checksumBlock = 4 << 20

    /// Hashes 4 MiB blocks in parallel, then the list of block hashes.
    static func payloadChecksum(_ payload: UnsafeRawBufferPointer) -> UInt64 {
        let n = payload.count
        let blocks = max(1, (n + checksumBlock - 1) / checksumBlock)
        let sums = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: blocks)
        defer { sums.deallocate() }
        let base = payload.baseAddress
        let work = { (i: Int) in
            let s = i * checksumBlock
            let e = min(n, s + checksumBlock)
            sums[i] = base.map { contentHash(UnsafeBufferPointer(start: ($0 + s).assumingMemoryBound(to: UInt8.self), count: e - s)) } ?? 0
        }
        if blocks >= 4 {
            let box = UncheckedSendable(work)
            DispatchQueue.concurrentPerform(iterations: blocks) { box.value($0) }
        } else {
            for i in 0..<blocks { work(i) }
        }
        return contentHash(UnsafeBufferPointer(UnsafeMutableRawBufferPointer(sums).bindMemory(to: UInt8.self)))
    }
}

private func align8(_ v: Int) -> Int { (v + 7) & ~7 }

/// Batches small writes; large ones go straight to the kernel.
struct BufferedWriter {
    let fd: Int32
    let path: String
    private var buffer: [UInt8] = []

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        buffer.reserveCapacity(1 << 16)
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        if bytes.count >= 1 << 15 {
            try flush()
            try raw(bytes)
        } else {
            buffer.append(contentsOf: bytes)
            if buffer.count >= 1 << 16 { try flush() }
        }
    }

    mutating func zeros(_ n: Int) throws {
        guard n > 0 else { return }
        buffer.append(contentsOf: repeatElement(0, count: n))
        if buffer.count >= 1 << 16 { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try raw($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func raw(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = sysWrite(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIO.Failure(path: path, operation: "write", errno: errno)
            }
            done += n
        }
    }
}

/// Wraps a value for a synchronous parallel loop whose iterations touch disjoint memory.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

@inline(__always) private func sysWrite(_ fd: Int32, _ buf: UnsafeRawPointer, _ n: Int) -> Int { write(fd, buf, n) }

/// Hands memory freed by a large build back to the system (glibc keeps it otherwise).
func releaseFreeMemory() {
    #if os(Linux) && canImport(Glibc)
    _ = glibcMallocTrim(0)
    #endif
}

#if os(Linux) && canImport(Glibc)
/// glibc's `malloc_trim` (declared in <malloc.h>, which the Glibc module does not export).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
