import MemoryModel

/// One indexed file as a segment records it: where it is and what it looked like when read.
struct FileMeta {
    var path: String
    var kind: FileKind
    var signature: FileIO.Signature
    var contentHash: UInt64
    var docCount: UInt32
}

/// Documents on their way into a segment: one parsed file, or the live part of an existing segment.
/// Columns refer to `strings` and `files` by local index; terms are hashes.
struct DocBatch {
    var files: [FileMeta] = []
    var errors: [(file: UInt32, line: UInt32, message: String)] = []
    var strings: [String] = []
    var docs = DocColumns()

    init() {}

    init(_ parsed: ParsedFile) {
        files = [FileMeta(path: parsed.path, kind: parsed.kind, signature: parsed.signature,
                          contentHash: parsed.contentHash, docCount: UInt32(parsed.docs.count))]
        errors = parsed.errors.map { (0, UInt32(clamping: $0.line), $0.message) }
        strings = parsed.strings
        docs = parsed.docs
    }
}

/// The arrays of a segment before they are laid out in memory.
struct SegmentArrays {
    var meta: [UInt64] = Array(repeating: 0, count: Meta.allCases.count)
    var stringOffsets: [UInt32] = [0]
    var stringBytes: [UInt8] = []
    var stringFlags: [UInt8] = []
    var filePath: [UInt32] = [], fileKind: [UInt8] = [], fileSize: [Int64] = [], fileMtime: [Int64] = []
    var fileInode: [UInt64] = [], fileHash: [UInt64] = [], fileDocCount: [UInt32] = [], fileByPath: [UInt32] = []
    var errorFile: [UInt32] = [], errorLine: [UInt32] = [], errorMessage: [UInt32] = []
    var docs = DocColumns()
    var termHash: [UInt64] = []
    var termStart: [UInt32] = [0]
    var postDoc: [UInt32] = []
    var postTF: [UInt8] = []
    var state: [UInt8] = []

    /// Calls `body` with each section's bytes, in file order.
    func forEachSection(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        func emit<T>(_ a: [T]) throws { try a.withUnsafeBytes { try body($0) } }
        try emit(meta); try emit(stringOffsets); try emit(stringBytes); try emit(stringFlags)
        try emit(filePath); try emit(fileKind); try emit(fileSize); try emit(fileMtime); try emit(fileInode)
        try emit(fileHash); try emit(fileDocCount); try emit(fileByPath)
        try emit(errorFile); try emit(errorLine); try emit(errorMessage)
        try emit(docs.ts); try emit(docs.idHash); try emit(docs.causedBy); try emit(docs.kind); try emit(docs.severity)
        try emit(docs.docLength)
        try emit(docs.type); try emit(docs.source); try emit(docs.group); try emit(docs.session); try emit(docs.file)
        try emit(docs.offset); try emit(docs.length); try emit(docs.line)
        try emit(docs.componentStart); try emit(docs.components); try emit(docs.shaStart); try emit(docs.shas)
        try emit(termHash); try emit(termStart); try emit(postDoc); try emit(postTF)
        try emit(state)
    }

    /// The byte length of each section, in file order.
    var sectionLengths: [Int] {
        var out: [Int] = []
        forEachSection { out.append($0.count) }
        precondition(out.count == Section.allCases.count)
        return out
    }
}

