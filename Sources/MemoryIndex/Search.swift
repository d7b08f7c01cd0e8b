import MemoryModel

/// A query's filters, resolved to one segment's string ids.
struct ResolvedFilter {
    var kindMask: UInt8 = 0xFF
    var types: [UInt32]?
    var sources: [UInt32]?
    var components: [UInt32]?
    var severityMask: UInt8 = 0xFF
    var group: UInt32?
    var session: UInt32?
    /// Documents in the time range.
    var docs: Range<Int>
    /// True when nothing in the segment can match (a named value the segment does not have).
    var impossible = false

    init(_ q: SearchQuery, segment seg: Segment) {
        let lo = q.since.map { seg.lowerBound(time: $0.milliseconds) } ?? 0
        let hi = q.until.map { seg.lowerBound(time: $0.milliseconds) } ?? seg.docCount
        docs = lo..<max(lo, hi) // `since` after `until` matches nothing
        var kinds = q.kinds
        // Types, sources and severities belong to events only.
        if !q.eventTypes.isEmpty || !q.sources.isEmpty || !q.severities.isEmpty { kinds = kinds.isEmpty ? [.event] : kinds.intersection([.event]) }
        if q.project != nil || q.session != nil { kinds = (kinds.isEmpty ? Set(DocumentKind.allCases) : kinds).subtracting([.event]) }
        if !kinds.isEmpty {
            kindMask = 0
            for k in kinds { kindMask |= 1 << k.rawValue }
            if kindMask == 0 { impossible = true }
        }
        func ids(_ names: Set<String>) -> [UInt32]? {
            guard !names.isEmpty else { return nil }
            let found = names.compactMap { seg.stringID($0) }
            if found.isEmpty { impossible = true }
            return found
        }
        types = ids(q.eventTypes)
        sources = ids(q.sources)
        components = ids(q.components)
        if !q.severities.isEmpty {
            severityMask = 0
            for s in q.severities { severityMask |= 1 << s.code }
        }
        if let p = q.project {
            if let id = seg.stringID(p) { group = id } else { impossible = true }
        }
        if let s = q.session {
            if let id = seg.stringID(s) { session = id } else { impossible = true }
        }
        if docs.isEmpty { impossible = true }
    }

    @inline(__always)
    func matches(_ seg: Segment, _ d: Int) -> Bool {
        guard kindMask & (1 << seg.kind[d]) != 0, severityMask & (1 << seg.severity[d]) != 0 else { return false }
        if let types, !types.contains(seg.type[d]) { return false }
        if let sources, !sources.contains(seg.source[d]) { return false }
        if let group, seg.group[d] != group { return false }
        if let session, seg.session[d] != session { return false }
        if let components {
            var any = false
            for c in seg.componentRange(d) where components.contains(seg.components[c]) { any = true; break }
            if !any { return false }
        }
        return true
    }
}

/// A document of the snapshot: segment 0 (base) or 1 (delta), and its number there.
struct DocAddress: Hashable {
    var segment: Int
    var doc: Int
}

/// The best `k` (score, time) pairs seen, as a min-heap on (score, time).
struct TopK {
    struct Entry {
        var score: Float
        var ts: Int64
        var address: DocAddress
        @inline(__always) func isBelow(_ o: Entry) -> Bool { score != o.score ? score < o.score : ts < o.ts }
    }

    let k: Int
    private(set) var heap: [Entry] = []

    init(k: Int) {
        self.k = max(1, k)
        heap.reserveCapacity(self.k)
    }

    /// The score a new entry must beat once the heap is full.
    var threshold: Float { heap.count < k ? -.infinity : heap[0].score }

    mutating func push(_ e: Entry) {
        if heap.count < k {
            heap.append(e)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard heap[i].isBelow(heap[parent]) else { break }
                heap.swapAt(i, parent)
                i = parent
            }
        } else if heap[0].isBelow(e) {
            heap[0] = e
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, heap[l].isBelow(heap[m]) { m = l }
                if r < heap.count, heap[r].isBelow(heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
    }

    /// Best first.
    func sorted() -> [Entry] { heap.sorted { $1.isBelow($0) } }
}

/// A query term with its weight across the whole snapshot.
struct WeightedTerm {
    var hash: UInt64
    var idf: Float
    /// How many times the query names it.
    var count: Float
}

extension Snapshot {
    static let k1: Float = 1.2
    static let b: Float = 0.75

