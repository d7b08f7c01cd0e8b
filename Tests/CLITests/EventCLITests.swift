import Foundation
import Testing
import MemoryModel
import TestSupport

@Suite struct EventCLITests {
    @Test func recordTimelineShowAndLog() throws {
        let f = try CLIFixture()
        let deploy = try f.cmem("event", "record", "--type", "deployment", "--source", "argocd", "--component", "github-mcp-server",
                                "--severity", "info", "--description", "Synced github-mcp-server to abc123",
                                "--details", #"{"sha":"abc123"}"#, "--time", "2026-01-19T10:00:00Z").trimmed
        #expect(deploy.hasPrefix("ev-20260119-100000-"))
        let crash = try f.json("event", "record", "--type", "pod_restart", "--source", "k8s", "--component", "github-mcp-server",
                               "--severity", "critical", "--description", "CrashLoopBackOff", "--caused-by", deploy,
                               "--time", "2026-01-19T10:37:00Z")
        #expect(crash["recorded"] == .number(1) && crash["events"]?.items.first?["status"] == .string("recorded"), "\(crash.json)")
        let crashID = try #require(crash["events"]?.items.first?["event_id"]?.stringValue)
        _ = try f.cmem("event", "record", "--type", "deployment", "--component", "redis", "--description", "other day",
                       "--time", "2026-01-21T10:00:00Z")

        let timeline = try f.json("timeline", "--since", "2026-01-19", "--until", "2026-01-20", "--type", "deployment",
                                  "--component", "github-mcp-server")
        guard case let .array(events)? = timeline["events"] else { Issue.record("no events"); return }
        #expect(events.map { $0["event_id"]?.stringValue } == [deploy])
        #expect(events.first?["details"]?["sha"]?.stringValue == "abc123")

        let limited = try f.json("timeline", "--limit", "1")
        guard case let .array(latest)? = limited["events"] else { Issue.record("no events"); return }
        #expect(latest.first?["description"]?.stringValue == "other day")

        let show = try f.json("event", "show", deploy)
        guard case let .array(caused)? = show["caused"] else { Issue.record("no caused"); return }
        #expect(caused.map { $0["event_id"]?.stringValue } == [crashID])
        let showCrash = try f.json("event", "show", crashID)
        #expect(showCrash["caused_by"]?["event_id"]?.stringValue == deploy)

        let log = try f.json("log", crashID)
        guard case let .array(commits)? = log["commits"] else { Issue.record("no commits"); return }
        #expect(commits.count == 1)
        #expect(commits.first?["message"]?.stringValue?.contains(crashID) == true)
    }

    @Test func badInputGetsAClearErrorAndWritesNothing() throws {
        let f = try CLIFixture()
        let cases: [[String]] = [
            ["event", "record", "--type", "deployment", "--description", "x", "--component", "../../etc"],
            ["event", "record", "--type", "deployment", "--description", "x", "--details", "{not json"],
            ["event", "record", "--type", "deployment", "--description", "x", "--details", "[1,2]"],
            ["event", "record", "--type", "deployment", "--description", "x", "--severity", "apocalyptic"],
            ["event", "record", "--type", "deployment", "--description", "x", "--time", "yesterday-ish"],
            ["event", "record", "--type", "deployment", "--description", "x", "--id", "../x"],
            ["event", "show", "../../etc/passwd"],
            ["timeline", "--since", "never"],
            ["event", "record", "--type", "deployment", "--description", "  \n\t "],
            ["handoff", "--project", "../x"],
            ["search", "  "],
            ["search", "deploy", "--type", "note"],
            ["timeline", "--component", "../x"],
            ["search", "deploy", "--component", "../x"],
            ["decisions", "search", "--component", "../x"],
        ]
        for args in cases {
            let r = try CMemBinary.run(args, repo: f.repo, cwd: f.project)
            #expect(r.status != 0, "\(args) should fail")
            #expect(r.stderr.hasPrefix("cmem: error: ") || r.stderr.contains("Error:"), "\(args): \(r.stderr)")
        }
        #expect(try f.git("log", "--oneline").stdout.split(separator: "\n").count == 1)
        #expect(try f.git("status", "--porcelain").trimmed == "")
    }

    @Test func eightConcurrentWritersLoseNothing() throws {
        let f = try CLIFixture()
        let writers = 8, each = 50
        let repo = f.repo, project = f.project
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for i in 0..<each {
                let second = String(format: "%02d", i % 60)
                let r = try? CMemBinary.run(["event", "record", "--type", "deployment", "--component", "svc-\(w)",
                                             "--description", "writer \(w) event \(i)", "--time", "2026-01-19T10:\(String(format: "%02d", w)):\(second)Z"],
                                            repo: repo, cwd: project)
                precondition(r?.status == 0, "writer \(w) event \(i) failed: \(r?.stderr ?? "?")")
            }
        }
        let timeline = try f.json("timeline", "--since", "2026-01-19", "--until", "2026-01-19", "--limit", "1000")
        guard case let .array(events)? = timeline["events"] else { Issue.record("no events"); return }
        #expect(events.count == writers * each)
        #expect(Set(events.compactMap { $0["description"]?.stringValue }).count == writers * each)
        let fsck = try f.git("fsck", "--strict")
        #expect(fsck.status == 0, "\(fsck.stderr)")
        #expect(try f.git("status", "--porcelain").trimmed == "")
        #expect(try f.git("rev-list", "--count", "HEAD").trimmed == "\(writers * each + 1)")
    }

    @Test func importFromTheCommandLineIsIdempotentAndReportsBadLines() throws {
        let f = try CLIFixture()
        let good = """
        {"kind": "event", "time": "2026-01-19T10:00:00Z", "type": "deployment", "source": "argocd", "description": "Synced a", "details": {}, "affected_components": ["a"], "severity": "info"}
        {"kind": "event", "time": "2026-01-19T11:00:00Z", "type": "scaling", "source": "keda", "description": "Scaled a", "details": {}, "affected_components": ["a"], "severity": "info"}

        """
        try f.dir.write("in.jsonl", good)
        let first = try f.json("import", f.dir.file("in.jsonl"))
        #expect(first["events_added"] == .number(2))
        let second = try f.json("import", f.dir.file("in.jsonl"))
        #expect(second["events_added"] == .number(0))
        #expect(second["events_duplicate"] == .number(2))
        try f.dir.write("bad.jsonl", good + "{\"kind\": \"event\"\n")
        let bad = try f.cmem("import", f.dir.file("bad.jsonl"))
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("line 3"))
        let stdin = try CMemBinary.run(["import", "-", "--json"], repo: f.repo, stdin: Data(good.utf8))
        #expect(try JSONValue.parse(stdin.stdout)["events_duplicate"] == .number(2))
    }
}