/// Builds segments: from parsed files (a cold build, or the changed files of an update), and from the live
/// documents of existing segments (merging a delta, compacting into a new base).
enum SegmentBuilder {
    /// Builds the arrays of one segment from `batches`, which are consumed (emptied) as they are read so
    /// that a million documents do not sit in memory twice.
    static func build(_ batches: inout [DocBatch], state: [UInt8], builtAt: Int64) -> SegmentArrays {
        var out = SegmentArrays()
        out.state = state

        // Files, and where each batch's files and documents start.
        var fileBase: [UInt32] = []
        var docBase: [Int] = []
        var allFiles: [FileMeta] = []
        var total = 0
        for b in batches {
            fileBase.append(UInt32(allFiles.count))
            allFiles += b.files
            docBase.append(total)
            total += b.docs.count
        }

        // Strings: only those used, each with what it is used as; sorted by bytes so lookups can bisect.
        var interned: [String: Int] = [:]
        var uniq: [String] = []
        var flags: [UInt8] = []
        func intern(_ s: String, _ use: StringUse) -> Int {
            if let i = interned[s] {
                flags[i] |= use.rawValue
                return i
            }
            let i = uniq.count
            uniq.append(s)
            flags.append(use.rawValue)
            interned[s] = i
            return i
        }
        var provisional: [[Int32]] = [] // per batch: local string -> provisional id (-1 unused)
        for b in batches {
            var use = [UInt8](repeating: 0, count: b.strings.count)
            func mark(_ col: [UInt32], _ u: StringUse) {
                for v in col where Int(v) < use.count { use[Int(v)] |= u.rawValue }
            }
            mark(b.docs.type, .type); mark(b.docs.source, .source); mark(b.docs.group, .group)
            mark(b.docs.session, .session); mark(b.docs.components, .component)
            var map = [Int32](repeating: -1, count: b.strings.count)
            for (i, u) in use.enumerated() where u != 0 { map[i] = Int32(intern(b.strings[i], StringUse(rawValue: u))) }
            provisional.append(map)
        }
        let pathIDs = allFiles.map { intern($0.path, .path) }
        var errorIDs: [[Int]] = []
        for b in batches { errorIDs.append(b.errors.map { intern($0.message, .message) }) }
        let order = uniq.indices.sorted { uniq[$0].utf8.lexicographicallyPrecedes(uniq[$1].utf8) }
        var finalID = [UInt32](repeating: 0, count: uniq.count)
        for (rank, i) in order.enumerated() {
            finalID[i] = UInt32(rank)
            out.stringBytes.append(contentsOf: uniq[i].utf8)
            out.stringOffsets.append(UInt32(out.stringBytes.count))
            out.stringFlags.append(flags[i])
        }
        interned = [:]
        uniq = []
        // Per batch: local string id -> final id.
        let stringMaps: [[UInt32]] = provisional.map { map in map.map { $0 >= 0 ? finalID[Int($0)] : noString } }
        provisional = []

        for (k, f) in allFiles.enumerated() {
            out.filePath.append(finalID[pathIDs[k]])
            out.fileKind.append(f.kind.rawValue)
            out.fileSize.append(f.signature.size)
            out.fileMtime.append(f.signature.mtimeNanoseconds)
            out.fileInode.append(f.signature.inode)
            out.fileHash.append(f.contentHash)
            out.fileDocCount.append(f.docCount)
        }
        out.fileByPath = (0..<UInt32(allFiles.count)).sorted { out.filePath[Int($0)] < out.filePath[Int($1)] }
        for (bi, b) in batches.enumerated() {
            for (k, e) in b.errors.enumerated() {
                out.errorFile.append(fileBase[bi] + e.file)
                out.errorLine.append(e.line)
                out.errorMessage.append(finalID[errorIDs[bi][k]])
            }
        }

        // Documents in time order (stable: ties keep batch order).
        struct Key: Comparable {
            var ts: Int64
            var old: UInt32
            static func < (a: Key, b: Key) -> Bool { a.ts != b.ts ? a.ts < b.ts : a.old < b.old }
        }
        // Day files come in date order with their events in time order: they form one sorted run. The
        // rest (notes, out-of-order blocks) is sorted on its own and merged in.
        var run: [Key] = []
        var rest: [Key] = []
        run.reserveCapacity(total)
        for (bi, b) in batches.enumerated() {
            let ts = b.docs.ts
            var inOrder = true
            for j in 1..<max(1, ts.count) where ts[j] < ts[j - 1] { inOrder = false; break }
            if inOrder, let first = ts.first, run.last.map({ $0.ts <= first }) ?? true {
                for j in 0..<ts.count { run.append(Key(ts: ts[j], old: UInt32(docBase[bi] + j))) }
            } else {
                for j in 0..<ts.count { rest.append(Key(ts: ts[j], old: UInt32(docBase[bi] + j))) }
            }
        }
        rest.sort()
        var keys: [Key] = []
        if rest.isEmpty {
            keys = run
        } else {
            keys.reserveCapacity(total)
            var i = 0, j = 0
            while i < run.count || j < rest.count {
                if j == rest.count || (i < run.count && !(rest[j] < run[i])) {
                    keys.append(run[i]); i += 1
                } else {
                    keys.append(rest[j]); j += 1
                }
            }
        }
        run = []
        rest = []
        var newOf = [UInt32](repeating: 0, count: total)
        for (n, k) in keys.enumerated() { newOf[Int(k.old)] = UInt32(n) }
        keys = []

        // Terms: each batch's distinct terms get global ids; term ids are then ranked by hash.
        var table = TermTable(capacity: 1 << 16)
        var termMaps: [[UInt32]] = []
        for b in batches { termMaps.append(b.docs.termHashes.map { table.insert($0) }) }
        let termCount = table.count
        let hashes = table.hashesByID()
        table = TermTable(capacity: 0)
        let termOrder = (0..<termCount).sorted { hashes[$0] < hashes[$1] }
        var termRank = [UInt32](repeating: 0, count: termCount)
        out.termHash.reserveCapacity(termCount)
        for (rank, t) in termOrder.enumerated() {
            termRank[t] = UInt32(rank)
            out.termHash.append(hashes[t])
        }
        for bi in termMaps.indices { termMaps[bi] = termMaps[bi].map { termRank[Int($0)] } }

        // Columns and forward term lists, scattered into the new order batch by batch.
        var d = DocColumns()
        d.ts = [Int64](repeating: 0, count: total)
        d.kind = [UInt8](repeating: 0, count: total)
        d.severity = [UInt8](repeating: 0, count: total)
        d.type = [UInt32](repeating: 0, count: total)
        d.source = [UInt32](repeating: 0, count: total)
        d.group = [UInt32](repeating: 0, count: total)
        d.session = [UInt32](repeating: 0, count: total)
        d.file = [UInt32](repeating: 0, count: total)
        d.offset = [UInt32](repeating: 0, count: total)
        d.length = [UInt32](repeating: 0, count: total)
        d.line = [UInt32](repeating: 0, count: total)
        d.docLength = [UInt16](repeating: 0, count: total)
        d.idHash = [UInt64](repeating: 0, count: total)
        d.causedBy = [UInt64](repeating: 0, count: total)
        var compCount = [UInt32](repeating: 0, count: total + 1)
        var shaCount = [UInt32](repeating: 0, count: total + 1)
        var termCountPerDoc = [UInt32](repeating: 0, count: total + 1)
        for (bi, b) in batches.enumerated() {
            let base = docBase[bi]
            let c = b.docs
            for j in 0..<c.count {
                let n = Int(newOf[base + j]) + 1
                compCount[n] = c.componentStart[j + 1] - c.componentStart[j]
                shaCount[n] = c.shaStart[j + 1] - c.shaStart[j]
                termCountPerDoc[n] = c.termStart[j + 1] - c.termStart[j]
            }
        }
        for i in 0..<total {
            compCount[i + 1] += compCount[i]
            shaCount[i + 1] += shaCount[i]
            termCountPerDoc[i + 1] += termCountPerDoc[i]
        }
        d.componentStart = compCount
        d.shaStart = shaCount
        d.components = [UInt32](repeating: 0, count: Int(compCount[total]))
        d.shas = [UInt32](repeating: 0, count: Int(shaCount[total]))
        let fwdStart = termCountPerDoc
        termCountPerDoc = []
        var fwdTerm = [UInt32](repeating: 0, count: Int(fwdStart[total]))
        var fwdTF = [UInt8](repeating: 0, count: Int(fwdStart[total]))
        for bi in batches.indices {
            let base = docBase[bi]
            let map = stringMaps[bi]
            let terms = termMaps[bi]
            let fb = fileBase[bi]
            scatter(batches[bi].docs, base: base, newOf: newOf, strings: map, terms: terms, fileBase: fb,
                    into: &d, fwdStart: fwdStart, fwdTerm: &fwdTerm, fwdTF: &fwdTF)
            batches[bi] = DocBatch() // release as we go
        }
        batches = []
        newOf = []
        d.termStart = []
        var totalLength: UInt64 = 0
        for l in d.docLength { totalLength += UInt64(l) }
        out.docs = d

        // Posting lists by counting sort over the forward lists: each list comes out in document order,
        // which is time order.
        let postingCount = fwdTerm.count
        var df = [UInt32](repeating: 0, count: termCount + 1)
        for t in fwdTerm { df[Int(t) + 1] += 1 }
        for i in 0..<termCount { df[i + 1] += df[i] }
        out.termStart = df
        out.postDoc = [UInt32](repeating: 0, count: postingCount)
        out.postTF = [UInt8](repeating: 0, count: postingCount)
        var cursor = df
        cursor.withUnsafeMutableBufferPointer { cur in
            fwdTerm.withUnsafeBufferPointer { ft in
                fwdTF.withUnsafeBufferPointer { ftf in
                    out.postDoc.withUnsafeMutableBufferPointer { pd in
                        out.postTF.withUnsafeMutableBufferPointer { ptf in
                            for doc in 0..<total {
                                for k in Int(fwdStart[doc])..<Int(fwdStart[doc + 1]) {
                                    let t = Int(ft[k])
                                    let at = Int(cur[t])
                                    cur[t] += 1
                                    pd[at] = UInt32(doc)
                                    ptf[at] = ftf[k]
                                }
                            }
                        }
                    }
                }
            }
        }

        out.meta[Meta.docCount.rawValue] = UInt64(total)
        out.meta[Meta.termCount.rawValue] = UInt64(termCount)
        out.meta[Meta.postingCount.rawValue] = UInt64(postingCount)
        out.meta[Meta.fileCount.rawValue] = UInt64(allFiles.count)
        out.meta[Meta.stringCount.rawValue] = UInt64(out.stringFlags.count)
        out.meta[Meta.errorCount.rawValue] = UInt64(out.errorFile.count)
        out.meta[Meta.totalDocLength.rawValue] = totalLength
        out.meta[Meta.builtAt.rawValue] = UInt64(bitPattern: builtAt)
        return out
    }

