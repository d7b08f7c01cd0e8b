import Foundation
import HTTPTypes
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

/// What every endpoint shares: error shapes, limits, methods, authentication, metrics.
@Suite struct ProtocolTests {
    @Test func oversizedBodiesAre413() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let huge = "{\"event_type\": \"a\", \"source\": \"b\", \"description\": \"" + String(repeating: "x", count: RequestLimits.body) + "\"}"
            let r = try await api.post("/memory/timeline/events", huge)
            #expect(r.status == 413)
            #expect(r.errorMessage?.contains("limit") == true)
        }
        #expect(try f.commitCount() == 1)
    }

    @Test func jsonNestingBombIsA400() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            let r = try await api.post("/memory/timeline/events", deep)
            #expect(r.status == 400)
            #expect(r.errorMessage?.contains("nested deeper than 32") == true)
            let inDetails = "{\"event_type\": \"a\", \"source\": \"b\", \"description\": \"c\", \"details\": " + String(repeating: "{\"a\": ", count: 40)
                + "1" + String(repeating: "}", count: 40) + "}"
            let r2 = try await api.post("/memory/timeline/events", inDetails)
            #expect(r2.status == 400)
        }
        #expect(try f.commitCount() == 1)
    }

    @Test func unknownPathsAre404AndWrongMethods405() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let missing = try await api.get("/memory/nothing-here")
            #expect(missing.status == 404)
            #expect(missing.errorMessage?.contains("no such endpoint") == true)
            let wrong = try await api.request(.delete, "/memory/sessions/sess-1")
            #expect(wrong.status == 405)
            #expect(wrong.headers[.allow] == "GET, PUT")
            let current = try await api.request(.put, "/memory/sessions/current", body: Array("{}".utf8))
            #expect(current.status == 405)
            #expect(current.headers[.allow] == "GET")
            let healthz = try await api.request(.post, "/healthz", body: Array("{}".utf8))
            #expect(healthz.status == 405)
            #expect(healthz.headers[.contentType] == "application/json")
        }
    }

    @Test func bearerTokenIsRequiredWhenConfigured() async throws {
        let token = "0123456789abcdef0123456789abcdef"
        let f = try ServerFixture(token: token)
        try await f.withClient { api in
            #expect(try await api.get("/healthz").status == 200)
            for auth in [nil, "Bearer wrong-token-wrong-token-wrong", "Basic " + token, "Bearer " + token + "x", "Bearer"] {
                var h = HTTPFields()
                if let auth { h[.authorization] = auth }
                let r = try await api.get("/memory/timeline", headers: h)
                #expect(r.status == 401, "\(auth ?? "none")")
                #expect(r.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(r.errorMessage != nil)
                #expect(try await api.get("/metrics", headers: h).status == 401)
                #expect(try await api.post("/memory/sessions", #"{"working_directory": "/x"}"#, headers: h).status == 401)
            }
            var h = HTTPFields()
            h[.authorization] = "Bearer " + token
            #expect(try await api.get("/memory/timeline", headers: h).status == 200)
            h[.authorization] = "bearer " + token
            #expect(try await api.get("/metrics", headers: h).status == 200)
        }
        #expect(try f.commitCount() == 1)
    }

    @Test func configurationRefusesUnsafeSetups() {
        #expect(throws: ValidationError.self) { try ServerConfiguration(repositoryPath: "/r", host: "0.0.0.0").validate() }
        #expect(throws: ValidationError.self) { try ServerConfiguration(repositoryPath: "/r", host: "192.168.1.4").validate() }
        #expect(throws: ValidationError.self) { try ServerConfiguration(repositoryPath: "/r", host: "0.0.0.0", token: "short").validate() }
        #expect(throws: ValidationError.self) { try ServerConfiguration(repositoryPath: "/r", port: 70000).validate() }
        #expect(throws: Never.self) { try ServerConfiguration(repositoryPath: "/r", host: "0.0.0.0", token: String(repeating: "k", count: 32)).validate() }
        #expect(throws: Never.self) { try ServerConfiguration(repositoryPath: "/r").validate() }
        #expect(throws: Never.self) { try ServerConfiguration(repositoryPath: "/r", host: "::1").validate() }
    }

    @Test func metricsArePrometheusText() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            _ = try await api.get("/healthz")
            _ = try await api.get("/memory/sessions/current")
            _ = try await api.post("/memory/timeline/events", #"{"event_type": "a", "source": "b", "description": "c"}"#)
            let m = try await api.get("/metrics")
            #expect(m.status == 200)
            #expect(m.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(m.text.contains("cmem_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"))
            #expect(m.text.contains("cmem_http_requests_total{method=\"GET\",route=\"/memory/sessions/current\",status=\"400\"} 1"))
            #expect(m.text.contains("cmem_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1"))
            #expect(m.text.contains("cmem_events_recorded_total 1"))
            #expect(m.text.contains("cmem_repository_last_commit_info{commit=\""))
            #expect(m.text.contains("cmem_index_documents"))
            #expect(m.text.contains("process_resident_memory_bytes "))
            // Every sample line is NAME{LABELS} VALUE or NAME VALUE.
            for line in m.text.split(separator: "\n") where !line.hasPrefix("#") {
                #expect(line.split(separator: " ").count >= 2, "\(line)")
                #expect(Double(line.split(separator: " ").last!) != nil, "\(line)")
            }
        }
    }

    @Test func changesMadeElsewhereAreSeenWithoutARestart() async throws {
        let f = try ServerFixture()
        let project = f.project
        try await f.withClient { api in
            // Another writer (a second store instance: what the CLI does) writes after the server started.
            let other = try f.store()
            #expect(try await api.get("/memory/sessions/current?working_directory=\(q(project))").status == 404)
            let s = try other.startSession(task: "written by the CLI", cwd: project)
            let seen = try await api.get("/memory/sessions/current?working_directory=\(q(project))")
            #expect(seen["session_id"] == .string(s.id))
            try other.recordEvents([TimelineEvent(id: "ev-20260301-120000-00000000aa", timestamp: Timestamp(iso8601: "2026-03-01T12:00:00Z")!,
                                                  type: "deployment", source: "cli", description: "from elsewhere")])
            #expect(try await api.get("/memory/timeline/event/ev-20260301-120000-00000000aa").status == 200)
            // A hand edit, not committed, is seen too.
            let path = f.dir.file("memory/" + s.path)
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "written by the CLI", with: "edited by hand")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let edited = try await api.get("/memory/sessions/\(s.id)")
            #expect(edited["current_task"] == .string("edited by hand"))
            #expect(try await api.get("/memory/sessions/current?working_directory=\(q(project))")["current_task"] == .string("edited by hand"))
            // A newer session started elsewhere becomes the current one; deleting its note by hand undoes that.
            try await Task.sleep(for: .milliseconds(5))
            let newer = try other.startSession(task: "newer", cwd: project)
            #expect(try await api.get("/memory/sessions/current?working_directory=\(q(project))")["session_id"] == .string(newer.id))
            try FileManager.default.removeItem(atPath: f.dir.file("memory/" + newer.path))
            #expect(try await api.get("/memory/sessions/current?working_directory=\(q(project))")["session_id"] == .string(s.id))
            // A git operation that rewrites the notes: back to the state before the first session.
            #expect(try f.git("reset", "-q", "--hard", "HEAD~3").status == 0)
            #expect(try await api.get("/memory/timeline/event/ev-20260301-120000-00000000aa").status == 404)
            #expect(try await api.get("/memory/sessions/current?working_directory=\(q(project))").status == 404)
        }
    }

    @Test func searchSeesEditsInPlaceAtOnce() async throws {
        let f = try ServerFixture()
        let project = f.project
        try await f.withClient { api in
            let id = try #require(try await api.post("/memory/sessions", #"{"working_directory": "\#(project)"}"#)["session_id"]?.stringValue)
            let d = try await api.post("/memory/sessions/\(id)/decision", #"{"decision": "Use init container", "rationale": "pip races"}"#)
            let path = f.dir.file("memory/" + Decision.path(id: d["decision_id"]?.stringValue ?? "", timestamp: Timestamp(iso8601: d["timestamp"]?.stringValue ?? "")!))
            #expect(try await api.get("/memory/decisions?query=zanzibar")["decisions"] == .array([]))
            // An editor that writes in place (no rename, so no directory change).
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "pip races", with: "pip races zanzibar")
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
            let found = try await api.get("/memory/decisions?q=zanzibar")
            // The earlier name still works, the same answer.
            #expect(try await api.get("/memory/decisions?query=zanzibar").json == found.json)
            #expect(try await api.get("/memory/decisions?q=a&query=b").status == 400)
            #expect(found["decisions"]?.json.contains("Use init container") == true)
        }
    }
}
