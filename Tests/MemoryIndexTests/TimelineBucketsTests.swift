import CmemFixtures
import MemoryModel
import Testing
import TestSupport
@testable import MemoryIndex

/// `MemoryIndex.buckets` (counted on the index's columns) against the reference answer: the same events
/// read one by one through `timeline(_:)` and counted here, across both segments (base and delta).
@Suite struct TimelineBucketsTests {
    static func reference(_ index: MemoryIndex, _ query: SearchQuery, count: Int, grouping: LaneGrouping) -> [String: [Int: [Int]]] {
        var q = query
        q.limit = 1_000_000
        q.order = .oldestFirst
        let start = query.since!.milliseconds, span = query.until!.milliseconds - start
        let width = (span + Int64(count) - 1) / Int64(count)
        var out: [String: [Int: [Int]]] = [:]
        for e in index.timeline(q) {
            let lane = grouping.lane(of: e.components.first ?? "")
            let b = Int((e.timestamp.milliseconds - start) / width)
            let sev = Severity.allCases.firstIndex(of: e.severity)!
            out[lane, default: [:]][b, default: [0, 0, 0, 0]][sev] += 1
        }
        return out
    }

    static func counted(_ b: TimelineBuckets) -> [String: [Int: [Int]]] {
        var out: [String: [Int: [Int]]] = [:]
        for lane in b.lanes { for cell in lane.buckets { out[lane.component, default: [:]][cell.index] = cell.counts } }
        return out
    }

    @Test func bucketsEqualTheEventsCountedOneByOne() throws {
        let repo = try TemporaryGitRepository()
        let start = Timestamp(seconds: 1_767_225_600) // 2026-01-01
        var noise = NoiseGenerator(seed: 7)
        let events = noise.events(count: 3000, from: start, to: start.adding(seconds: 20 * 86400))
        _ = try repo.commit(try MemoryFiles.write(events: events, to: repo.path))
        let index = try Fixture.open(repo)
        // Later events land in the delta segment.
        let later = noise.events(count: 400, from: start.adding(seconds: 20 * 86400), to: start.adding(seconds: 25 * 86400))
        let paths = try MemoryFiles.write(events: later, to: repo.path)
        try index.apply(writtenPaths: paths)
        #expect(index.snapshot.delta.docCount > 0)

        let queries: [(SearchQuery, LaneGrouping)] = [
            (SearchQuery(), .component),
            (SearchQuery(), .prefix),
            (SearchQuery(severities: SearchQuery.severities(atLeast: .warning)), .component),
            (SearchQuery(eventTypes: ["pod_restart", "deployment"], components: ["github-api", "redis-db"]), .component),
            (SearchQuery("restarted"), .prefix),
        ]
        for (base, grouping) in queries {
            var q = base
            q.since = start.adding(seconds: 3 * 86400 + 1234)
            q.until = start.adding(seconds: 24 * 86400)
            let b = index.buckets(q, count: 97, maxLanes: 1000, grouping: grouping)
            let expected = TimelineBucketsTests.reference(index, q, count: 97, grouping: grouping)
            #expect(TimelineBucketsTests.counted(b) == expected, "\(base.text) \(base.severities) \(grouping)")
            #expect(b.total == expected.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.reduce(0, +) } })
            #expect(b.total > 0)
            #expect(b.omittedLanes == 0)
            #expect(b.lanes.map(\.total) == b.lanes.map(\.total).sorted(by: >))
        }
        // The lane limit keeps the busiest lanes and says what it left out.
        var q = SearchQuery()
        q.since = start
        q.until = start.adding(seconds: 30 * 86400)
        let all = index.buckets(q, count: 10, maxLanes: 1000)
        let top = index.buckets(q, count: 10, maxLanes: 5)
        #expect(top.lanes == Array(all.lanes.prefix(5)))
        #expect(top.omittedLanes == all.lanes.count - 5)
        #expect(top.omittedEvents == all.lanes.dropFirst(5).reduce(0) { $0 + $1.total })
        // The omitted lanes are still counted, added up into one.
        let others = try #require(top.others)
        #expect(others.total == top.omittedEvents)
        var summed: [Int: [Int]] = [:]
        for lane in all.lanes.dropFirst(5) {
            for cell in lane.buckets { summed[cell.index] = zip(summed[cell.index] ?? [0, 0, 0, 0], cell.counts).map { $0 + $1 } }
        }
        #expect(Dictionary(uniqueKeysWithValues: others.buckets.map { ($0.index, $0.counts) }) == summed)
        #expect(all.others == nil)
        #expect(top.total == 3400)
        #expect(top.severityTotals.reduce(0, +) == 3400)
    }
}
