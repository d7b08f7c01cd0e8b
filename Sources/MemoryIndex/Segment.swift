#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The sections of a segment, in file order. Each is one flat array; see `docs/INDEX.md` for the layout.
enum Section: Int, CaseIterable {
    case meta
    case stringOffsets, stringBytes, stringFlags
    case filePath, fileKind, fileSize, fileMtime, fileInode, fileHash, fileDocCount, fileByPath
    case errorFile, errorLine, errorMessage
    case ts, idHash, causedBy, kind, severity, docLength
    case type, source, group, session, file, offset, length, line
    case componentStart, components, shaStart, shas
    case termHash, termStart, postDoc, postTF
    case state
}

/// Indexes into the `meta` section.
enum Meta: Int, CaseIterable {
    case docCount, termCount, postingCount, fileCount, stringCount, errorCount, totalDocLength, builtAt
}

/// What a string in a segment's string table is used as (bit flags).
struct StringUse: OptionSet {
    let rawValue: UInt8
    static let component = StringUse(rawValue: 1)
    static let type = StringUse(rawValue: 2)
    static let source = StringUse(rawValue: 4)
    static let group = StringUse(rawValue: 8)
    static let session = StringUse(rawValue: 16)
    static let path = StringUse(rawValue: 32)
    static let message = StringUse(rawValue: 64)
}

struct SnapshotCorrupt: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

/// Memory a segment's arrays live in: a mapped snapshot file, or an allocation when there is no file.
final class SegmentStorage: @unchecked Sendable {
    let base: UnsafeRawPointer
    let count: Int
    private let mapped: Bool

    init(mapping base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = count
        mapped = true
    }

    init(copying bytes: UnsafeRawBufferPointer) {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 8), alignment: 16)
        if bytes.count > 0 { p.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        base = UnsafeRawPointer(p)
        count = bytes.count
        mapped = false
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}

/// An immutable, self-contained index over a set of files: documents (struct of arrays, sorted by time),
/// their terms' posting lists, and a string table. Segments never change; an update builds a new one.
/// Arrays are views into `storage` (a mapped file), so opening a segment decodes nothing per document.
final class Segment: @unchecked Sendable {
    let storage: SegmentStorage
    /// Byte offset of the payload in `storage` (after the file header).
    let payloadOffset: Int

    let docCount: Int
    let termCount: Int
    let fileCount: Int
    let stringCount: Int
    let errorCount: Int
    let totalDocLength: UInt64
    let builtAt: Int64

    let stringOffsets: UnsafeBufferPointer<UInt32>
    let stringBytes: UnsafeBufferPointer<UInt8>
    let stringFlags: UnsafeBufferPointer<UInt8>
    let filePath: UnsafeBufferPointer<UInt32>
    let fileKind: UnsafeBufferPointer<UInt8>
    let fileSize: UnsafeBufferPointer<Int64>
    let fileMtime: UnsafeBufferPointer<Int64>
    let fileInode: UnsafeBufferPointer<UInt64>
    let fileHash: UnsafeBufferPointer<UInt64>
    let fileDocCount: UnsafeBufferPointer<UInt32>
    /// File indices sorted by path.
    let fileByPath: UnsafeBufferPointer<UInt32>
    let errorFile: UnsafeBufferPointer<UInt32>
    let errorLine: UnsafeBufferPointer<UInt32>
    let errorMessage: UnsafeBufferPointer<UInt32>
    let ts: UnsafeBufferPointer<Int64>
    let idHash: UnsafeBufferPointer<UInt64>
    let causedBy: UnsafeBufferPointer<UInt64>
    let kind: UnsafeBufferPointer<UInt8>
    let severity: UnsafeBufferPointer<UInt8>
    let docLength: UnsafeBufferPointer<UInt16>
    let type: UnsafeBufferPointer<UInt32>
    let source: UnsafeBufferPointer<UInt32>
    let group: UnsafeBufferPointer<UInt32>
    let session: UnsafeBufferPointer<UInt32>
    let file: UnsafeBufferPointer<UInt32>
    let offset: UnsafeBufferPointer<UInt32>
    let length: UnsafeBufferPointer<UInt32>
    let line: UnsafeBufferPointer<UInt32>
    let componentStart: UnsafeBufferPointer<UInt32>
    let components: UnsafeBufferPointer<UInt32>
    let shaStart: UnsafeBufferPointer<UInt32>
    let shas: UnsafeBufferPointer<UInt32>
    let termHash: UnsafeBufferPointer<UInt64>
    let termStart: UnsafeBufferPointer<UInt32>
    let postDoc: UnsafeBufferPointer<UInt32>
    let postTF: UnsafeBufferPointer<UInt8>
    let state: UnsafeBufferPointer<UInt8>