    /// The distinct terms of `text`, with BM25 idf over every segment.
    func weightedTerms(_ text: String) -> [WeightedTerm] {
        var counts: [UInt64: Int] = [:]
        var order: [UInt64] = []
        Tokenizer.forEachTerm(text) { h in
            if counts[h] == nil { order.append(h) }
            counts[h, default: 0] += 1
        }
        let n = Float(max(1, totalDocuments))
        return order.map { h in
            var df = 0
            for seg in segments { if let r = seg.postings(h) { df += r.count } }
            let idf = log(1 + (n - Float(df) + 0.5) / (Float(df) + 0.5))
            return WeightedTerm(hash: h, idf: idf, count: Float(counts[h]!))
        }
    }

    /// Calls `body` for every live document in `filter.docs` that contains the terms (any, or all), in
    /// document order, with its BM25 score and how many terms it contains.
    func forEachMatch(_ s: Int, terms: [WeightedTerm], filter: ResolvedFilter, requireAll: Bool,
                      _ body: (Int, Float) -> Void) {
        let seg = segments[s]
        guard !filter.impossible, !terms.isEmpty else { return }
        var pos: [Int] = []
        var end: [Int] = []
        var live: [WeightedTerm] = []
        for t in terms {
            guard let r = seg.postings(t.hash) else {
                if requireAll { return }
                continue
            }
            let start = seg.firstPosting(in: r, atLeast: filter.docs.lowerBound)
            let stop = seg.firstPosting(in: start..<r.upperBound, atLeast: filter.docs.upperBound)
            if start == stop {
                if requireAll { return }
                continue
            }
            pos.append(start)
            end.append(stop)
            live.append(t)
        }
        guard !live.isEmpty else { return }
        let avg = averageDocLength
        let k1 = Snapshot.k1, b = Snapshot.b
        let postDoc = seg.postDoc, postTF = seg.postTF
        let n = live.count
        while true {
            var d = Int.max
            for i in 0..<n where pos[i] < end[i] {
                let x = Int(postDoc[pos[i]])
                if x < d { d = x }
            }
            if d == Int.max { break }
            var matched = 0
            var score: Float = 0
            let norm = k1 * (1 - b + b * Float(d < seg.docCount ? seg.docLength[d] : 0) / avg)
            for i in 0..<n where pos[i] < end[i] && Int(postDoc[pos[i]]) == d {
                let tf = Float(postTF[pos[i]])
                score += live[i].count * live[i].idf * tf * (k1 + 1) / (tf + norm)
                matched += 1
                pos[i] += 1
            }
            if requireAll && matched < terms.count { continue }
            guard d < seg.docCount, isLive(s, d), filter.matches(seg, d) else { continue }
            body(d, score)
        }
    }

