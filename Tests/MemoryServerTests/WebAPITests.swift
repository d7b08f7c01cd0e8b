import Foundation
import HTTPTypes
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

/// What the web page needs from the API: counts per lane and bucket, the timeline's text filter, the
/// list of sessions, a project's handoff; and the page itself, served with its security headers and
/// without the token, while the data still needs it.
@Suite struct WebAPITests {
    static let events = """
        {"events": [
         {"event_id": "ev-20260119-100000-0000000001", "timestamp": "2026-01-19T10:00:00Z", "event_type": "deployment",
          "source": "argocd", "description": "Synced checkout-api to abc123", "affected_components": ["checkout-api"]},
         {"event_id": "ev-20260119-101500-0000000002", "timestamp": "2026-01-19T10:15:00Z", "event_type": "incident",
          "source": "k8s", "description": "checkout-api crash looping", "affected_components": ["checkout-api", "payments-db"],
          "severity": "critical", "caused_by": "ev-20260119-100000-0000000001"},
         {"event_id": "ev-20260119-113000-0000000003", "timestamp": "2026-01-19T11:30:00Z", "event_type": "config_change",
          "source": "git", "description": "Raised max_connections", "affected_components": ["payments-db"], "severity": "warning"},
         {"event_id": "ev-20260119-115900-0000000004", "timestamp": "2026-01-19T11:59:00Z", "event_type": "note",
          "source": "human", "description": "nothing in particular"},
         {"event_id": "ev-20260120-090000-0000000005", "timestamp": "2026-01-20T09:00:00Z", "event_type": "deployment",
          "source": "argocd", "description": "next day", "affected_components": ["checkout-api"]}]}
        """

    @Test func bucketsCountPerLaneAndSeverity() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            #expect(try await api.post("/memory/timeline/events", WebAPITests.events).status == 201)
            let b = try await api.get("/memory/timeline/buckets?start=2026-01-19T10:00:00Z&end=2026-01-19T12:00:00Z&buckets=4")
            #expect(b.status == 200, "\(b.text)")
            #expect(b["total"] == .number(4))
            #expect(b["bucket_ms"] == .number(30 * 60 * 1000))
            #expect(b["start"] == .string("2026-01-19T10:00:00Z"))
            #expect(b["severity_totals"]?["critical"] == .number(1))
            #expect(b["severity_totals"]?["warning"] == .number(1))
            guard case let .array(lanes)? = b["lanes"] else { Issue.record("no lanes: \(b.text)"); return }
            // Busiest first, then by name; an event naming no component has the lane "".
            #expect(lanes.map { $0["component"]?.stringValue ?? "?" } == ["checkout-api", "", "payments-db"])
            // checkout-api: the deploy (info) and the incident (critical) in bucket 0.
            #expect(lanes[0]["cells"] == .array([.array([0, 1, 0, 0, 1].map { .number($0) })]))
            #expect(lanes[1]["cells"] == .array([.array([3, 1, 0, 0, 0].map { .number($0) })]))
            #expect(lanes[2]["cells"] == .array([.array([3, 0, 1, 0, 0].map { .number($0) })]))

            // The timeline's filters apply: components match any of an event's, text every word.
            let filtered = try await api.get("/memory/timeline/buckets?start=2026-01-19&end=2026-01-20&component=payments-db&lanes=1")
            #expect(filtered["total"] == .number(2))
            #expect(filtered["omitted_lanes"] == .number(1))
            #expect(filtered["omitted_events"] == .number(1))
            #expect(filtered["others"]?["total"] == .number(1))
            #expect(b["others"] == .null)
            let stacks = try await api.get("/memory/timeline/buckets?start=2026-01-19&end=2026-01-20&group=prefix")
            #expect(stacks["lanes"]?.json.contains("\"checkout\"") == true && stacks["lanes"]?.json.contains("\"payments\"") == true, "\(stacks.text)")
            #expect(try await api.get("/memory/timeline/buckets?start=2026-01-19&end=2026-01-20&group=team").status == 400)
            let text = try await api.get("/memory/timeline/buckets?start=2026-01-19&end=2026-01-20&q=crash%20looping")
            #expect(text["total"] == .number(1))
            let severe = try await api.get("/memory/timeline/buckets?start=2026-01-19&end=2026-01-20&severity=warning")
            #expect(severe["total"] == .number(2))

            let events = try await api.get("/memory/timeline?q=max_connections")
            #expect(events["count"] == .number(1))
            #expect(events["events"]?.json.contains("ev-20260119-113000-0000000003") == true)

