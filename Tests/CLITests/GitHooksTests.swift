import Foundation
import MemoryModel
import Testing
import TestSupport

/// `cmem hooks install|uninstall` in real code repositories, with real `git commit`, `git merge` and
/// `git rebase`, and the events they leave in a real memory repository.
@Suite("git hooks")
struct GitHooksTests {
    final class Setup {
        let dir = TemporaryDirectory("cmem-githooks")
        var memory: String { dir.file("memory") }
        var code: String { dir.file("widgets") }
        var home: String { dir.file("home") }

        init(memory makeMemory: Bool = true) throws {
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            if makeMemory {
                let r = try CMemBinary.run(["init", memory], repo: memory)
                precondition(r.status == 0, "cmem init failed: \(r.stderr)")
            }
            try FileManager.default.createDirectory(atPath: code, withIntermediateDirectories: true)
            try git("init", "-q", "-b", "main")
            try git("config", "user.name", "Dev Eloper")
            try git("config", "user.email", "dev@example.com")
            try git("remote", "add", "origin", "https://dev:s3cr3t-t0ken@github.com/acme/widgets.git")
        }

        /// git in the code repository, with a clean HOME (so no user config and no ~/.cortex leak in).
        @discardableResult
        func git(_ args: String..., env: [String: String] = [:]) throws -> ProcessResult {
            try git(args, env: env)
        }

        @discardableResult
        func git(_ args: [String], env: [String: String] = [:]) throws -> ProcessResult {
            var e = ["HOME": home, "CMEM_REPO": memory, "CMEM_HOOK_SYNC": "1", "XDG_CONFIG_HOME": home + "/.config"]
            for (k, v) in env { e[k] = v }
            let r = try ProcessRunner.run("/usr/bin/env", ["git"] + args, cwd: code, environment: e)
            return r
        }

        @discardableResult
        func cmem(_ args: String...) throws -> ProcessResult {
            try CMemBinary.run(args, repo: memory, cwd: code, environment: ["HOME": home])
        }

        @discardableResult
        func commit(_ file: String, _ text: String = "x\n", message: String, env: [String: String] = [:]) throws -> ProcessResult {
            let path = code + "/" + file
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            try git(["add", file], env: env)
            return try git(["commit", "-q", "-m", message], env: env)
        }

        func hook(_ name: String) -> String { code + "/.git/hooks/" + name }

        func writeHook(_ path: String, _ body: String) throws {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }

        /// Every event in the memory's timeline.
        func events() throws -> [JSONValue] {
            let r = try CMemBinary.run(["timeline", "--json", "--limit", "1000"], repo: memory)
            guard case let .array(items)? = try JSONValue.parse(r.stdout)["events"] else { return [] }
            return items
        }

        func sha(_ rev: String = "HEAD") throws -> String { try git("rev-parse", rev).trimmed }
    }

    static func strings(_ v: JSONValue?) -> [String] {
        guard case let .array(items)? = v else { return [] }
        return items.compactMap(\.stringValue)
    }

