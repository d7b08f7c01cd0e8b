import CLibGit2
import Foundation

/// Rewrites entries of the git index (`.git/index`) in one pass over its bytes, for the fast commit path.
///
/// libgit2 reads the whole index into entry objects, verifies its checksum with the slow collision-detecting
/// SHA-1, and writes it all back: on a memory of 30,000 notes that is most of the cost of a one-line write.
/// Here untouched entries are copied as bytes, only the written paths are re-encoded, and the cache-tree
/// nodes above them are invalidated, as git does. Index versions 2, 3 and 4 are handled (format:
/// git's Documentation/gitformat-index.txt). Anything unusual (a conflict on a written path, a split or
/// sparse index, an extension not known to be safe to keep) is declined, and the caller lets libgit2 do it.
enum IndexFile {
    struct Entry {
        let path: [UInt8]
        let id: [UInt8]
        let mode: UInt32
        /// The file's stat after it was written; nil removes the entry.
        let stat: stat?
    }

    enum Outcome: Equatable {
        /// Written; the checksum was computed from byte `hashedFrom` on (earlier bytes came from the cache).
        case written(hashedFrom: Int)
        case declined(String)
    }

    /// What the index held for a written path before the update: its blob id and the stat data git
    /// recorded (which tell whether the file still held that blob when it was replaced).
    struct Replaced: Equatable {
        let path: [UInt8]
        let id: [UInt8]
        let identity: FileIdentity
    }

    /// Takes git's `index.lock` (waiting briefly for a human's git to finish), rewrites, renames into place.
    static func update(gitDir: String, entries: [Entry]) throws -> Outcome {
        var replaced: [Replaced] = []
        return try update(gitDir: gitDir, entries: entries, replaced: &replaced)
    }

    /// `update`, also giving the entries it replaced.
    static func update(gitDir: String, entries: [Entry], replaced: inout [Replaced]) throws -> Outcome {
        let indexPath = gitDir + "index"
        let lockPath = indexPath + ".lock"
        var fd: Int32 = -1
        for attempt in 0..<100 {
            fd = open(lockPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
            if attempt == 99 { break }
            usleep(20_000)
        }
        guard fd >= 0 else {
            if errno == EEXIST {
                // What libgit2's own index writer reports for the same lock, so that a caller sees one
                // error whichever writer ran.
                throw GitError(code: .locked, errorClass: .index,
                               message: "\(lockPath) exists: another git process is writing the index", function: "IndexFile.update")
            }
            throw SystemError.posix("open", lockPath)
        }
        var renamed = false
        defer {
            if fd >= 0 { close(fd) }
            if !renamed { unlink(lockPath) }
        }
        let input = open(indexPath, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return .declined("no index file") }
        var released = false
        defer { if !released { close(input) } }
        var st = stat()
        guard fstat(input, &st) == 0, st.st_size >= 32 else { return .declined("the index is too short") }
        let size = Int(st.st_size)
        // Mapped, not read: the pages come straight from the page cache, with no copy to fill.
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, input, 0), map != MAP_FAILED else {
            return .declined("cannot map the index")
        }
        defer { if !released { munmap(map, size) } }
        let data = UnsafeRawBufferPointer(start: map, count: size)
        let pieces: [Piece]
        do {
            var rewriter = try Rewriter(data: data, updates: entries)
            pieces = try rewriter.run()
            replaced = rewriter.replaced
        } catch let d as Declined {
            return .declined(d.message)
        }
        var checksum = IndexChecksumWriter(cache: IndexChecksumCache.load(gitDir: gitDir, current: data),
                                           unchanged: Self.unchangedPrefix(pieces, data))
        var ok = true
        var failure: Int32 = 0
        func emit(_ raw: UnsafeRawBufferPointer) {
            checksum.update(raw)
            if ok, !writeAll(fd, raw) {
                ok = false
                failure = errno
            }
        }
        for piece in pieces {
            switch piece {
            case let .source(range): emit(UnsafeRawBufferPointer(rebasing: data[range]))
            case let .bytes(bytes): bytes.withUnsafeBytes { emit($0) }
            }
        }
        let (digest, cache) = checksum.finish()
        if ok, !digest.withUnsafeBytes({ writeAll(fd, $0) }) {
            ok = false
            failure = errno
        }
        close(fd)
        fd = -1
        guard ok else { throw SystemError.posix(errno: failure, call: "write", path: lockPath) }
        guard rename(lockPath, indexPath) == 0 else { throw SystemError.posix("rename", indexPath) }
        renamed = true
        // The old index is unlinked now; freeing its pages takes a while and can go on beside the commit.
        released = true
        DeferredRelease.close(input, unmapping: map, length: size)
        cache.store(gitDir: gitDir)
        return .written(hashedFrom: checksum.resumeAt)
    }

