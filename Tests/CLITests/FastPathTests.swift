import Foundation
import Testing
import MemoryModel
import TestSupport

/// `event record` and the Claude Code hooks are parsed without ArgumentParser when their arguments are
/// plain. The same command lines, run once each way on twin repositories, must print, exit and write the
/// same; and the lines the fast path does not take must go to ArgumentParser.
@Suite struct FastPathTests {
    static let traced = ["CMEM_LOG_LEVEL": "trace"]
    static let forced = ["CMEM_LOG_LEVEL": "trace", "CMEM_ARGUMENT_PARSER": "1"]
    static let marker = "arguments parsed by FastPath"

    struct Case {
        let arguments: [String]
        let fast: Bool
    }

    static let cases: [Case] = [
        Case(arguments: ["--type", "deployment", "--description", "defaults", "--time", "2026-01-19T10:00:00Z",
                         "--id", "ev-20260119-100000-aaaaaaaaaa"], fast: true),
        Case(arguments: ["--type=config_change", "--source=argocd", "--component", "redis", "--component=api",
                         "--severity=warning", "--description", "Raised maxmemory to 2gb", "--details", #"{"from":"1gb","to":"2gb"}"#,
                         "--caused-by", "ev-20260119-100000-aaaaaaaaaa", "--time=2026-01-19T10:05:00Z",
                         "--id", "ev-20260119-100500-bbbbbbbbbb", "--json"], fast: true),
        Case(arguments: ["--json", "--type", "pod_restart", "--description", "two words, then a comma", "--severity", "critical",
                         "--time", "2026-01-19T10:06:00Z", "--id", "ev-20260119-100600-cccccccccc", "--source", "k8s"], fast: true),
        // Taken by the fast path, refused by the command itself: the same message and status both ways.
        Case(arguments: ["--type", "deployment", "--description", "x", "--severity", "apocalyptic",
                         "--time", "2026-01-19T10:07:00Z"], fast: true),
        Case(arguments: ["--type", "deployment", "--description", "x", "--details", "{not json", "--json",
                         "--time", "2026-01-19T10:07:00Z"], fast: true),
        // Left to ArgumentParser.
        Case(arguments: ["--type", "deployment", "--description", "-starts with a dash", "--time", "2026-01-19T10:08:00Z"], fast: false),
        Case(arguments: ["--type", "deployment", "--time", "2026-01-19T10:08:00Z"], fast: false),
        Case(arguments: ["--type", "deployment", "--type", "incident", "--description", "twice", "--time", "2026-01-19T10:08:00Z",
                         "--id", "ev-20260119-100800-dddddddddd"], fast: false),
        Case(arguments: ["--type", "deployment", "--description", "x", "--bogus", "y"], fast: false),
        Case(arguments: ["--type", "deployment", "--description", "x", "positional"], fast: false),
        Case(arguments: ["--type", "deployment", "--description="], fast: false),
        Case(arguments: ["--help"], fast: false),
    ]

    @Test func eventRecordIsTheSameEitherWay() throws {
        let fast = try CLIFixture()
        let parsed = try CLIFixture()
        for c in Self.cases {
            let args = ["event", "record"] + c.arguments
            let a = try CMemBinary.run(args, repo: fast.repo, cwd: fast.project, environment: Self.traced)
            let b = try CMemBinary.run(args, repo: parsed.repo, cwd: parsed.project, environment: Self.forced)
            #expect(a.stderr.contains(Self.marker) == c.fast, "\(c.arguments): \(a.stderr)")
            #expect(!b.stderr.contains(Self.marker), "\(c.arguments)")
            #expect(a.status == b.status, "\(c.arguments): \(a.status) vs \(b.status)")
            #expect(a.stdout == b.stdout, "\(c.arguments)")
            #expect(Self.withoutLog(a.stderr) == Self.withoutLog(b.stderr), "\(c.arguments)")
        }
        let day = "timeline/2026/01/2026-01-19.md"
        let written = try String(contentsOfFile: fast.repo + "/" + day, encoding: .utf8)
        #expect(written == (try String(contentsOfFile: parsed.repo + "/" + day, encoding: .utf8)))
        for id in ["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"] { #expect(written.contains("ev-20260119-10") && written.contains(id)) }
        #expect(written.contains("- api") || written.contains("[[api]]"))
        #expect(try fast.git("status", "--porcelain").trimmed == "")
        #expect(try fast.git("log", "--format=%s").stdout == (try parsed.git("log", "--format=%s").stdout))
    }

    @Test func hooksTakeTheFastPathOnlyWithPlainArguments() throws {
        let f = try CLIFixture()
        let payload = #"{"session_id":"fast-1","transcript_path":"/nonexistent","cwd":"\#(f.project)","hook_event_name":"SessionStart","source":"startup"}"#
        let plain = try CMemBinary.run(["hook", "session-start", "--budget", "400"], repo: f.repo, cwd: f.project,
                                       stdin: Data(payload.utf8), environment: Self.traced)
        #expect(plain.status == 0)
        #expect(plain.stderr.contains(Self.marker))
        let current = try f.json("session", "current")
        #expect(current["session_id"]?.stringValue?.hasPrefix("sess-") == true, "\(current)")
        #expect(current["claude_session_id"]?.stringValue == "fast-1")

        // Not a number: ArgumentParser's own error, exit status 64 (never 2, which blocks Claude Code's tool call).
        let bad = try CMemBinary.run(["hook", "session-start", "--budget", "lots"], repo: f.repo, cwd: f.project,
                                     stdin: Data(payload.utf8), environment: Self.traced)
        #expect(!bad.stderr.contains(Self.marker))
        #expect(bad.status == 64, "\(bad.status) \(bad.stderr)")
        // --budget belongs to the hooks that write a handoff only.
        let foreign = try CMemBinary.run(["hook", "post-tool-use", "--budget", "400"], repo: f.repo, cwd: f.project,
                                         stdin: Data("{}".utf8), environment: Self.traced)
        #expect(!foreign.stderr.contains(Self.marker))
        #expect(foreign.status == 64)
    }

    static func withoutLog(_ stderr: String) -> String {
        stderr.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !($0.contains(" trace cmem") || $0.contains(" debug cmem")) }
            .joined(separator: "\n")
    }
}