    @Test func installOverAnExistingHookChainsItAndRecordsTheCommit() throws {
        let s = try Setup()
        try s.writeHook(s.hook("post-commit"), "echo \"user hook $(git rev-parse HEAD)\" >> \"$(git rev-parse --git-dir)/marker\"\nexit 0")
        try """
        components:
          github-mcp-server:
            depends_on: [redis-cache]
            paths: ["src/github_mcp/**", "charts/github-mcp/"]
          redis-cache:
            paths: ["deploy/redis/**"]
        """.write(toFile: s.memory + "/.cmem/components.yaml", atomically: true, encoding: .utf8)
        try ProcessRunner.git(["commit", "-q", "-am", "components"], cwd: s.memory)

        let install = try s.cmem("hooks", "install", "--project", s.code, "--repo", s.memory, "--json")
        #expect(install.status == 0, "\(install.stderr)")
        let report = try JSONValue.parse(install.stdout)
        let actions = Dictionary(uniqueKeysWithValues: Self.hooks(report).map { ($0["hook"]!.stringValue!, $0["action"]!.stringValue!) })
        #expect(actions == ["post-commit": "chained", "post-merge": "installed", "post-rewrite": "installed"])
        #expect(FileManager.default.fileExists(atPath: s.hook("post-commit.cmem-chained")))

        let secret = "ghp_" + String(repeating: "A1b2C3d4E5", count: 4).prefix(36)
        let r = try s.commit("src/github_mcp/server.py", message: "Fix the readiness probe\n\nUsed token \(secret) to test")
        #expect(r.status == 0, "\(r.stderr)")
        let sha = try s.sha()
        // The user's hook ran, once.
        let marker = try String(contentsOfFile: s.code + "/.git/marker", encoding: .utf8)
        #expect(marker == "user hook \(sha)\n")
        // The event is there with everything the issue asks for.
        let event = try #require(try s.events().first { $0["details"]?["sha"]?.stringValue == sha })
        #expect(event["event_type"]?.stringValue == "git_commit")
        #expect(event["source"]?.stringValue == "git")
        #expect(Self.strings(event["affected_components"]) == ["github-mcp-server"])
        let d = try #require(event["details"])
        #expect(d["author"]?.stringValue == "Dev Eloper <dev@example.com>")
        #expect(d["branch"]?.stringValue == "main")
        #expect(d["remote_url"]?.stringValue == "https://github.com/acme/widgets.git")
        #expect(Self.strings(d["files"]) == ["src/github_mcp/server.py"])
        #expect(d["message"]?.stringValue?.hasPrefix("Fix the readiness probe") == true)
        #expect(d["message"]?.stringValue?.contains(secret) == false, "the message must be redacted")
        #expect(event["description"]?.stringValue?.contains("Fix the readiness probe") == true)

        // A file no rule covers: the repository's name.
        try s.commit("README.md", message: "Docs")
        let docs = try #require(try s.events().first { $0["details"]?["sha"]?.stringValue == (try? s.sha()) })
        #expect(Self.strings(docs["affected_components"]) == ["widgets"])

        // Recording the same commit again adds nothing.
        let again = try CMemBinary.run(["hooks", "record", "post-commit", "--memory", s.memory, "--head", sha, "--root", s.code],
                                       repo: s.memory, cwd: s.code)
        #expect(again.status == 0)
        #expect(try s.events().filter { $0["details"]?["sha"]?.stringValue == sha }.count == 1)
        #expect(try ProcessRunner.git(["status", "--porcelain"], cwd: s.memory).trimmed == "")
    }

    static func hooks(_ report: JSONValue) -> [JSONValue] {
        guard case let .array(items)? = report["hooks"] else { return [] }
        return items
    }

    @Test func chainedHooksKeepTheirExitStatusAndInput() throws {
        let s = try Setup()
        try s.writeHook(s.hook("post-commit"), "exit 1")
        try s.writeHook(s.hook("post-merge"), "echo \"merge $1\" >> \"$(git rev-parse --git-dir)/merge-marker\"\nexit 3")
        try s.writeHook(s.hook("post-rewrite"), "cat > \"$(git rev-parse --git-dir)/rewrite-input\"\necho \"$1\" >> \"$(git rev-parse --git-dir)/rewrite-args\"\nexit 5")
        #expect(try s.cmem("hooks", "install", "--project", s.code).status == 0)

        // post-commit cannot stop a commit, whatever its status.
        #expect(try s.commit("a.txt", message: "one").status == 0)
        let first = try s.sha()

        // The installed hooks return the chained hook's status and hand it the same arguments and input.
        let merge = try ProcessRunner.run("/bin/sh", [s.hook("post-merge"), "0"], cwd: s.code,
                                          environment: ["HOME": s.home, "CMEM_REPO": s.memory, "CMEM_HOOK_SYNC": "1"])
        #expect(merge.status == 3)
        #expect(try String(contentsOfFile: s.code + "/.git/merge-marker", encoding: .utf8) == "merge 0\n")

        try s.commit("b.txt", message: "two")
        let second = try s.sha()
        let input = "\(first) \(second)\n"
        let rewrite = try ProcessRunner.run("/bin/sh", [s.hook("post-rewrite"), "amend"], cwd: s.code,
                                            environment: ["HOME": s.home, "CMEM_REPO": s.memory, "CMEM_HOOK_SYNC": "1"],
                                            stdin: Data(input.utf8))
        #expect(rewrite.status == 5)
        #expect(try String(contentsOfFile: s.code + "/.git/rewrite-input", encoding: .utf8) == input)
        #expect(try String(contentsOfFile: s.code + "/.git/rewrite-args", encoding: .utf8) == "amend\n")
        // …and cmem got the input too.
        let rewriteEvent = try #require(try s.events().first { $0["event_type"]?.stringValue == "git_rewrite" })
        #expect(rewriteEvent["details"]?["rewritten"] == .array([.object([("old", .string(first)), ("new", .string(second))])]))

        // Real merges and rebases, through git.
        try s.git("checkout", "-q", "-b", "feature")
        try s.commit("c.txt", message: "feature work")
        try s.git("checkout", "-q", "main")
        try s.commit("d.txt", message: "main work")
        let merged = try s.git("merge", "-q", "--no-edit", "feature")
        #expect(merged.status == 0, "\(merged.stderr)")
        let mergeEvent = try #require(try s.events().last { $0["details"]?["merge"]?.stringValue == "merge_commit" })
        #expect(mergeEvent["event_type"]?.stringValue == "git_merge")
        #expect(mergeEvent["details"]?["sha"]?.stringValue == (try s.sha()))
        #expect(Self.strings(mergeEvent["details"]?["files"]) == ["c.txt"])

        try s.git("checkout", "-q", "feature")
        try s.commit("e.txt", message: "more feature work")
        let rebased = try s.git("rebase", "-q", "main")
        #expect(rebased.status == 0, "\(rebased.stderr)")
        let rebaseEvent = try #require(try s.events().last { $0["details"]?["rewrite"]?.stringValue == "rebase" })
        #expect(rebaseEvent["details"]?["branch"]?.stringValue == "feature")
        #expect(rebaseEvent["details"]?["sha"]?.stringValue == (try s.sha()))
        // feature's first commit is already in main (merged above): only the second is replayed.
        #expect(Self.strings(rebaseEvent["details"]?["files"]) == ["e.txt"])
        #expect(rebaseEvent["details"]?["rewritten_total"] == .number(1))
        // The commits git made during the rebase (HEAD detached) still know their branch.
        let head = try s.sha()
        let replayed = try #require(try s.events().first { $0["event_type"]?.stringValue == "git_commit" && $0["details"]?["sha"]?.stringValue == head })
        #expect(replayed["details"]?["branch"]?.stringValue == "feature")
    }

