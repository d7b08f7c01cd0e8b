import CGitFast
import Foundation

/// Writes blobs as loose objects whose deflate stream is cut into independent segments, one per 64 KiB
/// of content, so that the next version of an appended-to file reuses every unchanged segment's
/// compressed bytes instead of compressing the whole file again.
///
/// A day file of the timeline grows to megabytes and every event appends to it; git stores each version
/// whole, and compressing 1.2 MB at zlib level 1 costs about 14 ms here, more than the rest of a write.
/// Each segment is compressed from an empty window and ends on a full flush, so any run of segments is
/// valid deflate data on its own. The result is an ordinary zlib stream: git, libgit2 and `git gc` read
/// it like any other loose object.
///
/// Which segments an object holds is remembered in `.git/cmem/segments/` (machine-local). A segment is
/// reused only when its CRC-32C and length match the new content and the old object file is present and
/// whole; anything else compresses afresh. The stream's adler32 is combined from the segments' own.
struct SegmentedBlobWriter {
    static let segmentSize = 64 * 1024
    /// Version 3: a `CacheRecord` with each segment's end, CRC-32C and adler32. Older records are ignored.
    static let recordTag = "cmem-segments 3"
    /// Smaller files are compressed in one piece and leave no record: there is little to reuse.
    static let minimumSegmentedSize = 2 * segmentSize

    let objectsDir: String
    let recordDir: String

    init(gitDir: String) {
        objectsDir = gitDir + "objects"
        recordDir = gitDir + "cmem/segments"
    }

    struct Result {
        let id: [UInt8]
        /// Content bytes whose compressed form was copied from the previous version.
        let reusedBytes: Int
    }

