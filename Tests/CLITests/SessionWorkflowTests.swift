import Foundation
import Testing
import MemoryModel
import TestSupport

@Suite struct SessionWorkflowTests {
    @Test func theIssueWalkthroughWorksEndToEnd() throws {
        let f = try CLIFixture()
        let start = try f.cmem("session", "start", "--task", "Fix the MCP servers")
        #expect(start.status == 0)
        let id = start.trimmed
        #expect(id.hasPrefix("sess-"))
        #expect(try f.cmem("session", "decide", "Use init container", "--rationale", "pip install races the main container",
                           "--alternative", "bake deps into image", "--alternative", "sidecar").status == 0)
        #expect(try f.cmem("session", "action", "--kind", "command", "kubectl -n cortex-mcp logs deploy/github-mcp-server").status == 0)
        #expect(try f.cmem("session", "update", "--todo", "add readiness probe", "--blocker", "registry down",
                           "--next", "deploy to prod", "--file", "k8s/deployment.yaml").status == 0)
        #expect(try f.cmem("session", "end", "--summary", "Found the pip race; fix drafted, not deployed").status == 0)

        let current = try f.cmem("session", "current")
        #expect(current.status == 0)
        for text in ["Fix the MCP servers", "Use init container", "pip install races the main container", "add readiness probe",
                     "registry down", "deploy to prod", "Found the pip race; fix drafted, not deployed"] {
            #expect(current.stdout.contains(text), "\(text) missing from: \(current.stdout)")
        }
        let json = try f.json("session", "current")
        #expect(json["session_id"]?.stringValue == id)
        #expect(json["decision_records"].map { if case let .array(a) = $0 { return a.count } else { return 0 } } == 1)
        #expect(json["actions"].map { if case let .array(a) = $0 { return a.count } else { return 0 } } == 1)
        #expect(try f.git("status", "--porcelain").trimmed == "")
        let fsck = try f.git("fsck", "--strict")
        #expect(fsck.status == 0, "\(fsck.stderr)")
    }

    @Test func currentSaysHowToStartWhenThereIsNoSession() throws {
        let f = try CLIFixture()
        let r = try f.cmem("session", "current")
        #expect(r.status == 0)
        #expect(r.stdout.contains("No session for project"))
        #expect(r.stdout.contains("cmem session start"))
        let none = try JSONValue.parse(try f.cmem("session", "current", "--json").stdout)
        #expect(none["session"] == .null && none["window_seconds"] == .number(86_400), "\(none.json)")
        // An empty memory says it is empty rather than that nothing matched.
        #expect(try f.cmem("decisions", "search").stdout.contains("no decisions recorded yet"))
        #expect(try f.cmem("session", "list").stdout.contains("no sessions yet"))
        #expect(none["message"]?.stringValue?.hasPrefix("no session for project ") == true && none["message"]?.stringValue?.hasSuffix("in the last 24h") == true)
    }

    @Test func commandsOnAMissingRepositoryExplainHowToCreateOne() throws {
        let dir = TemporaryDirectory()
        let r = try CMemBinary.run(["session", "start", "--task", "x"], repo: dir.file("nope"))
        #expect(r.status == 1)
        #expect(r.stderr.contains("cmem init"))
        let j = try CMemBinary.run(["timeline", "--json"], repo: dir.file("nope"))
        #expect(j.status == 1)
        #expect(try JSONValue.parse(j.stdout)["error"]?["message"]?.stringValue?.contains("cmem init") == true)
    }

    @Test func updateWithoutASessionSaysWhatToDo() throws {
        let f = try CLIFixture()
        let r = try f.cmem("session", "update", "--todo", "x")
        #expect(r.status == 1)
        #expect(r.stderr.contains("cmem session start"))
    }

    @Test func repoFlagOverridesTheEnvironment() throws {
        let f = try CLIFixture()
        let other = f.dir.file("other-memory")
        #expect(try CMemBinary.run(["init", other], repo: f.repo).status == 0)
        let r = try CMemBinary.run(["session", "start", "--task", "t", "--repo", other], repo: f.repo, cwd: f.project)
        #expect(r.status == 0)
        #expect(try ProcessRunner.git(["log", "--oneline"], cwd: other).stdout.contains("session \(r.trimmed)"))
        #expect(try f.git("log", "--oneline").stdout.contains(r.trimmed) == false)
    }
}
