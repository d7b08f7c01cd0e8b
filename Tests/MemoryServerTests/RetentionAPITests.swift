import Foundation
import MemoryModel
import MemoryStore
import Testing
import TestSupport

/// GET /memory/timeline/event/{id} of events in a month retention rolled up: one kept whole in the summary
/// (through the index), one only counted (read back from the commit that holds its day file).
@Suite struct RetentionAPITests {
    @Test func eventsOfACompactedRangeStillResolve() async throws {
        let f = try ServerFixture()
        let store = try f.store()
        let counted = TimelineEvent(id: "ev-20260310-080000-00000000c1", timestamp: Timestamp(iso8601: "2026-03-10T08:00:00Z")!,
                                    type: "git_commit", source: "git", description: "a plain commit", components: ["api"])
        let kept = TimelineEvent(id: "ev-20260310-090000-00000000c2", timestamp: Timestamp(iso8601: "2026-03-10T09:00:00Z")!,
                                 type: "alert", source: "k8s", description: "api down", components: ["api"], severity: .critical)
        try store.recordEvents([counted, kept])
        let detail = try f.git("rev-parse", "HEAD").trimmed
        let report = try store.applyRetention(today: Timestamp(iso8601: "2026-06-30")!)
        #expect(report.commit != nil)
        #expect(report.detail == detail)
        try await f.withClient { api in
            let plain = try await api.get("/memory/timeline/event/ev-20260310-080000-00000000c1")
            #expect(plain.status == 200, "\(plain.text)")
            #expect(plain["event"]?["description"] == .string("a plain commit"))
            #expect(plain["location"] == .string("\(detail):timeline/2026/03/2026-03-10.md"))
            let whole = try await api.get("/memory/timeline/event/ev-20260310-090000-00000000c2")
            #expect(whole.status == 200, "\(whole.text)")
            #expect(whole["location"]?.stringValue?.hasPrefix("timeline/2026/03/summary.md:") == true, "\(whole.text)")
            let missing = try await api.get("/memory/timeline/event/ev-20260310-100000-00000000c3")
            #expect(missing.status == 404)
        }
    }
}
