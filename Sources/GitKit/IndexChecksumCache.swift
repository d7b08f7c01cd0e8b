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

    static func path(gitDir: String) -> String { gitDir + "cmem/index-sha1" }

    static let tag = "cmem-index-sha1 2"

    /// The record, if it is whole and belongs to an index ending with `trailer`.
    static func load(gitDir: String, trailer: [UInt8]) -> IndexChecksumCache? {
        guard let body = CacheRecord.read(path(gitDir: gitDir), tag: tag) else { return nil }
        let lines = body.split(separator: "\n")
        guard let first = lines.first, first == ObjectID(raw: trailer).hex[...] else { return nil }
        var states: [State] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count == 6, let offset = Int(fields[0]), offset > 0, offset % stride == 0 else { return nil }
            let h = fields.dropFirst().compactMap { UInt32($0, radix: 16) }
            guard h.count == 5 else { return nil }
            states.append(State(offset: offset, h: h))
        }
        return IndexChecksumCache(trailer: trailer, states: states)
    }

    /// Written after the new index is in place; not synced (a lost record only costs a hash).
    func store(gitDir: String) {
        var body = ObjectID(raw: trailer).hex + "\n"
        for s in states { body += "\(s.offset) " + s.h.map { String($0, radix: 16) }.joined(separator: " ") + "\n" }
        CacheRecord.write(body, tag: Self.tag, to: Self.path(gitDir: gitDir))
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
        let usable = cache?.states.filter { $0.offset <= unchanged } ?? []
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