    /// Writes one batch's documents at their new positions.
    private static func scatter(_ c: DocColumns, base: Int, newOf: [UInt32], strings map: [UInt32], terms: [UInt32], fileBase: UInt32,
                                into d: inout DocColumns, fwdStart: [UInt32], fwdTerm: inout [UInt32], fwdTF: inout [UInt8]) {
        @inline(__always) func s(_ v: UInt32) -> UInt32 { Int(v) < map.count ? map[Int(v)] : noString }
        for j in 0..<c.count {
            let n = Int(newOf[base + j])
            d.ts[n] = c.ts[j]; d.kind[n] = c.kind[j]; d.severity[n] = c.severity[j]
            d.type[n] = s(c.type[j]); d.source[n] = s(c.source[j]); d.group[n] = s(c.group[j]); d.session[n] = s(c.session[j])
            d.file[n] = fileBase + c.file[j]
            d.offset[n] = c.offset[j]; d.length[n] = c.length[j]; d.line[n] = c.line[j]
            d.docLength[n] = c.docLength[j]; d.idHash[n] = c.idHash[j]; d.causedBy[n] = c.causedBy[j]
            var at = Int(d.componentStart[n])
            for k in Int(c.componentStart[j])..<Int(c.componentStart[j + 1]) {
                d.components[at] = s(c.components[k])
                at += 1
            }
            at = Int(d.shaStart[n])
            for k in Int(c.shaStart[j])..<Int(c.shaStart[j + 1]) {
                d.shas[at] = c.shas[k]
                at += 1
            }
            at = Int(fwdStart[n])
            for k in Int(c.termStart[j])..<Int(c.termStart[j + 1]) {
                fwdTerm[at] = terms[Int(c.terms[k])]
                fwdTF[at] = c.termFreq[k]
                at += 1
            }
        }
    }