    /// How many leading bytes of the new index (the pieces, in order) equal the old index's.
    static func unchangedPrefix(_ pieces: [Piece], _ old: UnsafeRawBufferPointer) -> Int {
        var length = 0
        for piece in pieces {
            switch piece {
            case let .bytes(bytes):
                if bytes.isEmpty { continue }
                guard length + bytes.count <= old.count,
                      bytes.withUnsafeBytes({ memcmp($0.baseAddress!, old.baseAddress! + length, bytes.count) }) == 0 else { return length }
                length += bytes.count
            case let .source(range):
                guard range.lowerBound == length else { return length }
                length += range.count
            }
        }
        return length
    }

    struct Declined: Error { let message: String }

    /// The new index: runs of the old file's bytes and new bytes, in order, without the checksum.
    enum Piece {
        case source(Range<Int>)
        case bytes([UInt8])
    }

    /// The new index bytes with their checksum, or why this index is left to libgit2.
    static func rewrite(_ data: [UInt8], _ updates: [Entry]) -> Result<[UInt8], Declined> {
        do {
            return .success(try data.withUnsafeBytes { raw in
                var rewriter = try Rewriter(data: raw, updates: updates)
                var out: [UInt8] = []
                for piece in try rewriter.run() {
                    switch piece {
                    case let .source(range): out += raw[range]
                    case let .bytes(bytes): out += bytes
                    }
                }
                return out + out.withUnsafeBytes { SHA1.digest($0) }
            })
        } catch let d as Declined {
            return .failure(d)
        } catch {
            return .failure(Declined(message: "\(error)"))
        }
    }

    private struct Rewriter {
        let d: UnsafeRawBufferPointer
        let end: Int
        let targets: [Entry]
        /// New bytes not yet added to `pieces`.
        var pending: [UInt8] = []
        var pieces: [Piece] = []
        var version: UInt32 = 0
        /// v4 only: the last path written pending, which the next entry's prefix is relative to.
        var emitted: [UInt8] = []
        var inSync = true
        var count: UInt32 = 0
        var replaced: [Replaced] = []

        init(data: UnsafeRawBufferPointer, updates: [Entry]) throws {
            precondition(data.count >= 20)
            d = data
            end = data.count - 20
            // Sorted by path, the last update of a path winning. (No dictionary: its first use would cost
            // a conformance search of the whole binary, more than sorting a few entries.)
            var sorted: [Entry] = []
            for u in updates.reversed() where !sorted.contains(where: { $0.path == u.path }) { sorted.append(u) }
            targets = sorted.sorted { $0.path.lexicographicallyPrecedes($1.path) }
        }

        func be32(_ at: Int) -> UInt32 {
            UInt32(d[at]) << 24 | UInt32(d[at + 1]) << 16 | UInt32(d[at + 2]) << 8 | UInt32(d[at + 3])
        }

        mutating func put32(_ v: UInt32) {
            pending += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        }

        func fail(_ message: String) -> Declined { Declined(message: message) }

        /// Old bytes, kept as a range of the input (merged with the previous run when adjacent).
        mutating func copy(_ range: Range<Int>) {
            flush()
            if case let .source(last)? = pieces.last, last.upperBound == range.lowerBound {
                pieces[pieces.count - 1] = .source(last.lowerBound..<range.upperBound)
            } else {
                pieces.append(.source(range))
            }
        }

        mutating func flush() {
            guard !pending.isEmpty else { return }
            pieces.append(.bytes(pending))
            pending.removeAll()
        }