    @Test func installingTwiceChangesNothingAndUninstallRestores() throws {
        let s = try Setup()
        let original = "#!/bin/sh\necho mine\n"
        try original.write(toFile: s.hook("post-commit"), atomically: true, encoding: .utf8)
        chmod(s.hook("post-commit"), 0o755)
        #expect(try s.cmem("hooks", "install", "--project", s.code).status == 0)
        let installed = try String(contentsOfFile: s.hook("post-commit"), encoding: .utf8)
        #expect(installed.contains("# cmem-hook v1"))

        let second = try s.cmem("hooks", "install", "--project", s.code, "--json")
        #expect(second.status == 0)
        #expect(Self.hooks(try JSONValue.parse(second.stdout)).allSatisfy { $0["action"]?.stringValue == "unchanged" })
        #expect(try String(contentsOfFile: s.hook("post-commit"), encoding: .utf8) == installed)
        #expect(try String(contentsOfFile: s.hook("post-commit.cmem-chained"), encoding: .utf8) == original)
        #expect(!FileManager.default.fileExists(atPath: s.hook("post-commit.cmem-chained.cmem-chained")))

        let status = try s.cmem("hooks", "status", "--project", s.code, "--json")
        #expect(Self.hooks(try JSONValue.parse(status.stdout)).allSatisfy { $0["status"]?.stringValue == "installed" })

        let removed = try s.cmem("hooks", "uninstall", "--project", s.code, "--json")
        #expect(removed.status == 0)
        let actions = Self.hooks(try JSONValue.parse(removed.stdout)).compactMap { $0["action"]?.stringValue }
        #expect(actions == ["restored", "removed", "removed"])
        #expect(try String(contentsOfFile: s.hook("post-commit"), encoding: .utf8) == original)
        #expect(!FileManager.default.fileExists(atPath: s.hook("post-commit.cmem-chained")))
        #expect(!FileManager.default.fileExists(atPath: s.hook("post-merge")))
        #expect(!FileManager.default.fileExists(atPath: s.hook("post-rewrite")))
        // Uninstalling again leaves the user's hook alone.
        let again = try s.cmem("hooks", "uninstall", "--project", s.code, "--json")
        #expect(Self.hooks(try JSONValue.parse(again.stdout)).first?["action"]?.stringValue == "kept_foreign")
        #expect(try String(contentsOfFile: s.hook("post-commit"), encoding: .utf8) == original)
    }

