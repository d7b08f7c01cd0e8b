import Foundation
import MemoryModel
import Testing
import TestSupport

/// Every corpus secret written through `cmem import`: a JSON Lines file with an event and a session per
/// case (event description and details; session task, summary, files, blockers, next steps, todos,
/// actions and decisions with rationale and alternatives), then ten cases a line on stdin (`import -`).
@Suite struct ImportChannelTests {
    @Test func everySecretWrittenThroughImportIsGone() throws {
        let repo = try ChannelRepo("import")
        func time(_ minutes: Int, seconds: Int = 0) -> String { isoTime(minutes * 60 + seconds) }
        var lines: [String] = []
        for (i, c) in Channel.cases.enumerated() {
            let text = JSONValue.string(c.text)
            let one = JSONValue.array([text])
            lines.append(JSONValue.object([
                ("kind", .string("event")), ("time", .string(time(i))), ("type", .string("config_change")), ("source", .string("import")),
                ("description", text), ("details", .object([("note", text), ("command", text), ("lines", one)])),
                ("affected_components", .strings(["api"])), ("severity", .string("warning")),
            ]).json)
            lines.append(JSONValue.object([
                ("kind", .string("session")), ("started_at", .string(time(i))), ("ended_at", .string(time(i, seconds: 30))),
                ("working_directory", .string(repo.project)), ("current_task", text), ("summary", text),
                ("active_files", one), ("blockers", one), ("next_steps", one),
                ("todo_list", .array([text, .object([("text", text), ("status", .string("done"))])])),
                ("actions", .array([.object([("time", .string(time(i, seconds: 10))), ("kind", .string("command")), ("detail", text)])])),
                ("decisions", .array([.object([("decision", text), ("rationale", text), ("alternatives", one)])])),
            ]).json)
        }
        let file = repo.dir.file("import.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let before = try repo.commits()
        let report = try JSONValue.parse(try repo.cmemOK(["import", file, "--json"]).stdout)
        #expect(report["events_added"] == .number(Double(Channel.cases.count)), "\(report.json)")
        #expect(report["sessions_added"] == .number(Double(Channel.cases.count)))
        #expect(report["decisions_added"] == .number(Double(Channel.cases.count)))

        // Ten cases a record, on stdin.
        let groups = Channel.groups()
        let stdin = groups.enumerated().map { i, text in
            JSONValue.object([
                ("kind", .string("event")), ("timestamp", .string(time(200 + i))), ("event_type", .string("incident")),
                ("description", .string(text)), ("details", .object([("log", .string(text))])),
            ]).json
        }.joined(separator: "\n")
        let piped = try JSONValue.parse(try repo.cmemOK(["import", "-", "--json"], stdin: stdin).stdout)
        #expect(piped["events_added"] == .number(Double(groups.count)), "\(piped.json)")
        #expect(try repo.commits() == before + 2)

        #expect(try repo.notes(under: "sessions").count == Channel.cases.count)
        #expect(try repo.notes(under: "decisions").count == Channel.cases.count)
        #expect(try repo.markers(under: "timeline") >= Channel.cases.count * 6)
        #expect(try repo.markers(under: "sessions") >= Channel.cases.count * 7)
        #expect(try repo.markers(under: "decisions") >= Channel.cases.count * 3)

        let leaks = try repo.leaks()
        #expect(leaks.isEmpty, "secrets survive cmem import:\n\(leaks.joined(separator: "\n"))")
        #expect(try repo.uncommitted().isEmpty)
    }
}
