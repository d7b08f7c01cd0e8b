import Foundation
import MemoryModel
import TestSupport
import Testing

/// Candidates that tie (the same kind of change, relation and time) come in the same order on every run:
/// each `cmem` process hashes with its own seed, and the order came from a dictionary's.
@Suite struct CorrelateOrderTests {
    @Test func tiedCandidatesComeInTheSameOrderEveryRun() throws {
        let f = try CLIFixture()
        var lines: [String] = []
        for i in 0..<8 {
            lines.append(JSONValue.object([("kind", .string("event")), ("time", .string("2026-03-12T13:00:00Z")), ("type", .string("config_change")),
                                           ("source", .string("git")), ("description", .string("Changed TIMEOUT for api from \(i) to 9")),
                                           ("affected_components", .array([.string("api")]))]).json)
        }
        lines.append(JSONValue.object([("kind", .string("event")), ("time", .string("2026-03-12T14:00:00Z")), ("type", .string("incident")),
                                       ("source", .string("pagerduty")), ("description", .string("api returning 500")),
                                       ("affected_components", .array([.string("api")])), ("severity", .string("critical"))]).json)
        let stream = f.dir.file("tied.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: stream, atomically: true, encoding: .utf8)
        #expect(try f.cmem("import", stream).status == 0)
        var answers = Set<String>()
        for _ in 0..<5 {
            let r = try f.json("correlate", "api returning 500", "--at", "2026-03-12T14:00:00Z")
            let ranked = [r["probable_cause"]?["event_id"]?.stringValue].compactMap { $0 }
                + (r["related_events"]?.items.compactMap { $0["event_id"]?.stringValue } ?? [])
            answers.insert(ranked.joined(separator: ","))
        }
        #expect(answers.count == 1, "\(answers)")
        #expect(Set(answers.first?.split(separator: ",") ?? []).count == 8, "\(answers)")
    }
}
