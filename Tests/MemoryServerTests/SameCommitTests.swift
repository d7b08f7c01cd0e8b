import Foundation
import HTTPTypes
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

/// One commit is one event whoever reports it: the real post-commit hook (`cmem hooks install`, a real
/// `git commit`) and a signed GitHub push delivery of that commit, in either order, with the components of
/// `.cmem/components.yaml` and one event type per kind of git event.
@Suite struct SameCommitTests {
    final class CodeRepository {
        let root: String
        let home: String
        let memory: String

        init(_ f: ServerFixture) throws {
            root = f.dir.file("github-mcp")
            home = f.dir.file("home")
            memory = f.repo
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            try git("init", "-q", "-b", "main")
            try git("remote", "add", "origin", "https://github.com/acme/github-mcp.git")
            let install = try CMemBinary.run(["hooks", "install", "--project", root, "--repo", memory], repo: memory,
                                             cwd: root, environment: ["HOME": home])
            precondition(install.status == 0, "hooks install failed: \(install.stderr)")
        }

        @discardableResult
        func git(_ args: String..., env: [String: String] = [:]) throws -> ProcessResult {
            var e = ["HOME": home, "CMEM_REPO": memory, "CMEM_HOOK_SYNC": "1", "XDG_CONFIG_HOME": home + "/.config"]
            for (k, v) in env { e[k] = v }
            return try ProcessRunner.git(args, cwd: root, environment: e)
        }

        /// Commits `file`, authored at `authored` and committed at `committed`; the hook records it.
        func commit(_ file: String, message: String, authored: String, committed: String, hooks: Bool = true) throws -> String {
            let path = root + "/" + file
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try "print('\(message)')\n".write(toFile: path, atomically: true, encoding: .utf8)
            try git("add", file)
            var env = ["GIT_AUTHOR_DATE": authored, "GIT_COMMITTER_DATE": committed]
            if !hooks { env["CMEM_HOOKS_DISABLE"] = "1" }
            let r = try git("commit", "-q", "-m", message, env: env)
            precondition(r.status == 0, "git commit failed: \(r.stderr)")
            return try git("rev-parse", "HEAD").trimmed
        }

        /// The hook, run by hand as git would have (for a commit made with the hooks disabled).
        func recordHook() throws {
            let r = try CMemBinary.run(["hooks", "record", "post-commit", "--memory", memory, "--root", root], repo: memory,
                                       cwd: root, environment: ["HOME": home])
            precondition(r.status == 0, "hooks record failed: \(r.stderr)")
        }
    }