    /// The documents of `segment` whose file is not in `excluded`, as a batch for `build`. Terms come back
    /// from the posting lists (one pass over them).
    static func export(_ segment: Segment, excludingFiles excluded: Set<Int>) -> DocBatch {
        var batch = DocBatch()
        var fileMap = [Int32](repeating: -1, count: segment.fileCount)
        for f in 0..<segment.fileCount where !excluded.contains(f) {
            fileMap[f] = Int32(batch.files.count)
            let kind = FileKind(rawValue: segment.fileKind[f]) ?? .day
            batch.files.append(FileMeta(path: segment.filePathString(f), kind: kind,
                                        signature: FileIO.Signature(size: segment.fileSize[f], mtimeNanoseconds: segment.fileMtime[f],
                                                                    inode: segment.fileInode[f]),
                                        contentHash: segment.fileHash[f], docCount: segment.fileDocCount[f]))
        }
        for e in 0..<segment.errorCount {
            let f = Int(segment.errorFile[e])
            guard f < fileMap.count, fileMap[f] >= 0 else { continue }
            batch.errors.append((UInt32(fileMap[f]), segment.errorLine[e], segment.string(segment.errorMessage[e])))
        }
        // The segment's own string and term ids serve as the batch's local ids.
        batch.strings = (0..<segment.stringCount).map { segment.string(UInt32($0)) }

        // Which documents survive, and their new local numbers.
        let n = segment.docCount
        var local = [Int32](repeating: -1, count: n)
        var kept = 0
        for doc in 0..<n {
            let f = Int(segment.file[doc])
            if f < fileMap.count, fileMap[f] >= 0 {
                local[doc] = Int32(kept)
                kept += 1
            }
        }
        var d = DocColumns()
        d.reserve(kept)
        for doc in 0..<n where local[doc] >= 0 {
            d.ts.append(segment.ts[doc]); d.kind.append(segment.kind[doc]); d.severity.append(segment.severity[doc])
            d.type.append(segment.type[doc]); d.source.append(segment.source[doc]); d.group.append(segment.group[doc])
            d.session.append(segment.session[doc]); d.file.append(UInt32(fileMap[Int(segment.file[doc])]))
            d.offset.append(segment.offset[doc]); d.length.append(segment.length[doc]); d.line.append(segment.line[doc])
            d.docLength.append(segment.docLength[doc]); d.idHash.append(segment.idHash[doc]); d.causedBy.append(segment.causedBy[doc])
            for c in segment.componentRange(doc) { d.components.append(segment.components[c]) }
            d.componentStart.append(UInt32(d.components.count))
            for c in segment.shaRange(doc) { d.shas.append(segment.shas[c]) }
            d.shaStart.append(UInt32(d.shas.count))
        }
        // Forward term lists from the inverted ones: count, then place.
        var counts = [UInt32](repeating: 0, count: kept + 1)
        for p in 0..<segment.postDoc.count {
            let doc = Int(segment.postDoc[p])
            if doc < n, local[doc] >= 0 { counts[Int(local[doc]) + 1] += 1 }
        }
        for i in 0..<kept { counts[i + 1] += counts[i] }
        d.termStart = counts
        var cursor = counts
        let total = Int(counts[kept])
        d.terms = [UInt32](repeating: 0, count: total)
        d.termFreq = [UInt8](repeating: 0, count: total)
        d.termHashes = Array(segment.termHash)
        for t in 0..<segment.termCount {
            let s = Int(segment.termStart[t]), e = min(Int(segment.termStart[t + 1]), segment.postDoc.count)
            guard s < e else { continue }
            for p in s..<e {
                let doc = Int(segment.postDoc[p])
                guard doc < n, local[doc] >= 0 else { continue }
                let l = Int(local[doc])
                let at = Int(cursor[l])
                cursor[l] += 1
                d.terms[at] = UInt32(t)
                d.termFreq[at] = segment.postTF[p]
            }
        }
        batch.docs = d
        return batch
    }
}