        mutating func run() throws -> [Piece] {
            guard d.count >= 32, d[0] == 0x44, d[1] == 0x49, d[2] == 0x52, d[3] == 0x43 else { throw fail("not an index file") }
            version = be32(4)
            guard (2...4).contains(version) else { throw fail("index version \(version)") }
            let entryCount = Int(be32(8))
            let base = d.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var pos = 12
            var t = 0
            // Old bytes from runStart up to the current entry are kept as they are, copied in one piece
            // when something new has to be written.
            var runStart = pos
            // v4: the full paths of the previous and the current entry (prefix compression is relative to
            // the previous one), in two buffers that swap roles.
            let capacity = 1 << 16
            var prev = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            var cur = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            defer { prev.deallocate(); cur.deallocate() }
            var prevLength = 0
            var curLength = 0

            /// Before writing anything new in version 4 while still in step with the old bytes, the last
            /// path written is the previous entry's.
            func syncEmitted(_ r: inout Rewriter) {
                guard r.version == 4, r.inSync else { return }
                r.emitted.removeAll(keepingCapacity: true)
                r.emitted.append(contentsOf: UnsafeBufferPointer(start: prev, count: prevLength))
            }

            for _ in 0..<entryCount {
                let start = pos
                guard pos + 62 <= end else { throw fail("truncated entry") }
                let flags = UInt16(d[pos + 60]) << 8 | UInt16(d[pos + 61])
                let extended = version >= 3 && flags & 0x4000 != 0
                let fixed = 62 + (extended ? 2 : 0)
                let stage = (flags >> 12) & 3
                let name = pos + fixed
                var nameLength = 0
                if version < 4 {
                    nameLength = Int(flags & 0xFFF)
                    if nameLength == 0xFFF {
                        nameLength = 0
                        while name + nameLength < end, d[name + nameLength] != 0 { nameLength += 1 }
                    }
                    guard name + nameLength < end, d[name + nameLength] == 0 else { throw fail("bad entry name") }
                    pos += (fixed + nameLength + 8) & ~7
                    guard pos <= end else { throw fail("truncated entry") }
                } else {
                    var p = pos + fixed
                    guard p < end else { throw fail("truncated entry") }
                    var c = d[p]; p += 1
                    var strip = Int(c & 127)
                    while c & 128 != 0 {
                        guard p < end, strip < 1 << 20 else { throw fail("bad path prefix") }
                        c = d[p]; p += 1
                        strip = ((strip + 1) << 7) + Int(c & 127)
                    }
                    guard let nul = memchr(base + p, 0, end - p) else { throw fail("bad entry name") }
                    let suffixLength = UnsafeRawPointer(nul) - UnsafeRawPointer(base + p)
                    pos = p + suffixLength + 1
                    if t == targets.count && inSync {
                        // Every written path is placed: the rest is copied whole, paths need not be rebuilt.
                        count += 1
                        continue
                    }
                    guard strip <= prevLength else { throw fail("bad path prefix") }
                    curLength = prevLength - strip
                    guard curLength + suffixLength <= capacity else { throw fail("path too long") }
                    cur.update(from: prev, count: curLength)
                    (cur + curLength).update(from: base + p, count: suffixLength)
                    curLength += suffixLength
                }
                if t == targets.count && inSync {
                    count += 1
                    continue
                }
                let namePointer = version < 4 ? UnsafePointer(base + name) : UnsafePointer(cur)
                if version == 4 { nameLength = curLength }
                // Written paths that sort before this entry are new files.
                while t < targets.count, Self.compare(namePointer, nameLength, targets[t].path) > 0 {
                    if targets[t].stat != nil {
                        flushRun(&runStart, to: start)
                        syncEmitted(&self)
                    }
                    insert(targets[t])
                    t += 1
                }
                if t < targets.count, Self.compare(namePointer, nameLength, targets[t].path) == 0 {
                    guard stage == 0, !extended else { throw fail("the index has a conflict or special flags on \(String(decoding: targets[t].path, as: UTF8.self))") }
                    replaced.append(Replaced(path: targets[t].path, id: Array(d[(start + 40)..<(start + 60)]),
                                             identity: FileIdentity(mtime: Int64(be32(start + 8)), mtimeNanoseconds: Int64(be32(start + 12)),
                                                                    inode: UInt64(be32(start + 20)), size: UInt64(be32(start + 36)))))
                    flushRun(&runStart, to: start)
                    syncEmitted(&self)
                    if targets[t].stat != nil {
                        emitNew(targets[t])
                        inSync = true
                    } else {
                        inSync = false
                    }
                    t += 1
                    runStart = pos
                } else if inSync || version < 4 {
                    // Entries before version 4 stand alone: one after a new entry is still kept as it is.
                    inSync = true
                    count += 1
                } else {
                    flushRun(&runStart, to: start)
                    copy(start..<(start + fixed))
                    putName(Array(UnsafeBufferPointer(start: cur, count: curLength)))
                    inSync = true
                    runStart = pos
                    count += 1
                }
                if version == 4 {
                    swap(&prev, &cur)
                    prevLength = curLength
                }
            }
            flushRun(&runStart, to: pos)
            if t < targets.count { syncEmitted(&self) }
            while t < targets.count {
                insert(targets[t])
                t += 1
            }
            try extensions(from: pos)
            flush()
            var header = Array(d[0..<8])
            header += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
            return [.bytes(header)] + pieces
        }

        mutating func flushRun(_ runStart: inout Int, to end: Int) {
            if runStart < end { copy(runStart..<end) }
            runStart = end
        }

        /// Git's order of paths: bytewise, a prefix before what extends it.
        static func compare(_ name: UnsafePointer<UInt8>, _ length: Int, _ path: [UInt8]) -> Int {
            let n = min(length, path.count)
            let c = path.withUnsafeBytes { memcmp(name, $0.baseAddress!, n) }
            if c != 0 { return Int(c) }
            return length - path.count
        }

        mutating func insert(_ e: Entry) {
            guard e.stat != nil else { return } // removing a path the index does not have
            emitNew(e)
            inSync = false
        }

