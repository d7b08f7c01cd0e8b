import CGitFast
import Foundation

/// Where SHA-1 stood at every 256 KiB of the index cmem last wrote, so that the next rewrite hashes only
/// from the first byte that changed.
///
/// The index ends with a SHA-1 of all its bytes, which git and libgit2 check on every read. A write of
/// one event changes a single entry near the end (timeline paths sort after decisions and sessions), so
/// hashing the whole 2.3 MB index of a 1M-event memory again is most of the work: about 1 ms here.
/// The states belong to one index, named by its own trailing checksum; they are used only when the
/// index on disk still ends with that checksum, so its bytes are exactly those the states were taken
/// over. The record is a `CacheRecord`; anything that does not check out is ignored and the whole index
/// is hashed.
struct IndexChecksumCache {
    static let stride = 256 * 1024

    struct State {
        let offset: Int
        let h: [UInt32]
    }

    /// The checksum of the index the states were taken over.
    let trailer: [UInt8]
    let states: [State]
    /// How many leading bytes of the index being rewritten are known to equal that index.
    var validPrefix = Int.max

    static func path(gitDir: String) -> String { gitDir + "cmem/index-sha1" }
    /// A hard link to the index cmem last wrote, kept so that after git rewrites the index (a commit, or
    /// a `git status` refreshing stat data) the unchanged part can be found by comparing bytes.
    static func writtenPath(gitDir: String) -> String { gitDir + "cmem/index-written" }

    static let tag = "cmem-index-sha1 2"

    /// The states that apply to `current`, the index about to be rewritten: all of them when it is the
    /// index they were taken over; else those before the first byte where it differs from that index,
    /// found through the hard link; none when neither checks out.
    static func load(gitDir: String, current: UnsafeRawBufferPointer) -> IndexChecksumCache? {
        guard current.count >= 20, let body = CacheRecord.read(path(gitDir: gitDir), tag: tag) else { return nil }
        let lines = body.split(separator: "\n")
        guard let first = lines.first, let recorded = ObjectID(hex: String(first))?.bytes else { return nil }
        var states: [State] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count == 6, let offset = Int(fields[0]), offset > 0, offset % stride == 0 else { return nil }
            let h = fields.dropFirst().compactMap { UInt32($0, radix: 16) }
            guard h.count == 5 else { return nil }
            states.append(State(offset: offset, h: h))
        }
        var cache = IndexChecksumCache(trailer: recorded, states: states)
        if !current.suffix(20).elementsEqual(recorded) {
            cache.validPrefix = commonPrefix(current, withIndexAt: writtenPath(gitDir: gitDir), trailer: recorded)
        }
        return cache
    }

    /// The length of the common prefix of `current` and the file at `path`, provided that file ends with
    /// `trailer` (0 otherwise).
    static func commonPrefix(_ current: UnsafeRawBufferPointer, withIndexAt path: String, trailer: [UInt8]) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size >= 32 else { return 0 }
        let size = Int(st.st_size)
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else { return 0 }
        defer { munmap(map, size) }
        let old = UnsafeRawBufferPointer(start: map, count: size)
        guard old.suffix(20).elementsEqual(trailer) else { return 0 }
        let limit = min(old.count, current.count) - 20
        var equal = 0
        let chunk = 64 * 1024
        while equal < limit {
            let n = min(chunk, limit - equal)
            if memcmp(old.baseAddress! + equal, current.baseAddress! + equal, n) != 0 {
                while equal < limit, old[equal] == current[equal] { equal += 1 }
                return equal
            }
            equal += n
        }
        return equal
    }

    /// Written after the new index is in place; not synced (a lost record only costs a hash).
    func store(gitDir: String) {
        var body = ObjectID(raw: trailer).hex + "\n"
        for s in states { body += "\(s.offset) " + s.h.map { String($0, radix: 16) }.joined(separator: " ") + "\n" }
        CacheRecord.write(body, tag: Self.tag, to: Self.path(gitDir: gitDir))
        Self.keepWritten(gitDir: gitDir)
    }

    /// Points the hard link at the index now in place. The index it pointed at may have had no other
    /// name left: held open across the rename, it is freed on a background thread.
    static func keepWritten(gitDir: String) {
        let link = writtenPath(gitDir: gitDir)
        let tmp = link + ".\(getpid()).tmp"
        unlink(tmp)
        guard Glibc.link(gitDir + "index", tmp) == 0 else { return }
        let previous = open(link, O_RDONLY | O_CLOEXEC)
        if rename(tmp, link) != 0 { unlink(tmp) }
        if previous >= 0 { DeferredRelease.close(previous) }
    }
}

/// Hashes the new index as it is written, starting from a cached state when the bytes before it are
/// unchanged, and keeps the states at every stride for the next write.
struct IndexChecksumWriter {
    private var hasher: SHA1.Hasher
    private var states: [IndexChecksumCache.State]
    /// Output bytes seen so far (hashed or skipped).
    private var position = 0
    /// Bytes before this offset were hashed by an earlier write.
    let resumeAt: Int

    /// `unchanged`: how many leading bytes the new index shares with the old one.
    init(cache: IndexChecksumCache?, unchanged: Int) {
        let known = min(unchanged, cache?.validPrefix ?? 0)
        let usable = cache?.states.filter { $0.offset <= known } ?? []
        if let last = usable.last {
            hasher = SHA1.Hasher(resuming: last.h, length: last.offset)
            resumeAt = last.offset
        } else {
            hasher = SHA1.Hasher()
            resumeAt = 0
        }
        states = usable
    }

    mutating func update(_ raw: UnsafeRawBufferPointer) {
        var start = 0
        if position < resumeAt {
            start = min(raw.count, resumeAt - position)
            position += start
        }
        while start < raw.count {
            let toBoundary = IndexChecksumCache.stride - position % IndexChecksumCache.stride
            let n = min(toBoundary, raw.count - start)
            hasher.update(UnsafeRawBufferPointer(rebasing: raw[start..<(start + n)]))
            start += n
            position += n
            if position % IndexChecksumCache.stride == 0, let h = hasher.midstate {
                states.append(.init(offset: position, h: h))
            }
        }
    }

    mutating func finish() -> (digest: [UInt8], cache: IndexChecksumCache) {
        let digest = hasher.finish()
        return (digest, IndexChecksumCache(trailer: digest, states: states))
    }
}