    /// Binds the arrays of a payload (already checksummed) and checks that every count and offset agrees,
    /// so that no later access can leave an array.
    init(storage: SegmentStorage, payloadOffset: Int, payloadLength: Int) throws {
        self.storage = storage
        self.payloadOffset = payloadOffset
        let p = storage.base + payloadOffset
        guard payloadLength >= 8, payloadOffset + payloadLength <= storage.count, payloadOffset % 8 == 0 else {
            throw SnapshotCorrupt(reason: "payload out of bounds")
        }
        let sectionCount = Int(p.loadUnaligned(as: UInt32.self))
        guard sectionCount == Section.allCases.count, 8 + sectionCount * 16 <= payloadLength else {
            throw SnapshotCorrupt(reason: "unexpected section count \(sectionCount)")
        }
        var ranges: [(Int, Int)] = []
        for i in 0..<sectionCount {
            let o = Int(truncatingIfNeeded: p.loadUnaligned(fromByteOffset: 8 + i * 16, as: UInt64.self))
            let l = Int(truncatingIfNeeded: p.loadUnaligned(fromByteOffset: 16 + i * 16, as: UInt64.self))
            guard o >= 0, l >= 0, o % 8 == 0, o <= payloadLength, l <= payloadLength - o else {
                throw SnapshotCorrupt(reason: "section \(i) out of bounds")
            }
            ranges.append((o, l))
        }
        func view<T>(_ s: Section, _: T.Type, count expected: Int? = nil) throws -> UnsafeBufferPointer<T> {
            let (o, l) = ranges[s.rawValue]
            guard l % MemoryLayout<T>.stride == 0 else { throw SnapshotCorrupt(reason: "section \(s) has a partial element") }
            let n = l / MemoryLayout<T>.stride
            if let expected, n != expected { throw SnapshotCorrupt(reason: "section \(s) has \(n) elements, expected \(expected)") }
            return UnsafeBufferPointer(start: (p + o).assumingMemoryBound(to: T.self), count: n)
        }
        let meta = try view(.meta, UInt64.self, count: Meta.allCases.count)
        func m(_ k: Meta) throws -> Int {
            let v = meta[k.rawValue]
            guard v < UInt64(Int32.max) || k == .totalDocLength || k == .builtAt else { throw SnapshotCorrupt(reason: "meta \(k) too large") }
            return Int(truncatingIfNeeded: v)
        }
        docCount = try m(.docCount)
        termCount = try m(.termCount)
        let postingCount = try m(.postingCount)
        fileCount = try m(.fileCount)
        stringCount = try m(.stringCount)
        errorCount = try m(.errorCount)
        totalDocLength = meta[Meta.totalDocLength.rawValue]
        builtAt = Int64(bitPattern: meta[Meta.builtAt.rawValue])

        stringOffsets = try view(.stringOffsets, UInt32.self, count: stringCount + 1)
        stringBytes = try view(.stringBytes, UInt8.self)
        stringFlags = try view(.stringFlags, UInt8.self, count: stringCount)
        filePath = try view(.filePath, UInt32.self, count: fileCount)
        fileKind = try view(.fileKind, UInt8.self, count: fileCount)
        fileSize = try view(.fileSize, Int64.self, count: fileCount)
        fileMtime = try view(.fileMtime, Int64.self, count: fileCount)
        fileInode = try view(.fileInode, UInt64.self, count: fileCount)
        fileHash = try view(.fileHash, UInt64.self, count: fileCount)
        fileDocCount = try view(.fileDocCount, UInt32.self, count: fileCount)
        fileByPath = try view(.fileByPath, UInt32.self, count: fileCount)
        errorFile = try view(.errorFile, UInt32.self, count: errorCount)
        errorLine = try view(.errorLine, UInt32.self, count: errorCount)
        errorMessage = try view(.errorMessage, UInt32.self, count: errorCount)
        ts = try view(.ts, Int64.self, count: docCount)
        idHash = try view(.idHash, UInt64.self, count: docCount)
        causedBy = try view(.causedBy, UInt64.self, count: docCount)
        kind = try view(.kind, UInt8.self, count: docCount)
        severity = try view(.severity, UInt8.self, count: docCount)
        docLength = try view(.docLength, UInt16.self, count: docCount)
        type = try view(.type, UInt32.self, count: docCount)
        source = try view(.source, UInt32.self, count: docCount)
        group = try view(.group, UInt32.self, count: docCount)
        session = try view(.session, UInt32.self, count: docCount)
        file = try view(.file, UInt32.self, count: docCount)
        offset = try view(.offset, UInt32.self, count: docCount)
        length = try view(.length, UInt32.self, count: docCount)
        line = try view(.line, UInt32.self, count: docCount)
        componentStart = try view(.componentStart, UInt32.self, count: docCount + 1)
        components = try view(.components, UInt32.self)
        shaStart = try view(.shaStart, UInt32.self, count: docCount + 1)
        shas = try view(.shas, UInt32.self)
        termHash = try view(.termHash, UInt64.self, count: termCount)
        termStart = try view(.termStart, UInt32.self, count: termCount + 1)
        postDoc = try view(.postDoc, UInt32.self, count: postingCount)
        postTF = try view(.postTF, UInt8.self, count: postingCount)
        state = try view(.state, UInt8.self)

        // Offsets arrays must end where their arrays end; the rest is covered by the checksum, and every
        // read below clamps to these bounds anyway.
        guard stringOffsets.last.map(Int.init) == stringBytes.count,
              componentStart.last.map(Int.init) == components.count,
              shaStart.last.map(Int.init) == shas.count,
              termStart.last.map(Int.init) == postingCount else {
            throw SnapshotCorrupt(reason: "offset tables do not match their arrays")
        }
    }

