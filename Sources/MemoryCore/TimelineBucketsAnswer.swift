import MemoryIndex
import MemoryModel

/// Events counted per component lane and time bucket, by severity: what the web timeline draws when a
/// range holds too many events to send. The JSON is docs/openapi.yaml's answer to
/// GET /memory/timeline/buckets.
public struct TimelineBucketsAnswer: Sendable {
    public var buckets: TimelineBuckets
    public var freshness: Freshness

    public var json: JSONValue {
        let b = buckets
        func severities(_ c: [Int]) -> JSONValue {
            .object(zip(Severity.allCases, c).map { ($0.0.rawValue, .number(Double($0.1))) })
        }
        return .object([
            ("start", .string(b.start.iso8601)),
            ("end", .string(b.end.iso8601)),
            ("bucket_ms", .number(Double(b.bucketMilliseconds))),
            ("bucket_count", .number(Double(b.bucketCount))),
            ("total", .number(Double(b.total))),
            ("severity_totals", severities(b.severityTotals)),
            // Cells as [bucket, info, warning, error, critical]: a 90-day view of every lane stays small.
            ("lanes", .array(b.lanes.map(TimelineBucketsAnswer.lane))),
            ("omitted_lanes", .number(Double(b.omittedLanes))),
            ("omitted_events", .number(Double(b.omittedEvents))),
            ("others", b.others.map(TimelineBucketsAnswer.lane) ?? .null),
            ("warnings", .array(freshness.warnings.prefix(20).map(\.json))),
            ("index", AnswerJSON.freshness(freshness)),
        ])
    }

    static func lane(_ lane: TimelineBuckets.Lane) -> JSONValue {
        .object([
            ("component", .string(lane.component)),
            ("total", .number(Double(lane.total))),
            ("cells", .array(lane.buckets.map { cell in .array([.number(Double(cell.index))] + cell.counts.map { .number(Double($0)) }) })),
        ])
    }
}