            #expect(try await api.get("/memory/timeline/buckets?start=2026-01-19").status == 400)
            #expect(try await api.get("/memory/timeline/buckets?start=2026-01-20T00:00:00Z&end=2026-01-19T00:00:00Z").status == 400)
            #expect(try await api.get("/memory/timeline/buckets?start=2026-01-19&end=2026-01-20&buckets=0").status == 400)
            #expect(try await api.get("/memory/timeline/buckets?start=2000-01-01&end=2026-01-20").status == 400)
        }
    }

    @Test func historyNamesTheCommitThatWroteAnEvent() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            #expect(try await api.post("/memory/timeline/events", WebAPITests.events).status == 201)
            let h = try await api.get("/memory/history/ev-20260119-113000-0000000003")
            #expect(h.status == 200, "\(h.text)")
            #expect(h["path"] == .string("timeline/2026/01/2026-01-19.md"))
            guard case let .array(commits)? = h["commits"], let first = commits.first else { Issue.record("no commits: \(h.text)"); return }
            let head = try f.git("rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(first["commit"]?.stringValue == head)
            #expect(try await api.get("/memory/history/ev-20200101-000000-0000000000").status == 404)
        }
    }

    /// The lines around where an event is written, as the page shows them; only Markdown notes inside the
    /// repository, never through a link, a hidden folder or `..`.
    @Test func noteLinesAroundALocation() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            #expect(try await api.post("/memory/timeline/events", WebAPITests.events).status == 201)
            let e = try await api.get("/memory/timeline/event/ev-20260119-113000-0000000003")
            let location = try #require(e["location"]?.stringValue)
            let parts = location.split(separator: ":")
            let (path, line) = (String(parts[0]), Int(parts[1]) ?? 0)
            let n = try await api.get("/memory/note?path=\(path)&line=\(line)&context=3")
            #expect(n.status == 200, "\(n.text)")
            guard case let .array(lines)? = n["lines"] else { Issue.record("no lines: \(n.text)"); return }
            guard case let .number(firstLine)? = n["first_line"], case let .number(total)? = n["total_lines"] else { Issue.record("\(n.text)"); return }
            let first = Int(firstLine)
            // The named line is the event's heading; its block follows.
            #expect(lines[line - first].stringValue?.hasPrefix("## 11:30:00 config_change") == true, "\(n.text)")
            #expect(lines.count == 7 && n["last_line"] == .number(Double(line + 3)))
            #expect(total > Double(line))
            // The first line of a note clips the window at its start.
            let top = try await api.get("/memory/note?path=\(path)&line=1&context=2")
            #expect(top["first_line"] == .number(1) && top["lines"]?.items.first?.stringValue == "---")
            // Refused: outside the repository, hidden folders, not Markdown, a line past the end, a link.
            for bad in ["..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd.md", ".git%2FHEAD", ".cmem%2Fconfig.yaml", "timeline%2F..%2F..%2Fx.md",
                        "\(path)&line=999999", "\(path)&context=5000"] {
                let r = try await api.get("/memory/note?path=\(bad)")
                #expect(r.status == 400, "\(bad): \(r.status) \(r.text)")
            }
            #expect(try await api.get("/memory/note?path=timeline%2F2020%2F01%2F2020-01-01.md").status == 404)
            #expect(try await api.get("/memory/note").status == 400)
        }
        try FileManager.default.createSymbolicLink(atPath: f.repo + "/linked.md", withDestinationPath: "/etc/hostname")
        try await f.withClient { api in
            let r = try await api.get("/memory/note?path=linked.md")
            #expect(r.status == 400 && r.errorMessage?.contains("symbolic link") == true, "\(r.text)")
        }
    }

    @Test func sessionsListAndHandoff() async throws {
        let f = try ServerFixture()
        let project = f.project
        try await f.withClient { api in
            let s = try await api.post("/memory/sessions", #"{"working_directory": "\#(project)", "current_task": "web list"}"#)
            #expect(s.status == 201)
            let name = s["project"]?.stringValue ?? "?"
            let list = try await api.get("/memory/sessions")
            #expect(list.status == 200, "\(list.text)")
            #expect(list["results"]?.json.contains("web list") == true)
            let none = try await api.get("/memory/sessions?project=nobody")
            #expect(none["results"] == .array([]))
            let missing = try await api.get("/memory/handoff/\(name)")
            #expect(missing.status == 404)
            #expect(missing.errorMessage?.contains("no handoff") == true)
        }
        try MemoryStoreFixture.write(f.repo, "handoff/webshop.md", "# webshop\n\nWhere we left off: <b>tests</b>\n")
        try await f.withClient { api in
            let h = try await api.get("/memory/handoff/webshop")
            #expect(h.status == 200, "\(h.text)")
            #expect(h["text"]?.stringValue?.contains("Where we left off: <b>tests</b>") == true)
            #expect(h["path"] == .string("handoff/webshop.md"))
            // A name with / or .. is no project's: refused, not read as another project's handoff.
            let hostile = try await api.get("/memory/handoff/..%2F..%2Fetc%2Fpasswd")
            #expect(hostile.status == 400 && hostile.errorMessage?.contains("is not valid") == true, "\(hostile.text)")
        }
    }

    @Test func pageIsServedWithItsPolicyAndWithoutTheToken() async throws {
        let token = "web-page-token-0123456789"
        let f = try ServerFixture(token: token)
        try await f.withClient { api in
            let page = try await api.get("/")
            #expect(page.status == 200)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.contains("connect-src 'self'") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(page.text.contains("/ui/app.js"))
            let script = try await api.get("/ui/app.js")
            #expect(script.status == 200)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(!script.text.contains("innerHTML"), "the page's script must not build markup from strings")
            #expect(try await api.get("/ui/app.css").status == 200)
            #expect(try await api.get("/ui/icon.svg").headers[.contentType] == "image/svg+xml")
            #expect(try await api.get("/ui/nothing.js").status == 404)
            // The data still needs the token.
            #expect(try await api.get("/memory/timeline").status == 401)
            #expect(try await api.request(.post, "/", body: Array("{}".utf8)).status == 401)
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(token)"
            #expect(try await api.get("/memory/timeline", headers: headers).status == 200)
        }
    }
}

enum MemoryStoreFixture {
    /// A file written by hand in the repository (as a person or another tool would), then committed.
    static func write(_ repo: String, _ path: String, _ text: String) throws {
        let full = repo + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        try ProcessRunner.git(["add", path], cwd: repo)
        try ProcessRunner.git(["commit", "-q", "-m", "hand edit"], cwd: repo)
    }
}