    // MARK: Strings

    func string(_ id: UInt32) -> String {
        let i = Int(id)
        guard i < stringCount else { return "" }
        let s = Int(stringOffsets[i]), e = Int(stringOffsets[i + 1])
        guard s <= e, e <= stringBytes.count else { return "" }
        return String(decoding: UnsafeBufferPointer(rebasing: stringBytes[s..<e]), as: UTF8.self)
    }

    func string(_ id: UInt32, equals other: String) -> Bool {
        let i = Int(id)
        guard i < stringCount else { return false }
        let s = Int(stringOffsets[i]), e = Int(stringOffsets[i + 1])
        guard s <= e, e <= stringBytes.count else { return false }
        var other = other
        return other.withUTF8 { o in
            o.count == e - s && memcmp(o.baseAddress!, stringBytes.baseAddress! + s, e - s) == 0
        }
    }

    /// The id of `text` in the (sorted) string table.
    func stringID(_ text: String) -> UInt32? {
        var text = text
        return text.withUTF8 { t -> UInt32? in
            var lo = 0, hi = stringCount
            while lo < hi {
                let mid = (lo + hi) / 2
                let c = compare(Int(mid), t)
                if c == 0 { return UInt32(mid) }
                if c < 0 { lo = mid + 1 } else { hi = mid }
            }
            return nil
        }
    }

