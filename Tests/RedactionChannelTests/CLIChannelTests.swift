import Foundation
import MemoryModel
import Testing
import TestSupport

/// Every corpus secret written through the `cmem` command line, ten cases a write: an event's description
/// and details, a session's task, todos, blockers, next steps, files, summary and actions, and a decision
/// with its rationale, alternatives, context and consequences.
@Suite struct CLIChannelTests {
    @Test func everySecretWrittenThroughTheCLIIsGone() throws {
        let repo = try ChannelRepo("cli")
        let groups = Channel.groups()
        let before = try repo.commits()
        for (i, text) in groups.enumerated() {
            // `--name=value`: a text that starts with "-" stays a value.
            let details = JSONValue.object([("note", .string(text)), ("step", .number(Double(i)))]).json
            try repo.cmemOK(["event", "record", "--type", "config_change", "--source", "manual", "--component", "api",
                             "--description=\(text)", "--details=\(details)"])
            let id = try repo.cmemOK(["session", "start", "--cwd", repo.project, "--task=\(text)"]).trimmed
            try repo.cmemOK(["session", "update", "--session", id, "--todo=\(text)", "--blocker=\(text)", "--next=\(text)",
                             "--summary=\(text)", "--file=\(text)"])
            try repo.cmemOK(["session", "action", "--session", id, "--kind", "command", "--exit-code", "0", "--", text])
            try repo.cmemOK(["session", "decide", "--session", id, "--rationale=\(text)", "--alternative=\(text)",
                             "--context=\(text)", "--consequences=\(text)", "--", text])
            try repo.cmemOK(["session", "end", "--session", id, "--summary=\(text)"])
        }

        // Every write landed: a commit each, an event per group, a session and a decision per group.
        #expect(try repo.commits() == before + groups.count * 6)
        let days = try repo.notes(under: "timeline")
        #expect(days.values.reduce(0) { $0 + occurrences(of: "config_change", in: $1) } >= groups.count)
        #expect(try repo.notes(under: "sessions").count == groups.count)
        #expect(try repo.notes(under: "decisions").count == groups.count)
        // …and was redacted, not dropped: every case leaves at least one marker in each field it went into.
        #expect(try repo.markers(under: "timeline") >= Channel.cases.count * 2)
        #expect(try repo.markers(under: "sessions") >= Channel.cases.count * 7)
        #expect(try repo.markers(under: "decisions") >= Channel.cases.count * 5)

        let leaks = try repo.leaks()
        #expect(leaks.isEmpty, "secrets survive the CLI:\n\(leaks.joined(separator: "\n"))")
        #expect(try repo.uncommitted().isEmpty)
    }
}