/// Open addressing from term hash to a dense id, in first-seen order.
struct TermTable {
    private var keys: [UInt64]
    private var values: [UInt32]
    private var mask: Int
    private(set) var count = 0
    private var byID: [UInt64] = []

    init(capacity: Int) {
        var size = 16
        while size < capacity { size <<= 1 }
        keys = [UInt64](repeating: 0, count: capacity == 0 ? 0 : size)
        values = [UInt32](repeating: 0, count: capacity == 0 ? 0 : size)
        mask = size - 1
    }

    /// The id of `hash`, adding it if new. Hash 0 is stored as 1 (0 marks an empty slot).
    @inline(__always)
    mutating func insert(_ hash: UInt64) -> UInt32 {
        let h = hash == 0 ? 1 : hash
        if count * 2 >= keys.count { grow() }
        var i = Int(truncatingIfNeeded: mix(h)) & mask
        while true {
            let k = keys[i]
            if k == h { return values[i] }
            if k == 0 {
                keys[i] = h
                let id = UInt32(count)
                values[i] = id
                byID.append(h)
                count += 1
                return id
            }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let size = max(16, keys.count * 2)
        keys = [UInt64](repeating: 0, count: size)
        values = [UInt32](repeating: 0, count: size)
        mask = size - 1
        for (i, k) in oldKeys.enumerated() where k != 0 {
            var j = Int(truncatingIfNeeded: mix(k)) & mask
            while keys[j] != 0 { j = (j + 1) & mask }
            keys[j] = k
            values[j] = oldValues[i]
        }
    }

    func hashesByID() -> [UInt64] { byID }

    /// Empties the table, keeping its memory.
    mutating func removeAll() {
        if count > 0 {
            for i in keys.indices { keys[i] = 0 }
            count = 0
            byID.removeAll(keepingCapacity: true)
        }
    }
}