    private func compare(_ i: Int, _ t: UnsafeBufferPointer<UInt8>) -> Int {
        let s = Int(stringOffsets[i]), e = Int(stringOffsets[i + 1])
        guard s <= e, e <= stringBytes.count else { return -1 }
        let n = min(e - s, t.count)
        if n > 0 {
            let c = memcmp(stringBytes.baseAddress! + s, t.baseAddress!, n)
            if c != 0 { return Int(c) }
        }
        return (e - s) - t.count
    }

    func strings(usedAs use: StringUse) -> [String] {
        var out: [String] = []
        for i in 0..<stringCount where StringUse(rawValue: stringFlags[i]).contains(use) { out.append(string(UInt32(i))) }
        return out
    }

    // MARK: Documents

    @inline(__always)
    func componentRange(_ doc: Int) -> Range<Int> {
        let s = Int(componentStart[doc]), e = Int(componentStart[doc + 1])
        return s <= e && e <= components.count ? s..<e : 0..<0
    }

    @inline(__always)
    func shaRange(_ doc: Int) -> Range<Int> {
        let s = Int(shaStart[doc]), e = Int(shaStart[doc + 1])
        return s <= e && e <= shas.count ? s..<e : 0..<0
    }

    func filePathString(_ file: Int) -> String { file < fileCount ? string(filePath[file]) : "" }

    /// The file with this path.
    func file(path: String) -> Int? {
        guard let id = stringID(path) else { return nil }
        var lo = 0, hi = fileCount
        while lo < hi {
            let mid = (lo + hi) / 2
            let f = Int(fileByPath[mid])
            guard f < fileCount else { return nil }
            let v = filePath[f]
            if v == id { return f }
            if v < id { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// The first string id not below `text` (strings are sorted by bytes).
    func stringLowerBound(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { t -> UInt32 in
            var lo = 0, hi = stringCount
            while lo < hi {
                let mid = (lo + hi) / 2
                if compare(mid, t) < 0 { lo = mid + 1 } else { hi = mid }
            }
            return UInt32(lo)
        }
    }

    /// The files whose path starts with `prefix`.
    func files(withPrefix prefix: String) -> [Int] {
        let lowID = stringLowerBound(Array(prefix.utf8))
        // Above every string with the prefix: the prefix followed by 0xFF, which UTF-8 never contains.
        let highID = stringLowerBound(Array(prefix.utf8) + [0xFF])
        func bound(_ id: UInt32) -> Int {
            var lo = 0, hi = fileCount
            while lo < hi {
                let mid = (lo + hi) / 2
                let f = Int(fileByPath[mid])
                if f < fileCount, filePath[f] < id { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        return (bound(lowID)..<bound(highID)).map { Int(fileByPath[$0]) }.filter { $0 < fileCount }
    }

    /// The first document at or after `time` (documents are sorted by time).
    func lowerBound(time: Int64) -> Int {
        var lo = 0, hi = docCount
        while lo < hi {
            let mid = (lo + hi) / 2
            if ts[mid] < time { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: Terms

    /// The posting range of the term with `hash`, if the segment has it.
    func postings(_ hash: UInt64) -> Range<Int>? {
        var lo = 0, hi = termCount
        while lo < hi {
            let mid = (lo + hi) / 2
            let h = termHash[mid]
            if h == hash {
                let s = Int(termStart[mid]), e = Int(termStart[mid + 1])
                return s <= e && e <= postDoc.count ? s..<e : nil
            }
            if h < hash { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// The first posting in `range` whose document is at least `doc`.
    func firstPosting(in range: Range<Int>, atLeast doc: Int) -> Int {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(postDoc[mid]) < doc { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    var errors: [(file: Int, line: Int, message: String)] {
        (0..<errorCount).map { (Int(errorFile[$0]), Int(errorLine[$0]), string(errorMessage[$0])) }
    }
}
