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
/// over. The record is a machine-local cache in `.git/cmem/` with a crc32 over it; anything that does
/// not check out is ignored and the whole index is hashed.
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

    /// The record, if it is whole and belongs to an index ending with `trailer`.
    static func load(gitDir: String, trailer: [UInt8]) -> IndexChecksumCache? {
        guard let text = try? String(contentsOfFile: path(gitDir: gitDir), encoding: .utf8) else { return nil }
        guard let newline = text.firstIndex(of: "\n") else { return nil }
        let head = text[..<newline].split(separator: " ")
        let body = text[text.index(after: newline)...]
        guard head.count == 4, head[0] == "cmem-index-sha1", head[1] == "1",
              head[2] == ObjectID(raw: trailer).hex[...],
              let crc = UInt32(head[3]), crc == Self.crc(Substring(body)) else { return nil }
        var states: [State] = []
        for line in body.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 6, let offset = Int(fields[0]), offset > 0, offset % stride == 0 else { return nil }
            let h = fields.dropFirst().compactMap { UInt32($0, radix: 16) }
            guard h.count == 5 else { return nil }
            states.append(State(offset: offset, h: h))
        }
        return IndexChecksumCache(trailer: trailer, states: states)
    }

    /// Written beside the new index, after it is in place; not synced (a lost record only costs a hash).
    func store(gitDir: String) {
        var body = ""
        for s in states { body += "\(s.offset) " + s.h.map { String($0, radix: 16) }.joined(separator: " ") + "\n" }
        let text = "cmem-index-sha1 1 \(ObjectID(raw: trailer).hex) \(Self.crc(Substring(body)))\n" + body
        let target = Self.path(gitDir: gitDir)
        let tmp = "\(target).\(getpid()).tmp"
        var fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0, errno == ENOENT {
            try? FileManager.default.createDirectory(atPath: gitDir + "cmem", withIntermediateDirectories: true)
            fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { return }
        var bytes = text
        let ok = bytes.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
        close(fd)
        if !ok || rename(tmp, target) != 0 { unlink(tmp) }
    }

    static func crc(_ text: Substring) -> UInt32 {
        var copy = String(text)
        return copy.withUTF8 { cgf_crc32(0, $0.baseAddress, $0.count) }
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