    /// The GitHub push fixture, carrying the commit `sha` of `file` dated `timestamp` (GitHub dates a pushed
    /// commit by the commit's own date, which need not be the committer's).
    static func push(sha: String, file: String, timestamp: String) throws -> [UInt8] {
        var text = String(decoding: try Fixtures.bytes("github_push.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", with: sha)
            .replacingOccurrences(of: "2019-05-15T15:19:25Z", with: timestamp)
            .replacingOccurrences(of: "refs/heads/master", with: "refs/heads/main")
            .replacingOccurrences(of: #""added": ["README.md"]"#, with: #""added": ["\#(file)"]"#)
        #expect(text.contains(sha) && text.contains(file))
        return Array(text.utf8)
    }

    static func headers(_ event: String, _ body: [UInt8]) -> HTTPFields {
        var h = HTTPFields()
        h[HTTPField.Name("X-GitHub-Event")!] = event
        h[HTTPField.Name("X-Hub-Signature-256")!] = Fixtures.signature(body)
        return h
    }

    static func events(_ f: ServerFixture, sha: String) throws -> [TimelineEvent] {
        var filter = MemoryStore.TimelineFilter()
        filter.limit = 10_000
        let all = try f.store().timeline(filter)
        #expect(all.warnings.isEmpty, "\(all.warnings)")
        return all.events.filter { $0.details["sha"]?.stringValue == sha }
    }

    @Test func theHookAndThePushOfOneCommitAreOneEventNamingBothSources() async throws {
        let f = try ServerFixture()
        try f.dir.write("memory/.cmem/components.yaml", """
        components:
          github-mcp-server:
            paths: ["src/github_mcp/**"]
        """)
        let code = try CodeRepository(f)
        let file = "src/github_mcp/server.py"

        // Hook first: authored before midnight, committed after it, so the two reports fall on different days.
        let first = try code.commit(file, message: "Fix token refresh", authored: "2026-01-18T23:30:00Z", committed: "2026-01-19T00:30:00Z")
        let byHook = try Self.events(f, sha: first)
        #expect(byHook.count == 1)
        #expect(byHook.first?.source == "git")
        #expect(byHook.first?.components == ["github-mcp-server"])

        // Webhook first for the second commit: the hook, run later, joins the pushed commit's event.
        let second = try code.commit(file, message: "Retry on 502", authored: "2026-01-19T09:00:00Z", committed: "2026-01-19T09:05:00Z",
                                     hooks: false)
        try await f.withClient { api in
            let body = try Self.push(sha: first, file: file, timestamp: "2026-01-18T23:30:00Z")
            let r = try await api.request(.post, "/webhooks/git", body: body, headers: Self.headers("push", body))
            #expect(r.status == 200, "\(r.text)")
            #expect(r["recorded"] == .number(0))
            #expect(r["joined"] == .number(1))
            #expect(r["events"] == .array([.string(byHook[0].id)]))
            // A redelivery changes nothing.
            let again = try await api.request(.post, "/webhooks/git", body: body, headers: Self.headers("push", body))
            #expect(again["joined"] == .number(0) && again["duplicates"] == .number(1), "\(again.text)")

            let pushed = try Self.push(sha: second, file: file, timestamp: "2026-01-19T09:00:00Z")
            let p = try await api.request(.post, "/webhooks/git", body: pushed, headers: Self.headers("push", pushed))
            #expect(p.status == 201, "\(p.text)")
        }
        try code.recordHook()

        for sha in [first, second] {
            let events = try Self.events(f, sha: sha)
            #expect(events.count == 1, "\(sha): \(events.map(\.id))")
            guard let e = events.first else { continue }
            #expect(e.type == "git_commit")
            #expect(e.components == ["github-mcp-server"])
            #expect(GitEventType.sources(of: e).sorted() == ["git", "github"])
            #expect(e.details["sources"] != nil)
            // What each source knows is kept: the hook's branch and files, the push's URL.
            #expect(e.details["branch"] == .string("main"))
            #expect(e.details["url"]?.stringValue?.hasSuffix(sha) == true)
        }
        // The first report's event stays (an ID other notes may already link to).
        #expect(try Self.events(f, sha: first).first?.id == byHook[0].id)
    }

    /// A merged pull request and the push of its merge commit: one `git_merge` event, the type the
    /// post-merge hook gives a merge commit.
    @Test func aMergedPullRequestAndThePushOfItsMergeCommitAreOneMergeEvent() async throws {
        let f = try ServerFixture()
        let merge = "a21683865c088b5fe1906cf6552d15a285a4986d"
        try await f.withClient { api in
            let pr = try Fixtures.bytes("github_pull_request_closed_merged.json")
            let r = try await api.request(.post, "/webhooks/git", body: pr, headers: Self.headers("pull_request", pr))
            #expect(r.status == 201, "\(r.text)")
            let push = try Self.push(sha: merge, file: "cloudbuild.yaml", timestamp: "2019-11-26T07:01:13Z")
            let p = try await api.request(.post, "/webhooks/git", body: push, headers: Self.headers("push", push))
            #expect(p["joined"] == .number(1), "\(p.text)")
        }
        let events = try Self.events(f, sha: merge)
        #expect(events.count == 1)
        #expect(events.first?.type == "git_merge")
        #expect(events.first?.details["number"] != nil)
        #expect(events.first?.details["modified"] != nil || events.first?.details["added"] != nil)
        #expect(events.first.map(GitEventType.sources(of:)) == ["github"])
    }
}
