import Foundation
import MemoryModel
import Testing
import TestSupport

/// Every corpus secret written through the REST API of a real `cmem serve` on 127.0.0.1, ten cases a
/// request: events (description and details), sessions (task; the update's summary, todos, blockers,
/// next steps and active files), decisions, actions and the closing summary.
@Suite struct RESTChannelTests {
    @Test func everySecretWrittenThroughRESTIsGone() throws {
        let repo = try ChannelRepo("rest")
        let groups = Channel.groups()
        let before = try repo.commits()
        let server = try ServerProcess(repo: repo.path, arguments: ["--host", "127.0.0.1"])
        let port = server.port
        func call(_ method: String, _ path: String, _ body: JSONValue, expect status: Int) throws -> JSONValue {
            let r = try LoopbackHTTP.json(port: port, method, path, body)
            guard r.status == status else { throw ChannelFailure("\(method) \(path): \(r.status) \(r.body.prefix(2000))") }
            return r.json
        }

        for (i, text) in groups.enumerated() {
            let one = JSONValue.strings([text])
            let recorded = try call("POST", "/memory/timeline/events", .object([
                ("event_type", .string("config_change")), ("source", .string("manual")), ("description", .string(text)),
                ("details", .object([("note", .string(text)), ("step", .number(Double(i)))])),
                ("affected_components", .strings(["api"])),
            ]), expect: 201)
            #expect(recorded["recorded"] == .number(1))
            // Two events in one request, as a batch.
            _ = try call("POST", "/memory/timeline/events", .object([("events", .array([
                .object([("event_type", .string("incident")), ("source", .string("manual")), ("description", .string("batch \(i)")),
                         ("details", .object([("log", .string(text))]))]),
                .object([("event_type", .string("deployment")), ("source", .string("manual")), ("description", .string(text))]),
            ]))]), expect: 201)
            let started = try call("POST", "/memory/sessions", .object([
                ("working_directory", .string(repo.project)), ("current_task", .string(text)),
            ]), expect: 201)
            guard let id = started["session_id"]?.stringValue else { throw ChannelFailure("no session id in \(started.json)") }
            _ = try call("PUT", "/memory/sessions/\(id)", .object([
                ("summary", .string(text)), ("todo_list", .array([.string(text), .object([("text", .string(text)), ("status", .string("done"))])])),
                ("blockers", one), ("next_steps", one), ("active_files", one), ("files_read", .strings(["notes/\(i).txt"])),
            ]), expect: 200)
            _ = try call("POST", "/memory/sessions/\(id)/decision", .object([
                ("decision", .string(text)), ("rationale", .string(text)), ("alternatives", one),
                ("context", .string(text)), ("consequences", .string(text)),
            ]), expect: 201)
            _ = try call("POST", "/memory/sessions/\(id)/action", .object([
                ("kind", .string("command")), ("detail", .string(text)), ("exit_code", .number(0)),
            ]), expect: 201)
            let ended = try call("POST", "/memory/sessions/\(id)/summary", .object([
                ("summary", .string(text)), ("next_steps", one), ("blockers", one), ("end", .bool(true)),
            ]), expect: 200)
            #expect(ended["ended_at"] != nil && ended["ended_at"] != .null)
        }
        #expect(server.stop() == 0)

        #expect(try repo.commits() >= before + groups.count * 7)
        let days = try repo.notes(under: "timeline")
        #expect(days.values.reduce(0) { $0 + occurrences(of: "config_change", in: $1) } >= groups.count)
        #expect(try repo.notes(under: "sessions").count == groups.count)
        #expect(try repo.notes(under: "decisions").count == groups.count)
        #expect(try repo.markers(under: "timeline") >= Channel.cases.count * 4)
        #expect(try repo.markers(under: "sessions") >= Channel.cases.count * 6)
        #expect(try repo.markers(under: "decisions") >= Channel.cases.count * 5)

        let leaks = try repo.leaks()
        #expect(leaks.isEmpty, "secrets survive REST:\n\(leaks.joined(separator: "\n"))")
        #expect(try repo.uncommitted().isEmpty)
    }
}