    /// `--repo` is the memory, as for every command, and `--project` the code repository (as for `cmem
    /// claude install`). A code repository given as `--repo` (the old meaning here) is refused, and nothing
    /// is installed anywhere; `--memory` is still the memory's other name.
    @Test func repoNamesTheMemoryAndProjectTheCode() throws {
        let s = try Setup()
        let old = try CMemBinary.run(["hooks", "install", "--repo", s.code], repo: s.memory, cwd: s.code, environment: ["HOME": s.home])
        #expect(old.status != 0 && old.stderr.contains("--project"), "\(old.status) \(old.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.hook("post-commit")))
        let new = try s.cmem("hooks", "install", "--project", s.code, "--memory", s.memory, "--json")
        #expect(new.status == 0, "\(new.stderr)")
        #expect(try JSONValue.parse(new.stdout)["memory"]?.stringValue == s.memory)
        #expect(try String(contentsOfFile: s.hook("post-commit"), encoding: .utf8).contains(s.memory))
    }

    @Test func coreHooksPathIsRespected() throws {
        let s = try Setup()
        try s.git("config", "core.hooksPath", ".githooks")
        try s.writeHook(s.code + "/.githooks/post-commit", "touch \"$(git rev-parse --git-dir)/shared-hook-ran\"")
        let sub = s.code + "/src"
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        let install = try CMemBinary.run(["hooks", "install", "--json"], repo: s.memory, cwd: sub, environment: ["HOME": s.home])
        #expect(install.status == 0, "\(install.stderr)")
        #expect(try JSONValue.parse(install.stdout)["hooks_directory"]?.stringValue == s.code + "/.githooks")
        #expect(FileManager.default.fileExists(atPath: s.code + "/.githooks/post-commit.cmem-chained"))
        #expect(!FileManager.default.fileExists(atPath: s.hook("post-commit")))

        #expect(try s.commit("x.txt", message: "with shared hooks").status == 0)
        #expect(FileManager.default.fileExists(atPath: s.code + "/.git/shared-hook-ran"))
        let sha = try s.sha()
        #expect(try s.events().contains { $0["details"]?["sha"]?.stringValue == sha })
    }

    @Test func aCommitSucceedsWithTheMemoryGoneAndOneLineIsLogged() throws {
        let s = try Setup(memory: false)
        #expect(try s.cmem("hooks", "install", "--project", s.code, "--repo", s.memory).status == 0)
        let r = try s.commit("a.txt", message: "no memory here")
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty, "the hook must stay quiet: \(r.stderr)")
        let log = try String(contentsOfFile: s.home + "/.cortex/hooks.log", encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("git-post-commit") == true)
        #expect(lines.first?.contains("not a Cortex Memory repository") == true)

        // A broken memory (a directory without .cmem) and a missing cmem: still exit 0, one line each.
        try FileManager.default.createDirectory(atPath: s.memory + "/.git", withIntermediateDirectories: true)
        #expect(try s.commit("b.txt", message: "broken memory").status == 0)
        // cmem itself gone: the hook's pinned path points nowhere and cmem is not on PATH.
        let hook = try String(contentsOfFile: s.hook("post-commit"), encoding: .utf8)
        let moved = hook.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("cmem=") ? "cmem='/nonexistent/cmem'" : String($0) }.joined(separator: "\n")
        try moved.write(toFile: s.hook("post-commit"), atomically: true, encoding: .utf8)
        chmod(s.hook("post-commit"), 0o755)
        #expect(try s.commit("c.txt", message: "no cmem", env: ["PATH": "/usr/bin:/bin"]).status == 0)
        let text = try String(contentsOfFile: s.home + "/.cortex/hooks.log", encoding: .utf8)
            + ((try? String(contentsOfFile: s.memory + "/.git/cmem/hooks.log", encoding: .utf8)) ?? "")
        #expect(text.split(separator: "\n").count == 3, "\(text)")
    }

    @Test func aLockedMemoryDoesNotBlockTheCommit() throws {
        let s = try Setup()
        #expect(try s.cmem("hooks", "install", "--project", s.code).status == 0)
        // Another writer (this test) holds the memory's write lock while the commit runs.
        let fd = open(s.memory + "/.git/cmem/write.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX) == 0)
        let start = Date()
        let r = try s.commit("a.txt", message: "while locked", env: ["CMEM_HOOK_SYNC": ""])
        let elapsed = Date().timeIntervalSince(start)
        #expect(r.status == 0)
        #expect(elapsed < 10, "the commit waited \(elapsed) s for the memory's write lock")
        let sha = try s.sha()
        Thread.sleep(forTimeInterval: 1)
        #expect(!(try s.events().contains { $0["details"]?["sha"]?.stringValue == sha }), "nothing can be written while the lock is held")
        flock(fd, LOCK_UN)
        close(fd)
        // Recorded in the background once the lock is free.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !(try s.events().contains { $0["details"]?["sha"]?.stringValue == sha }) {
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(try s.events().contains { $0["details"]?["sha"]?.stringValue == sha })
    }
}
