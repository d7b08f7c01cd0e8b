import Foundation
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

@Suite struct TimelineAPITests {
    static let deploy = """
        {"event_id": "ev-20260119-100000-0000000001", "timestamp": "2026-01-19T10:00:00Z", "event_type": "deployment",
         "source": "argocd", "description": "Synced github-mcp-server to abc123", "details": {"sha": "abc123"},
         "affected_components": ["github-mcp-server"], "severity": "info"}
        """
    static let crash = """
        {"event_id": "ev-20260119-101500-0000000002", "timestamp": "2026-01-19T10:15:00Z", "event_type": "pod_restart",
         "source": "k8s", "description": "github-mcp-server crash looping", "caused_by": "ev-20260119-100000-0000000001",
         "affected_components": ["github-mcp-server"], "severity": "error"}
        """

    @Test func recordQueryAndRelate() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let one = try await api.post("/memory/timeline/events", TimelineAPITests.deploy)
            #expect(one.status == 201)
            #expect(one["recorded"] == .number(1))
            #expect(one["events"]?.json.contains("\"status\": \"recorded\"") == true)
            // The same event again is a duplicate: 200, nothing written.
            let again = try await api.post("/memory/timeline/events", TimelineAPITests.deploy)
            #expect(again.status == 200)
            #expect(again["duplicates"] == .number(1))
            // A batch is one commit.
            let batch = try await api.post("/memory/timeline/events", """
                {"events": [\(TimelineAPITests.crash),
                 {"timestamp": "2026-01-20T09:00:00Z", "event_type": "config_change", "source": "git",
                  "description": "Raised memory limit", "affected_components": ["other-service"]}]}
                """)
            #expect(batch.status == 201)
            #expect(batch["recorded"] == .number(2))

            let all = try await api.get("/memory/timeline?start=2026-01-19&end=2026-01-20")
            #expect(all.status == 200)
            #expect(all["count"] == .number(3))
            let filtered = try await api.get("/memory/timeline?start=2026-01-19&end=2026-01-19&type=deployment&component=github-mcp-server&source=argocd")
            #expect(filtered["count"] == .number(1))
            #expect(filtered["events"]?.json.contains("ev-20260119-100000-0000000001") == true)
            let severe = try await api.get("/memory/timeline?severity=error")
            #expect(severe["count"] == .number(1))
            let latest = try await api.get("/memory/timeline?limit=1")
            #expect(latest["events"]?.json.contains("Raised memory limit") == true)
            #expect(latest["truncated"] == .bool(true))
            let twoTypes = try await api.get("/memory/timeline?type=deployment&type=config_change")
            #expect(twoTypes["count"] == .number(2))

            // Relations: caused_by and the derived caused.
            let cause = try await api.get("/memory/timeline/event/ev-20260119-100000-0000000001")
            #expect(cause.status == 200)
            #expect(cause["caused_by"] == .null)
            #expect(cause["caused"]?.json.contains("ev-20260119-101500-0000000002") == true)
            let effect = try await api.get("/memory/timeline/event/ev-20260119-101500-0000000002")
            #expect(effect["caused_by"]?["event_id"] == .string("ev-20260119-100000-0000000001"))

            let history = try await api.get("/memory/timeline/component/github-mcp-server")
            #expect(history.status == 200)
            #expect(history["component"] == .string("github-mcp-server"))
            #expect(history["count"] == .number(2))

            // Correlation: the deployment is the probable cause of the crash loop.
            let c = try await api.post("/memory/timeline/correlate",
                                       #"{"symptom": "github-mcp-server crash looping", "timeframe": "24h", "at": "2026-01-19T11:00:00Z"}"#)
            #expect(c.status == 200)
            #expect(c["probable_cause"]?["event_id"] == .string("ev-20260119-100000-0000000001"))
            // The crash loop is the symptom itself: where its episode began (the onset), not a related event.
            #expect(c["onset_event"]?["event_id"] == .string("ev-20260119-101500-0000000002"))
            #expect(c["related_events"]?.json.contains("ev-20260119-101500-0000000002") == false)
            #expect(c["symptom_components"] == .array([.string("github-mcp-server")]))
            let none = try await api.post("/memory/timeline/correlate", #"{"symptom": "disk full", "timeframe": 60, "at": "2026-01-01T00:00:00Z"}"#)
            #expect(none.status == 200)
            #expect(none["probable_cause"] == .null)
        }
        // Three events, two commits after init (the duplicate made none).
        #expect(try f.commitCount() == 3)
        let day = try f.dir.read("memory/timeline/2026/01/2026-01-19.md")
        #expect(day.contains("event_id: ev-20260119-100000-0000000001"))
    }

