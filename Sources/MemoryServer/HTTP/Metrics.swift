import Foundation

/// Counters and histograms for `GET /metrics`, written in the Prometheus text format by hand (the format
/// is simple; a metrics library would be more code than this).
public final class ServerMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private struct RequestKey: Hashable { let method: String; let route: String; let status: Int }
    private var requests: [RequestKey: Int] = [:]
    private var latency: [String: Histogram] = [:]
    private var webhooks: [String: Int] = [:]
    private var inFlight = 0
    public let startTime = Date()

    /// Seconds; the last bucket is +Inf.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Histogram {
        var counts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
        var count = 0
        var sum = 0.0
    }

    public init() {}

    func begin() {
        lock.lock(); inFlight += 1; lock.unlock()
    }

    func end(method: String, route: String, status: Int, seconds: Double) {
        lock.lock()
        defer { lock.unlock() }
        inFlight -= 1
        requests[RequestKey(method: method, route: route, status: status), default: 0] += 1
        var h = latency[route] ?? Histogram()
        if let i = ServerMetrics.buckets.firstIndex(where: { seconds <= $0 }) { h.counts[i] += 1 }
        h.count += 1
        h.sum += seconds
        latency[route] = h
    }

    func webhook(source: String, result: String) {
        lock.lock(); webhooks["\(source)\u{1}\(result)", default: 0] += 1; lock.unlock()
    }

    /// Values read from the service when /metrics is scraped.
    public struct Snapshot: Sendable {
        public var lastCommit: String?
        public var lastCommitTime: Int64?
        public var commits: Int
        public var eventsRecorded: Int
        public var indexDocuments: [String: Int]
        public var indexAvailable: Bool
    }

    public func render(_ s: Snapshot) -> String {
        lock.lock()
        let requests = self.requests, latency = self.latency, webhooks = self.webhooks, inFlight = self.inFlight
        lock.unlock()
        var out = ""
        out += "# HELP cmem_http_requests_total HTTP requests answered, by method, route and status.\n"
        out += "# TYPE cmem_http_requests_total counter\n"
        for (k, v) in requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out += "cmem_http_requests_total{method=\(label(k.method)),route=\(label(k.route)),status=\"\(k.status)\"} \(v)\n"
        }
        out += "# HELP cmem_http_request_duration_seconds Time to answer a request, by route.\n"
        out += "# TYPE cmem_http_request_duration_seconds histogram\n"
        for (route, h) in latency.sorted(by: { $0.key < $1.key }) {
            var cumulative = 0
            for (i, le) in ServerMetrics.buckets.enumerated() {
                cumulative += h.counts[i]
                out += "cmem_http_request_duration_seconds_bucket{route=\(label(route)),le=\"\(le)\"} \(cumulative)\n"
            }
            out += "cmem_http_request_duration_seconds_bucket{route=\(label(route)),le=\"+Inf\"} \(h.count)\n"
            out += "cmem_http_request_duration_seconds_sum{route=\(label(route))} \(h.sum)\n"
            out += "cmem_http_request_duration_seconds_count{route=\(label(route))} \(h.count)\n"
        }
        out += "# HELP cmem_http_requests_in_flight Requests being answered now.\n"
        out += "# TYPE cmem_http_requests_in_flight gauge\ncmem_http_requests_in_flight \(inFlight)\n"
        out += "# HELP cmem_webhook_deliveries_total Webhook deliveries, by source and result.\n"
        out += "# TYPE cmem_webhook_deliveries_total counter\n"
        for (k, v) in webhooks.sorted(by: { $0.key < $1.key }) {
            let parts = k.split(separator: "\u{1}", omittingEmptySubsequences: false)
            out += "cmem_webhook_deliveries_total{source=\(label(String(parts[0]))),result=\(label(String(parts[1])))} \(v)\n"
        }
        out += "# HELP cmem_commits_total Commits made by this server.\n"
        out += "# TYPE cmem_commits_total counter\ncmem_commits_total \(s.commits)\n"
        out += "# HELP cmem_events_recorded_total Timeline events recorded by this server (duplicates not counted).\n"
        out += "# TYPE cmem_events_recorded_total counter\ncmem_events_recorded_total \(s.eventsRecorded)\n"
        out += "# HELP cmem_index_available Whether the search index is loaded (1) or queries scan the notes (0).\n"
        out += "# TYPE cmem_index_available gauge\ncmem_index_available \(s.indexAvailable ? 1 : 0)\n"
        out += "# HELP cmem_index_documents Documents in the search index, by kind.\n"
        out += "# TYPE cmem_index_documents gauge\n"
        for (kind, n) in s.indexDocuments.sorted(by: { $0.key < $1.key }) {
            out += "cmem_index_documents{kind=\(label(kind))} \(n)\n"
        }
        out += "# HELP cmem_repository_last_commit_info The memory repository's HEAD commit.\n"
        out += "# TYPE cmem_repository_last_commit_info gauge\n"
        out += "cmem_repository_last_commit_info{commit=\(label(s.lastCommit ?? ""))} 1\n"
        if let t = s.lastCommitTime {
            out += "# HELP cmem_repository_last_commit_timestamp_seconds When HEAD was committed.\n"
            out += "# TYPE cmem_repository_last_commit_timestamp_seconds gauge\ncmem_repository_last_commit_timestamp_seconds \(t)\n"
        }
        out += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
        out += "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes \(ServerMetrics.residentBytes())\n"
        out += "# HELP process_start_time_seconds Start time of the process since the Unix epoch in seconds.\n"
        out += "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds \(Int(startTime.timeIntervalSince1970))\n"
        return out
    }

    private func label(_ s: String) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out + "\""
    }

    /// Resident set size from /proc/self/statm (0 where there is none).
    public static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