    /// Writes `content` as a blob for the file at `path` (the path only names the record of segments)
    /// and returns its id. An object that already exists is left alone.
    func write(path: String, content: [UInt8]) throws -> Result {
        let header = Array("blob \(content.count)\0".utf8)
        let id = content.withUnsafeBytes { SHA1.blobID($0) }
        let hex = ObjectID(raw: id).hex
        let objectPath = "\(objectsDir)/\(hex.prefix(2))/\(hex.dropFirst(2))"
        if access(objectPath, F_OK) == 0 { return Result(id: id, reusedBytes: 0) }

        let segmented = content.count >= Self.minimumSegmentedSize
        let recordPath = recordDir + "/" + ObjectID(raw: Array(path.utf8).withUnsafeBytes { SHA1.digest($0) }).hex
        let previous = segmented ? reusable(recordPath: recordPath, content: content) : nil

        // One buffer, sized for the worst case and never zero-filled: fresh pages are the dearest part of
        // handling a large file.
        let capacity = 2 + cgf_deflate_bound(header.count) + cgf_deflate_bound(content.count)
            + (content.count / Self.segmentSize + 1) * 64 + (previous?.length ?? 0) + 4
        var ends: [Int] = []
        var crcs: [UInt32] = []
        var adlers: [UInt32] = []
        var headerEnd = 0
        var failed = false
        var reused = 0
        let out = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let base = buffer.baseAddress!
            base[0] = 0x78
            base[1] = 0x01
            count = 2
            func segment(_ input: UnsafeRawBufferPointer, final: Bool) {
                let n = cgf_deflate_segment(input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, 1, final ? 1 : 0,
                                            base + count, capacity - count)
                if n < 0 { failed = true } else { count += n }
            }
            header.withUnsafeBytes { segment($0, final: false) }
            headerEnd = count
            // The stream's adler32 is put together from the pieces': the reused segments' come from the record.
            var adler = header.withUnsafeBytes { cgf_adler32(1, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), $0.count) }
            let full = segmented ? content.count / Self.segmentSize : 0
            if let previous, previous.copy(into: base + count) {
                for i in 0..<previous.count {
                    ends.append(headerEnd + previous.ends[i] - previous.oldHeaderEnd)
                    crcs.append(previous.crcs[i])
                    adlers.append(previous.adlers[i])
                    adler = cgf_adler32_combine(adler, previous.adlers[i], Self.segmentSize)
                }
                count += previous.length
                reused = previous.count
            }
            content.withUnsafeBytes { raw in
                for i in reused..<full where !failed {
                    let chunk = UnsafeRawBufferPointer(rebasing: raw[(i * Self.segmentSize)..<((i + 1) * Self.segmentSize)])
                    let bytes = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    segment(chunk, final: false)
                    ends.append(count)
                    crcs.append(cgf_crc32c(0, bytes, chunk.count))
                    let a = cgf_adler32(1, bytes, chunk.count)
                    adlers.append(a)
                    adler = cgf_adler32_combine(adler, a, chunk.count)
                }
                let tail = UnsafeRawBufferPointer(rebasing: raw[(full * Self.segmentSize)...])
                if !failed { segment(tail, final: true) }
                adler = cgf_adler32_combine(adler, cgf_adler32(1, tail.baseAddress?.assumingMemoryBound(to: UInt8.self), tail.count), tail.count)
            }
            if !failed, count + 4 <= capacity {
                for shift in [24, 16, 8, 0] {
                    base[count] = UInt8(truncatingIfNeeded: adler >> UInt32(shift))
                    count += 1
                }
            } else {
                failed = true
            }
        }
        guard !failed else { throw SystemError.zlib(call: "deflate", path: objectPath) }

        try Self.storeObject(out, at: objectPath)
        if segmented {
            var record = "\(hex) \(content.count) \(Self.segmentSize) \(headerEnd) \(out.count)\n"
            for i in ends.indices { record += "\(ends[i]) \(crcs[i]) \(adlers[i])\n" }
            CacheRecord.write(record, tag: Self.recordTag, to: recordPath)
        }
        return Result(id: id, reusedBytes: reused * Self.segmentSize)
    }

    private struct Reuse {
        /// How many leading segments match, and the length of their compressed bytes in the old object.
        let count: Int
        let length: Int
        let ends: [Int]
        let crcs: [UInt32]
        let adlers: [UInt32]
        /// Where the old object's first content segment began (its ends are rebased from there).
        let oldHeaderEnd: Int
        let oldPath: String
        let oldSize: Int

        /// Reads the reused compressed bytes from the old object straight into the new one's buffer.
        func copy(into destination: UnsafeMutablePointer<UInt8>) -> Bool {
            let fd = open(oldPath, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0, Int(st.st_size) == oldSize else { return false }
            var done = 0
            while done < length {
                let n = pread(fd, destination + done, length - done, off_t(oldHeaderEnd + done))
                if n < 0, errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
    }

    /// The leading segments of the previous version that the new content still has, byte for byte.
    private func reusable(recordPath: String, content: [UInt8]) -> Reuse? {
        guard let text = CacheRecord.read(recordPath, tag: Self.recordTag) else { return nil }
        let lines = text.split(separator: "\n")
        guard let first = lines.first else { return nil }
        let fields = first.split(separator: " ")
        guard fields.count == 5,
              let oldHex = ObjectID(hex: String(fields[0]))?.hex,
              Int(fields[2]) == Self.segmentSize,
              let headerEnd = Int(fields[3]), let fileSize = Int(fields[4]) else { return nil }
        var ends: [Int] = []
        var crcs: [UInt32] = []
        var adlers: [UInt32] = []
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let end = Int(parts[0]), let crc = UInt32(parts[1]), let adler = UInt32(parts[2]) else { return nil }
            ends.append(end)
            crcs.append(crc)
            adlers.append(adler)
        }
        var matching = 0
        content.withUnsafeBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            while matching < crcs.count, (matching + 1) * Self.segmentSize <= content.count {
                guard cgf_crc32c(0, base + matching * Self.segmentSize, Self.segmentSize) == crcs[matching] else { break }
                matching += 1
            }
        }
        guard matching > 0 else { return nil }
        guard headerEnd > 2, ends[0] > headerEnd, ends[matching - 1] <= fileSize,
              zip(ends, ends.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        return Reuse(count: matching, length: ends[matching - 1] - headerEnd, ends: Array(ends.prefix(matching)),
                     crcs: Array(crcs.prefix(matching)), adlers: Array(adlers.prefix(matching)), oldHeaderEnd: headerEnd,
                     oldPath: "\(objectsDir)/\(oldHex.prefix(2))/\(oldHex.dropFirst(2))", oldSize: fileSize)
    }

    /// Writes a loose object the way git does: a temporary file in the objects folder, made read-only
    /// and linked to its name, so a reader never sees part of one.
    static func storeObject(_ bytes: [UInt8], at path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        mkdir(dir, 0o755)
        let tmp = "\(dir)/tmp_obj_cmem_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw SystemError.posix("open", tmp) }
        var failure: SystemError?
        if !bytes.withUnsafeBytes({ writeAll(fd, $0) }) { failure = .posix("write", tmp) }
        close(fd)
        if failure == nil, link(tmp, path) != 0, errno != EEXIST { failure = .posix("link", path) }
        unlink(tmp)
        if let failure { throw failure }
    }
}