    /// Best-first retrieval with MaxScore pruning: terms are ordered by the most they can add to a score;
    /// once the k-th best score is above what the weakest terms can reach together, documents that have
    /// only those terms are never looked at, and the strong terms' documents skip ahead in the weak
    /// terms' lists. Returns the number of documents scored; `exact` turns false when pruning skipped some.
    func topK(_ s: Int, terms: [WeightedTerm], filter: ResolvedFilter, into top: inout TopK, exact: inout Bool) -> Int {
        let seg = segments[s]
        guard !filter.impossible, !terms.isEmpty, top.k > 0 else { return 0 }
        let k1 = Snapshot.k1, b = Snapshot.b, avg = averageDocLength
        struct Cursor {
            var pos: Int
            var end: Int
            var weight: Float // idf × count
            var bound: Float
        }
        var cursors: [Cursor] = []
        for t in terms {
            guard let r = seg.postings(t.hash) else { continue }
            let start = seg.firstPosting(in: r, atLeast: filter.docs.lowerBound)
            let stop = seg.firstPosting(in: start..<r.upperBound, atLeast: filter.docs.upperBound)
            if start < stop {
                let w = t.idf * t.count
                cursors.append(Cursor(pos: start, end: stop, weight: w, bound: w * (k1 + 1)))
            }
        }
        guard !cursors.isEmpty else { return 0 }
        cursors.sort { $0.bound < $1.bound }
        let n = cursors.count
        var cumulative = [Float](repeating: 0, count: n)
        var acc: Float = 0
        for i in 0..<n {
            acc += cursors[i].bound
            cumulative[i] = acc
        }
        let postDoc = seg.postDoc, postTF = seg.postTF
        let docCount = seg.docCount
        // Terms below `essential` cannot lift a document into the top k on their own.
        var essential = 0
        func updateEssential() {
            let threshold = top.threshold
            while essential < n, cumulative[essential] <= threshold { essential += 1 }
        }
        updateEssential()
        var scored = 0
        let lengths = seg.docLength
        let normBase = k1 * (1 - b), normScale = k1 * b / avg
        // Newest first: among equal scores the newer document wins, and walking backwards means a tie
        // never displaces what is already in the heap.
        if n == 1 {
            let c = cursors[0]
            let w = c.weight * (k1 + 1)
            var p = c.end - 1
            while p >= c.pos {
                let d = Int(postDoc[p])
                p -= 1
                guard d < docCount else { continue }
                let tf = Float(postTF[p + 1])
                let score = w * tf / (tf + normBase + normScale * Float(lengths[d]))
                guard score > top.threshold || top.heap.count < top.k else {
                    exact = false // not counted: it was never checked against the filters
                    continue
                }
                guard isLive(s, d), filter.matches(seg, d) else { continue }
                scored += 1
                top.push(TopK.Entry(score: score, ts: seg.ts[d], address: DocAddress(segment: s, doc: d)))
            }
            return scored
        }
        // Each cursor walks from its last posting down to `pos` (its first); `next` is the current one.
        var next = cursors.map { $0.end - 1 }
        while essential < n {
            var d = -1
            for i in essential..<n where next[i] >= cursors[i].pos {
                let x = Int(postDoc[next[i]])
                if x > d { d = x }
            }
            if d < 0 { break }
            let norm = d < docCount ? normBase + normScale * Float(lengths[d]) : normBase
            var score: Float = 0
            for i in essential..<n where next[i] >= cursors[i].pos && Int(postDoc[next[i]]) == d {
                let tf = Float(postTF[next[i]])
                score += cursors[i].weight * tf * (k1 + 1) / (tf + norm)
                next[i] -= 1
            }
            let full = top.heap.count >= top.k
            // Cheap tests first: can it still make the top k at all? Then the filters.
            if full, score + (essential > 0 ? cumulative[essential - 1] : 0) <= top.threshold {
                exact = false
                continue
            }
            guard d < docCount, isLive(s, d), filter.matches(seg, d) else { continue }
            scored += 1
            // The weak terms, strongest first, while they can still make a difference.
            var i = essential - 1
            while i >= 0 {
                if full, score + cumulative[i] <= top.threshold { break }
                // Gallop, then bisect, down to the last posting at or before d.
                var hi = next[i], lo = cursors[i].pos
                var step = 1
                while hi - step >= lo, Int(postDoc[hi - step]) > d { hi -= step; step *= 2 }
                lo = max(lo, hi - step)
                // Invariant: postings above `hi` are > d; find the last index in lo...hi with doc <= d.
                var a = lo, z = hi
                while a <= z {
                    let mid = (a + z) / 2
                    if Int(postDoc[mid]) > d { z = mid - 1 } else { a = mid + 1 }
                }
                next[i] = z
                if z >= cursors[i].pos, Int(postDoc[z]) == d {
                    let tf = Float(postTF[z])
                    score += cursors[i].weight * tf * (k1 + 1) / (tf + norm)
                    next[i] -= 1
                }
                i -= 1
            }
            if score > top.threshold || top.heap.count < top.k {
                top.push(TopK.Entry(score: score, ts: seg.ts[d], address: DocAddress(segment: s, doc: d)))
                updateEssential()
            }
        }
        if essential > 0 { exact = false }
        return scored
    }

