import MemoryModel

/// Events counted per component lane and time bucket, by severity: what a zoomed-out timeline draws
/// instead of the events themselves, so that a view of 90 days on a memory of a million events costs a
/// few kilobytes. Read from the index's columns only (no note is opened).
public struct TimelineBuckets: Sendable, Equatable {
    public struct Lane: Sendable, Equatable {
        /// The events' first affected component; "" for events that name none.
        public var component: String
        public var total: Int
        /// Non-empty buckets only: (bucket number, counts by severity: info, warning, error, critical).
        public var buckets: [(index: Int, counts: [Int])]

        public static func == (a: Lane, b: Lane) -> Bool {
            a.component == b.component && a.total == b.total && a.buckets.elementsEqual(b.buckets) { $0.index == $1.index && $0.counts == $1.counts }
        }
    }

    public var start: Timestamp
    /// Exclusive.
    public var end: Timestamp
    public var bucketMilliseconds: Int64
    public var bucketCount: Int
    /// The busiest lanes first (ties by name), at most the lane limit.
    public var lanes: [Lane]
    /// Lanes left out by the limit, and the events in them.
    public var omittedLanes: Int
    public var omittedEvents: Int
    /// Every matching event, in shown and omitted lanes.
    public var total: Int
    /// Events of each severity (info, warning, error, critical) over the whole range.
    public var severityTotals: [Int]
}

extension MemoryIndex {
    /// Counts the events that pass `query`'s filters (and contain every word of its text) in
    /// `[query.since, query.until)`, split into `count` equal buckets and one lane per first component.
    /// Both bounds are required; the query's order and limit are ignored.
    public func buckets(_ query: SearchQuery, count: Int, maxLanes: Int) -> TimelineBuckets {
        let start = query.since ?? Timestamp(milliseconds: 0)
        let end = query.until ?? Timestamp.now()
        let n = max(1, count)
        let span = max(Int64(n), end.milliseconds - start.milliseconds)
        let width = (span + Int64(n) - 1) / Int64(n)
        var q = query
        q.kinds = [.event]
        var counts: [String: (total: Int, cells: [Int: [Int]])] = [:]
        var severityTotals = [0, 0, 0, 0]
        var total = 0
        let snap = snapshot
        snap.forEachEvent(q) { seg, d in
            let ts = seg.ts[d]
            let b = Int((ts - start.milliseconds) / width)
            guard b >= 0, b < n else { return }
            let range = seg.componentRange(d)
            // Strings are per segment: the lane is keyed by name so both segments add up.
            let lane = range.isEmpty ? "" : seg.string(seg.components[range.lowerBound])
            let sev = Int(min(seg.severity[d], 3))
            counts[lane, default: (0, [:])].total += 1
            counts[lane]!.cells[b, default: [0, 0, 0, 0]][sev] += 1
            severityTotals[sev] += 1
            total += 1
        }
        let ordered = counts.sorted { $0.value.total != $1.value.total ? $0.value.total > $1.value.total : $0.key < $1.key }
        let shown = ordered.prefix(max(0, maxLanes))
        let lanes = shown.map { name, v in
            TimelineBuckets.Lane(component: name, total: v.total, buckets: v.cells.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        let omitted = ordered.dropFirst(shown.count)
        return TimelineBuckets(start: start, end: Timestamp(milliseconds: start.milliseconds + width * Int64(n)),
                               bucketMilliseconds: width, bucketCount: n, lanes: lanes, omittedLanes: omitted.count,
                               omittedEvents: omitted.reduce(0) { $0 + $1.value.total }, total: total,
                               severityTotals: severityTotals)
    }
}

extension Snapshot {
    /// Calls `body` for every live document that passes `query`'s filters and contains all its terms,
    /// segment by segment (not in one time order).
    func forEachEvent(_ query: SearchQuery, _ body: (Segment, Int) -> Void) {
        let terms = weightedTerms(query.text)
        if terms.isEmpty, !query.text.trimmingCharacters(in: " \t\n").isEmpty { return } // only stopwords or punctuation
        for (s, seg) in segments.enumerated() {
            let filter = ResolvedFilter(query, segment: seg)
            guard !filter.impossible else { continue }
            if terms.isEmpty {
                for d in filter.docs where isLive(s, d) && filter.matches(seg, d) { body(seg, d) }
            } else {
                forEachMatch(s, terms: terms, filter: filter, requireAll: true) { d, _ in body(seg, d) }
            }
        }
    }
}