        mutating func emitNew(_ e: Entry) {
            let s = e.stat!
            put32(UInt32(truncatingIfNeeded: s.st_ctim.tv_sec)); put32(UInt32(truncatingIfNeeded: s.st_ctim.tv_nsec))
            put32(UInt32(truncatingIfNeeded: s.st_mtim.tv_sec)); put32(UInt32(truncatingIfNeeded: s.st_mtim.tv_nsec))
            put32(UInt32(truncatingIfNeeded: s.st_dev)); put32(UInt32(truncatingIfNeeded: s.st_ino))
            put32(e.mode)
            put32(UInt32(truncatingIfNeeded: s.st_uid)); put32(UInt32(truncatingIfNeeded: s.st_gid))
            put32(UInt32(truncatingIfNeeded: s.st_size))
            pending += e.id
            let flags = UInt16(min(e.path.count, 0xFFF))
            pending += [UInt8(flags >> 8), UInt8(flags & 0xFF)]
            putName(e.path)
            count += 1
        }

        /// The path: NUL-padded to a multiple of 8 in versions 2 and 3, prefix-compressed in version 4.
        mutating func putName(_ path: [UInt8]) {
            if version < 4 {
                pending += path
                pending += [UInt8](repeating: 0, count: 8 - (62 + path.count) % 8)
                return
            }
            var common = 0
            while common < path.count, common < emitted.count, path[common] == emitted[common] { common += 1 }
            var value = emitted.count - common
            var varint = [UInt8(value & 127)]
            value >>= 7
            while value > 0 {
                value -= 1
                varint.insert(UInt8(128 | (value & 127)), at: 0)
                value >>= 7
            }
            pending += varint
            pending += path[common...]
            pending.append(0)
            emitted.removeAll(keepingCapacity: true)
            emitted += path
        }

        mutating func extensions(from start: Int) throws {
            var pos = start
            while pos < end {
                guard pos + 8 <= end else { throw fail("truncated extension") }
                let signature = String(decoding: UnsafeRawBufferPointer(rebasing: d[pos..<pos + 4]), as: UTF8.self)
                let size = Int(be32(pos + 4))
                let body = pos + 8
                guard body + size <= end else { throw fail("truncated extension \(signature)") }
                switch signature {
                case "TREE":
                    let tree = try invalidatedTree(body, body + size)
                    copy(pos..<(pos + 4))
                    put32(UInt32(tree.count))
                    pending += tree
                case "REUC", "UNTR":
                    copy(pos..<(body + size))
                case "EOIE", "IEOT", "FSMN":
                    break // offsets and bitmaps of the old entries: dropping them is allowed, git rebuilds them
                default:
                    throw fail("index extension \(signature)")
                }
                pos = body + size
            }
            guard pos == end else { throw fail("index extensions overrun") }
        }

        /// The cache tree with every directory above a written path marked invalid.
        func invalidatedTree(_ start: Int, _ stop: Int) throws -> [UInt8] {
            var dirty = Set<[UInt8]>()
            for e in targets {
                var dir = e.path
                dirty.insert([])
                while let slash = dir.lastIndex(of: 0x2F) {
                    dir.removeSubrange(slash...)
                    dirty.insert(dir)
                }
            }
            var result: [UInt8] = []
            result.reserveCapacity(stop - start)
            var pos = start
            func node(_ parent: [UInt8]?) throws {
                let nameStart = pos
                while pos < stop, d[pos] != 0 { pos += 1 }
                guard pos < stop else { throw fail("bad cache tree") }
                let name = Array(UnsafeRawBufferPointer(rebasing: d[nameStart..<pos]))
                pos += 1
                func number(until terminator: UInt8) throws -> Int {
                    var negative = false, value = 0, digits = 0
                    if pos < stop, d[pos] == 0x2D { negative = true; pos += 1 }
                    while pos < stop, d[pos] >= 0x30, d[pos] <= 0x39, digits < 10 {
                        value = value * 10 + Int(d[pos] - 0x30); pos += 1; digits += 1
                    }
                    guard digits > 0, pos < stop, d[pos] == terminator else { throw fail("bad cache tree") }
                    pos += 1
                    return negative ? -value : value
                }
                let entries = try number(until: 0x20)
                let subtrees = try number(until: 0x0A)
                if entries >= 0 {
                    guard pos + 20 <= stop else { throw fail("bad cache tree") }
                    pos += 20
                }
                let full: [UInt8] = parent.map { $0.isEmpty ? name : $0 + [0x2F] + name } ?? []
                if dirty.contains(full) {
                    result += name
                    result += Array("\0-1 \(subtrees)\n".utf8)
                } else {
                    result += d[nameStart..<pos]
                }
                for _ in 0..<subtrees { try node(full) }
            }
            try node(nil)
            guard pos == stop else { throw fail("bad cache tree") }
            return result
        }
    }
}