    /// The documents that pass the filters, without text: newest (or oldest) first, up to `limit` per
    /// segment.
    func filtered(_ s: Int, filter: ResolvedFilter, newestFirst: Bool, limit: Int) -> [DocAddress] {
        let seg = segments[s]
        guard !filter.impossible else { return [] }
        var out: [DocAddress] = []
        if newestFirst {
            var d = filter.docs.upperBound - 1
            while d >= filter.docs.lowerBound, out.count < limit {
                if isLive(s, d), filter.matches(seg, d) { out.append(DocAddress(segment: s, doc: d)) }
                d -= 1
            }
        } else {
            var d = filter.docs.lowerBound
            while d < filter.docs.upperBound, out.count < limit {
                if isLive(s, d), filter.matches(seg, d) { out.append(DocAddress(segment: s, doc: d)) }
                d += 1
            }
        }
        return out
    }

    /// The BM25 score of one document for `terms` (a lookup per term in its posting list).
    func score(_ a: DocAddress, terms: [WeightedTerm]) -> Float {
        let seg = segments[a.segment]
        guard a.doc < seg.docCount else { return 0 }
        let k1 = Snapshot.k1, b = Snapshot.b
        let norm = k1 * (1 - b + b * Float(seg.docLength[a.doc]) / averageDocLength)
        var score: Float = 0
        for t in terms {
            guard let r = seg.postings(t.hash) else { continue }
            let p = seg.firstPosting(in: r, atLeast: a.doc)
            if p < r.upperBound, Int(seg.postDoc[p]) == a.doc {
                let tf = Float(seg.postTF[p])
                score += t.count * t.idf * tf * (k1 + 1) / (tf + norm)
            }
        }
        return score
    }

    /// Runs a query: (document, score) best first, and how many documents matched (-1: not counted).
    func run(_ q: SearchQuery) -> (hits: [(DocAddress, Float)], total: Int) {
        let r = runCounted(q)
        return (r.hits, r.total.exact ? r.total.count : -1)
    }

    /// Runs a query: (document, score) best first, and how many documents matched (a lower bound when
    /// not exact).
    func runCounted(_ q: SearchQuery) -> (hits: [(DocAddress, Float)], total: (count: Int, exact: Bool)) {
        let limit = max(0, q.limit)
        guard limit > 0 else { return ([], (0, false)) }
        let terms = weightedTerms(q.text)
        let filters = segments.map { ResolvedFilter(q, segment: $0) }
        if terms.isEmpty {
            let newest = q.order != .oldestFirst
            if !q.text.trimmingCharacters(in: " \t\n").isEmpty { return ([], (0, true)) } // only stopwords or punctuation
            var all: [DocAddress] = []
            for s in segments.indices { all += filtered(s, filter: filters[s], newestFirst: newest, limit: limit) }
            all.sort { a, b in
                let ta = segments[a.segment].ts[a.doc], tb = segments[b.segment].ts[b.doc]
                return newest ? ta > tb : ta < tb
            }
            return (all.prefix(limit).map { ($0, 0) }, (all.count, all.count < limit))
        }
        switch q.order {
        case .relevance:
            var top = TopK(k: limit)
            var total = 0
            var exact = true
            for s in segments.indices {
                total += topK(s, terms: terms, filter: filters[s], into: &top, exact: &exact)
            }
            return (top.sorted().map { ($0.address, $0.score) }, (total, exact))
        case .newestFirst, .oldestFirst:
            let newest = q.order == .newestFirst
            var all: [(DocAddress, Float, Int64)] = []
            var total = 0
            for s in segments.indices {
                let seg = segments[s]
                var matches: [(DocAddress, Float, Int64)] = []
                forEachMatch(s, terms: terms, filter: filters[s], requireAll: true) { d, score in
                    total += 1
                    if !newest && matches.count >= limit { return }
                    matches.append((DocAddress(segment: s, doc: d), score, seg.ts[d]))
                }
                all += newest ? Array(matches.suffix(limit)) : matches
            }
            all.sort { newest ? $0.2 > $1.2 : $0.2 < $1.2 }
            return (all.prefix(limit).map { ($0.0, $0.1) }, (total, true))
        }
    }
}

/// `log` without Foundation.
@inline(__always) func log(_ x: Float) -> Float { Float(_log(Double(x))) }

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
#elseif canImport(Musl)
import Musl
@inline(__always) private func _log(_ x: Double) -> Double { Musl.log(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
#endif