    /// A query parameter a route does not take is a 400 naming it, not an answer that silently ignores
    /// it (`since` on the timeline gave the latest events). The timeline takes `since`/`until` as well as
    /// `start`/`end`, the words the CLI, MCP and /memory/search use.
    @Test func unknownQueryParametersAreRefusedAndTheTimelineTakesSinceAndUntil() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            #expect(try await api.post("/memory/timeline/events", TimelineAPITests.deploy).status == 201)
            #expect(try await api.post("/memory/timeline/events", TimelineAPITests.crash).status == 201)
            let byStart = try await api.get("/memory/timeline?start=2026-01-19T10:10:00Z&end=2026-01-19")
            let bySince = try await api.get("/memory/timeline?since=2026-01-19T10:10:00Z&until=2026-01-19")
            #expect(byStart.status == 200 && byStart["events"]?.json.contains("crash looping") == true && byStart["count"] == .number(1), "\(byStart.text)")
            #expect(bySince.json == byStart.json)
            let both = try await api.get("/memory/timeline?start=2026-01-19&since=2026-01-19")
            #expect(both.status == 400 && both.errorMessage?.contains("start or since") == true, "\(both.text)")
            for path in ["/memory/timeline?components=nosuch", "/memory/search?q=crash&sinse=24h", "/memory/decisions?text=x",
                         "/memory/sessions?cwd=/tmp", "/memory/timeline/component/github-mcp-server?from=24h",
                         "/memory/infrastructure/diff?since=24h&to=now", "/memory/timeline/buckets?start=2026-01-18&end=2026-01-19&bucket=5"] {
                let r = try await api.get(path)
                let name = String(path.split(separator: "&").last!.split(separator: "?").last!.split(separator: "=")[0])
                #expect(r.status == 400 && r.errorMessage?.contains("unknown query parameter \"\(name)\"") == true, "\(path): \(r.text)")
            }
            // Routes that take no parameters refuse them too.
            for path in ["/memory/timeline/event/ev-20260119-100000-0000000001?bogus=1", "/memory/infrastructure/current?bogus=1",
                         "/memory/infrastructure/health?bogus=1", "/memory/handoff/demo?bogus=1"] {
                let r = try await api.get(path)
                #expect(r.status == 400 && r.errorMessage?.contains("unknown query parameter \"bogus\"") == true, "\(path): \(r.text)")
            }
            // Times and severities read as the CLI and MCP read them: no offset is UTC, `fatal` is critical.
            let noOffset = try await api.get("/memory/timeline?since=2026-01-19T10:10:00&severity=fatal")
            #expect(noOffset.status == 200 && noOffset["count"] == .number(0), "\(noOffset.text)")
            let error = try await api.get("/memory/timeline?since=2026-01-19T10:10:00&severity=ERROR")
            #expect(error.status == 200 && error["count"] == .number(1), "\(error.text)")
            let at = try await api.post("/memory/timeline/correlate", .object([("symptom", .string("github-mcp-server crash looping")),
                                                                               ("at", .string("2026-01-19T10:15:00"))]))
            #expect(at.status == 200, "\(at.text)")
            // The CLI's and MCP's names: `window` for `timeframe`, `since` for a component history's `start`.
            func correlate(_ range: (String, JSONValue)...) async throws -> APIResponse {
                try await api.post("/memory/timeline/correlate", .object([("symptom", .string("github-mcp-server crash looping")),
                                                                          ("at", .string("2026-01-19T10:15:00Z"))] + range))
            }
            let byWindow = try await correlate(("window", .string("2h"))), byTimeframe = try await correlate(("timeframe", .string("2h")))
            #expect(byWindow.status == 200 && byWindow.json == byTimeframe.json, "\(byWindow.text)")
            let bothRanges = try await correlate(("window", .string("2h")), ("timeframe", .string("2h")))
            #expect(bothRanges.status == 400 && bothRanges.errorMessage?.contains("timeframe or window") == true, "\(bothRanges.text)")
            let badWindow = try await correlate(("window", .string("soon")))
            #expect(badWindow.status == 400 && badWindow.errorMessage?.contains("field window") == true, "\(badWindow.text)")
            let historySince = try await api.get("/memory/timeline/component/github-mcp-server?since=2026-01-19T10:10:00Z")
            let historyStart = try await api.get("/memory/timeline/component/github-mcp-server?start=2026-01-19T10:10:00Z")
            #expect(historySince.status == 200 && historySince.json == historyStart.json, "\(historySince.text)")
            #expect(historyStart["events"]?.items.count == 1, "\(historyStart.text)")
        }
    }

    @Test func concurrentWritesAreAllDurableAndGrouped() async throws {
        let f = try ServerFixture()
        let n = 40
        try await f.withClient { api in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<n {
                    group.addTask {
                        try await api.post("/memory/timeline/events", """
                            {"event_type": "note", "source": "test", "description": "event \(i)", "timestamp": "2026-02-01T00:00:\(String(format: "%02d", i % 60))Z"}
                            """).status
                    }
                }
                for try await status in group { #expect(status == 201) }
            }
            let all = try await api.get("/memory/timeline?start=2026-02-01&limit=1000")
            #expect(all["count"] == .number(Double(n)))
        }
        // Group commit: at most one commit per request, usually far fewer.
        #expect(try f.commitCount() <= n + 1)
        #expect(try f.git("status", "--porcelain").trimmed.isEmpty)
        #expect(try f.git("fsck", "--no-progress").status == 0)
    }

    @Test func invalidEventsAreRefusedAndNothingIsWritten() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let cases: [(String, String)] = [
                (#"{"source": "x", "description": "d"}"#, "event_type is required"),
                (#"{"event_type": "deploy ment", "source": "x", "description": "d"}"#, "event_type"),
                (#"{"event_type": "a", "source": "x", "description": ""}"#, "description must not be empty"),
                (#"{"event_type": "a", "source": "x", "description": "d", "severity": "fatal"}"#, "severity"),
                (#"{"event_type": "a", "source": "x", "description": "d", "timestamp": "yesterday"}"#, "timestamp"),
                (#"{"event_type": "a", "source": "x", "description": "d", "timestamp": "2026-02-30T00:00:00Z"}"#, "timestamp"),
                (#"{"event_type": "a", "source": "x", "description": "d", "details": [1]}"#, "details must be an object"),
                (#"{"event_type": "a", "source": "x", "description": "d", "affected_components": ["a/b"]}"#, "component"),
                (#"{"event_type": "a", "source": "x", "description": "d", "event_id": "../../x"}"#, "event_id"),
                (#"{"event_type": "a", "source": "x", "description": "d", "caused_by": "a..b"}"#, "caused_by"),
                (#"{"event_type": "a", "source": "x", "description": "d", "extra": 1}"#, "unknown field"),
                (#"{"events": []}"#, "events is empty"),
                (#"{"events": {}}"#, "events must be an array"),
                // One bad event fails the whole batch before anything is written.
                (#"{"events": [{"event_type": "a", "source": "x", "description": "ok"}, {"event_type": "a", "source": "x"}]}"#, "events[1]"),
            ]
            for (body, message) in cases {
                let r = try await api.post("/memory/timeline/events", body)
                #expect(r.status == 400, "\(body): \(r.text)")
                #expect(r.errorMessage?.contains(message) == true, "\(body): \(r.text)")
            }
            let bigDescription = String(repeating: "x", count: Limits.maxDescription + 1)
            let big = try await api.post("/memory/timeline/events", #"{"event_type": "a", "source": "x", "description": "\#(bigDescription)"}"#)
            #expect(big.status == 400)
            #expect(big.errorMessage?.contains("the limit is \(Limits.maxDescription)") == true, "\(big.text.prefix(300))")

            let queries: [(String, String)] = [
                ("/memory/timeline?start=tomorrow", "start"),
                ("/memory/timeline?limit=0", "limit"),
                ("/memory/timeline?limit=abc", "limit"),
                ("/memory/timeline?type=a%20b", "type"),
                ("/memory/timeline?component=..", "component"),
                ("/memory/timeline?severity=loud", "severity"),
                ("/memory/timeline?start=%ZZ", "percent-encoded"),
                ("/memory/timeline/event/ev-..", "event id"),
                ("/memory/timeline/component/..%2Fsecrets", "component"),
            ]
            for (uri, message) in queries {
                let r = try await api.get(uri)
                #expect(r.status == 400, "\(uri): \(r.text)")
                #expect(r.errorMessage?.contains(message) == true, "\(uri): \(r.text)")
            }
            // An empty range is not an error: it has no events.
            let empty = try await api.get("/memory/timeline?start=2026-01-02&end=2026-01-01")
            #expect(empty.status == 200)
            #expect(empty["count"] == .number(0))
            let missing = try await api.get("/memory/timeline/event/ev-20260101-000000-0000000000")
            #expect(missing.status == 404)
            let correlate: [(String, String)] = [
                ("{}", "symptom is required"),
                (#"{"symptom": "x", "timeframe": "forever"}"#, "timeframe"),
                (#"{"symptom": "x", "timeframe": 0}"#, "timeframe"),
                (#"{"symptom": "x", "timeframe": true}"#, "timeframe"),
                (#"{"symptom": "x", "limit": 1000}"#, "limit"),
                (#"{"symptom": "x", "at": "noon"}"#, "at"),
            ]
            for (body, message) in correlate {
                let r = try await api.post("/memory/timeline/correlate", body)
                #expect(r.status == 400, "\(body): \(r.text)")
                #expect(r.errorMessage?.contains(message) == true, "\(body): \(r.text)")
            }
        }
        #expect(try f.commitCount() == 1)
        #expect(!FileManager.default.fileExists(atPath: f.dir.file("memory/timeline/2026")))
    }

    /// A day file over the size limit is a warning in the answer, not a day silently missing (issue 19, item 13).
    @Test func aDayFileTooLargeToReadIsNamedInTheWarnings() async throws {
        let f = try ServerFixture()
        let huge = f.repo + "/timeline/2026/01/2026-01-20.md"
        try FileManager.default.createDirectory(atPath: f.repo + "/timeline/2026/01", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: huge, contents: Data("---\ndate: 2026-01-20\n---\n".utf8)))
        #expect(truncate(huge, off_t(Limits.maxNoteBytes + 1)) == 0)
        try await f.withClient { api in
            #expect(try await api.post("/memory/timeline/events", TimelineAPITests.deploy).status == 201)
            let all = try await api.get("/memory/timeline?start=2026-01-19&end=2026-01-21")
            #expect(all.status == 200)
            #expect(all["events"]?.items.count == 1)
            #expect(all["warnings"]?.items.contains { $0["path"]?.stringValue?.hasSuffix("2026-01-20.md") == true } == true,
                    "\(all.text)")
        }
    }

    /// Numbers a Double cannot hold are a 400 naming them, not null or a rounded float (issue 19, item 13).
    @Test func numbersThatCannotBeKeptAreA400() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            for (number, words) in [("1e999999", "out of range"), ("123456789012345678901234567890", "cannot be kept exactly")] {
                let r = try await api.post("/memory/timeline/events", """
                    {"event_type": "deployment", "source": "ci", "description": "numbers", "details": {"n": \(number)}}
                    """)
                #expect(r.status == 400, "\(r.text)")
                #expect(r.text.contains(words), "\(r.text)")
            }
            #expect(try f.commitCount() == 1)
        }
    }
}
