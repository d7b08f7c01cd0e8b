import MemoryModel

/// Events counted per component lane and time bucket, by severity: what a zoomed-out timeline draws
/// instead of the events themselves, so that a view of 90 days on a memory of a million events costs a
/// few kilobytes. Read from the index's columns only (no note is opened).
public struct TimelineBuckets: Sendable, Equatable {
    public struct Lane: Sendable, Equatable {
        /// The events' first affected component (or its stack); "" for events that name none.
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
    /// The omitted lanes added up into one (its component ""), so that every event is still counted in
    /// view; nil when no lane was omitted.
    public var others: Lane?
    /// Every matching event, in shown and omitted lanes.
    public var total: Int
    /// Events of each severity (info, warning, error, critical) over the whole range.
    public var severityTotals: [Int]
}

/// What a lane of `MemoryIndex.buckets` holds.
public enum LaneGrouping: String, Sendable, CaseIterable {
    /// One lane per event's first affected component.
    case component
    /// One lane per the first word of that component's name (`payments` for `payments-api` and
    /// `payments-db`): a stack, as components are usually named.
    case prefix

    public func lane(of component: String) -> String {
        guard self == .prefix, let cut = component.firstIndex(where: { $0 == "-" || $0 == "_" || $0 == "." }),
              cut != component.startIndex else { return component }
        return String(component[..<cut])
    }
}

extension MemoryIndex {
    /// Counts the events that pass `query`'s filters (and contain every word of its text) in
    /// `[query.since, query.until)`, split into `count` equal buckets and one lane per first component
    /// (or per stack). Both bounds are required; the query's order and limit are ignored.
    public func buckets(_ query: SearchQuery, count: Int, maxLanes: Int, grouping: LaneGrouping = .component) -> TimelineBuckets {
        let start = query.since ?? Timestamp(milliseconds: 0)
        let end = query.until ?? Timestamp.now()
        let n = max(1, count)
        let span = max(Int64(n), end.milliseconds - start.milliseconds)
        let width = (span + Int64(n) - 1) / Int64(n)
        var q = query
        q.kinds = [.event]
        // Lanes by name (strings are per segment, so both segments add up), each a flat [bucket × 4] array.
        var laneIndex: [String: Int] = [:]
        var names: [String] = []
        var cells: [[Int]] = []
        var totals: [Int] = []
        var severityTotals = [0, 0, 0, 0]
        var total = 0
        let snap = snapshot
        var slots: [UInt32: Int] = [:] // component string id → lane, for the segment being read
        var slotSegment: ObjectIdentifier?
        func lane(named name: String) -> Int {
            if let i = laneIndex[name] { return i }
            laneIndex[name] = names.count
            names.append(name)
            cells.append([Int](repeating: 0, count: n * 4))
            totals.append(0)
            return names.count - 1
        }
        snap.forEachEvent(q) { seg, d in
            let b = Int((seg.ts[d] - start.milliseconds) / width)
            guard b >= 0, b < n else { return }
            if slotSegment != ObjectIdentifier(seg) { slots = [:]; slotSegment = ObjectIdentifier(seg) }
            let range = seg.componentRange(d)
            let l: Int
            if range.isEmpty {
                l = lane(named: "")
            } else {
                let id = seg.components[range.lowerBound]
                if let known = slots[id] { l = known } else {
                    l = lane(named: grouping.lane(of: seg.string(id)))
                    slots[id] = l
                }
            }
            let sev = Int(min(seg.severity[d], 3))
            cells[l][b * 4 + sev] += 1
            totals[l] += 1
            severityTotals[sev] += 1
            total += 1
        }
        let ordered = names.indices.sorted { totals[$0] != totals[$1] ? totals[$0] > totals[$1] : names[$0] < names[$1] }
        let shown = ordered.prefix(max(0, maxLanes))
        func nonEmpty(_ flat: [Int]) -> [(index: Int, counts: [Int])] {
            var out: [(index: Int, counts: [Int])] = []
            for b in 0..<n {
                let c = Array(flat[(b * 4)..<(b * 4 + 4)])
                if c != [0, 0, 0, 0] { out.append((b, c)) }
            }
            return out
        }
        let lanes = shown.map { l in TimelineBuckets.Lane(component: names[l], total: totals[l], buckets: nonEmpty(cells[l])) }
        let omitted = ordered.dropFirst(shown.count)
        var others: TimelineBuckets.Lane?
        if !omitted.isEmpty {
            var sum = [Int](repeating: 0, count: n * 4)
            for l in omitted { for i in 0..<(n * 4) { sum[i] += cells[l][i] } }
            others = TimelineBuckets.Lane(component: "", total: omitted.reduce(0) { $0 + totals[$1] }, buckets: nonEmpty(sum))
        }
        return TimelineBuckets(start: start, end: Timestamp(milliseconds: start.milliseconds + width * Int64(n)),
                               bucketMilliseconds: width, bucketCount: n, lanes: lanes, omittedLanes: omitted.count,
                               omittedEvents: omitted.reduce(0) { $0 + totals[$1] }, others: others, total: total,
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
