import Foundation
import Testing
import MemoryModel
@testable import MemoryStore
import TestSupport

/// The store's side of "one commit, one event": reports of one SHA join the event recorded first, in the
/// same call or a later one, across a day boundary; other events are untouched; a hand-written block
/// around it is kept.
@Suite struct SameCommitStoreTests {
    static let sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"

    static func commit(_ time: String, source: String, type: String = GitEventType.commit, details: [(String, JSONValue)] = [],
                       components: [String] = ["widgets"]) -> TimelineEvent {
        let t = Timestamp(iso8601: time)!
        return TimelineEvent(id: Identifier.derived(.event, at: t, content: GitEventType.idContent(type: type, sha: sha)), timestamp: t,
                             type: type, source: source, description: "Commit \(sha.prefix(7)) by \(source)",
                             details: .object([("sha", .string(sha))] + details), components: components)
    }

    @Test func aSecondReportJoinsTheFirstAcrossMidnight() throws {
        let f = try StoreFixture()
        let other = StoreFixture.event("2026-01-19T00:10:00Z", "unrelated")
        let hook = Self.commit("2026-01-19T00:30:00Z", source: "git", details: [("branch", .string("main"))])
        #expect(try f.store.recordEvents([other, hook]).filter { if case .added = $0 { true } else { false } }.count == 2)
        let before = try f.read(hook.dayPath)
        let push = Self.commit("2026-01-18T23:30:00Z", source: "github", details: [("url", .string("https://github.com/acme/widgets/commit/\(Self.sha)"))],
                               components: ["widgets-api"])
        let writes = try f.store.recordEvents([push])
        guard case let .merged(joined)? = writes.first else { Issue.record("expected a join: \(writes)"); return }
        #expect(joined.id == hook.id)
        #expect(GitEventType.sources(of: joined) == ["git", "github"])
        #expect(joined.details["branch"] == .string("main") && joined.details["url"] != nil)
        #expect(joined.components == ["widgets", "widgets-api"])
        // Nothing was added to the push's own day, and the unrelated event's block is byte for byte the same.
        #expect(try f.store.events(inDayFile: push.dayPath).events.isEmpty)
        let after = try f.read(hook.dayPath)
        let unrelatedBlock = before.components(separatedBy: "## ").first { $0.contains("unrelated") }
        #expect(unrelatedBlock.map(after.contains) == true)
        #expect(try f.store.events(inDayFile: hook.dayPath).events.count == 2)
        // The same report again changes nothing and makes no commit.
        let commits = try f.store.git.log().count
        #expect(try f.store.recordEvents([push]).first.map { if case .duplicate = $0 { true } else { false } } == true)
        #expect(try f.store.git.log().count == commits)
    }

    @Test func reportsInOneCallAreOneEventAndAMergeWins() throws {
        let f = try StoreFixture()
        let push = Self.commit("2026-01-19T10:00:00Z", source: "github")
        let pr = Self.commit("2026-01-19T10:00:05Z", source: "github", type: GitEventType.merge, details: [("number", .string("42"))])
        let writes = try f.store.recordEvents([push, pr])
        #expect(writes.count == 2)
        let events = try f.store.events(inDayFile: push.dayPath).events
        #expect(events.count == 1)
        #expect(events.first?.type == GitEventType.merge && events.first?.details["number"] == .string("42"))
    }

    @Test func fastForwardsAreTheirOwnEvents() throws {
        let f = try StoreFixture()
        let commit = Self.commit("2026-01-19T10:00:00Z", source: "git")
        var ff = Self.commit("2026-01-19T11:00:00Z", source: "git", type: GitEventType.merge, details: [("merge", .string("fast_forward"))])
        ff.id = Identifier.derived(.event, at: ff.timestamp, content: "ff")
        try f.store.recordEvents([commit])
        #expect(try f.store.recordEvents([ff]).first.map { if case .added = $0 { true } else { false } } == true)
        #expect(try f.store.events(inDayFile: commit.dayPath).events.count == 2)
    }

    @Test func shasAreFoundInAnyShape() {
        let text = "sha: \(Self.sha)\nshort \(Self.sha.prefix(7)) and a longer run \(Self.sha)ab and \(Self.sha.uppercased())"
        #expect(MemoryStore.hexRuns(Array(text.utf8)) == [Self.sha])
    }
}
