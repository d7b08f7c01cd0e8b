import Foundation
import MemoryModel
@testable import MemoryStore
import Testing
import TestSupport

/// Retention in the store: the commit it makes, a failed commit losing nothing, and the daily schedule.
@Suite struct RetentionStoreTests {
    @Test func theScheduleRunsOncePerDayAndNotRightAfterStart() throws {
        let f = try StoreFixture()
        try f.store.recordEvents([StoreFixture.event("2026-03-10T08:00:00Z"), StoreFixture.event("2026-03-12T08:00:00Z")])
        let start = Timestamp(iso8601: "2026-06-10T23:55:00Z")!
        let schedule = RetentionSchedule(delaySeconds: 600, now: start)
        #expect(try schedule.runIfDue(store: f.store, now: start.adding(seconds: 60)) == nil, "not in the first 10 minutes")
        // 2026-06-11: 2026-03-10 is 93 days old, 2026-03-12 is 91: both due.
        let first = try #require(try schedule.runIfDue(store: f.store, now: start.adding(seconds: 601)))
        #expect(first.commit != nil)
        #expect(first.plan.dayCount == 2)
        #expect(try schedule.runIfDue(store: f.store, now: start.adding(seconds: 3600)) == nil, "once per day")
        // A new process the same day does not run it again either: the day is kept in .git/cmem.
        let restarted = RetentionSchedule(delaySeconds: 0, now: start.adding(seconds: 7200))
        #expect(try restarted.runIfDue(store: f.store, now: start.adding(seconds: 7200)) == nil)
        let nextDay = try #require(try restarted.runIfDue(store: f.store, now: start.adding(seconds: 86400 + 600)))
        #expect(nextDay.commit == nil, "nothing due: no commit")
    }

    @Test func removalsAreCommittedAndTheDetailIsTheParent() throws {
        let f = try StoreFixture()
        try f.store.recordEvents([StoreFixture.event("2026-03-10T08:00:00Z")])
        let before = try f.git("rev-parse", "HEAD").trimmed
        let report = try f.store.applyRetention(today: Timestamp(iso8601: "2026-06-30")!)
        let commit = try #require(report.commit)
        #expect(report.detail == before)
        #expect(try f.git("rev-parse", "\(commit)~1").trimmed == before)
        #expect(try f.git("status", "--porcelain").trimmed.isEmpty)
        #expect(try f.git("ls-files", "timeline/2026/03").stdout == "timeline/2026/03/summary.md\n")
        // Nothing is left beside the removed file (it was set aside, then dropped once committed).
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.root + "/timeline/2026/03") == ["summary.md"])
    }
}

