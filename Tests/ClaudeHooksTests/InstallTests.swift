import Foundation
import ClaudeHooks
import MemoryModel
import Testing
import TestSupport

/// `cmem claude install|uninstall` on real files, through the binary.
@Suite struct InstallTests {
    static let userSettings = """
    {
      "$schema": "https://json.schemastore.org/claude-code-settings.json",
      "permissions": {"allow": ["Bash(npm run lint)", "Read(~/.zshrc)"], "deny": ["Read(./.env)"]},
      "env": {"FOO": "bar"},
      "hooks": {
        "PostToolUse": [
          {"matcher": "Edit|Write", "hooks": [{"type": "command", "command": "npx prettier --write \\"$CLAUDE_PROJECT_DIR\\"", "timeout": 30}]}
        ],
        "Notification": [{"hooks": [{"type": "command", "command": "notify-send Claude"}]}]
      },
      "model": "claude-sonnet-4-6"
    }
    """

    static let userMCP = """
    {"mcpServers": {"github": {"command": "docker", "args": ["run", "-i", "ghcr.io/github/github-mcp-server"], "env": {"X": "1"}}}}
    """

    @Test func installMergesKeepsEverythingAndIsIdempotent() throws {
        let f = try HookFixture()
        try f.dir.write("demo/.claude/settings.local.json", InstallTests.userSettings)
        try f.dir.write("demo/.mcp.json", InstallTests.userMCP)
        // The shared settings as an older install left them: the team's settings plus our hooks, with one
        // machine's absolute paths in a file the team commits.
        let olderInstall = ClaudeSettings.mergingHooks(into: try JSONValue.parse(InstallTests.userSettings), executable: "/old/machine/bin/cmem",
                                                       repo: "/old/machine/memory")
        try f.dir.write("demo/.claude/settings.json", olderInstall.prettyJSON)
        let first = try f.cmem(["claude", "install", "--project", f.project])
        #expect(first.status == 0, "\(first.stderr)")
        let settings1 = try f.dir.read("demo/.claude/settings.local.json")
        let mcp1 = try f.dir.read("demo/.mcp.json")
        // The committed files name no machine's paths any more.
        #expect(try JSONValue.parse(f.dir.read("demo/.claude/settings.json")) == JSONValue.parse(InstallTests.userSettings))
        #expect(!mcp1.contains(f.repo) && !mcp1.contains(CMemBinary.path))

        let second = try f.cmem(["claude", "install", "--project", f.project])
        #expect(second.status == 0)
        #expect(second.stdout.contains("unchanged"))
        #expect(try f.dir.read("demo/.claude/settings.local.json") == settings1, "running install twice changes nothing")
        #expect(try f.dir.read("demo/.mcp.json") == mcp1)

        let s = try JSONValue.parse(settings1)
        // Every existing setting and hook is kept, in order.
        guard case let .object(top) = s else { Issue.record("not an object"); return }
        #expect(top.map(\.0) == ["$schema", "permissions", "env", "hooks", "model"])
        #expect(s["permissions"]?["deny"]?.items == [.string("Read(./.env)")])
        #expect(s["env"]?["FOO"]?.stringValue == "bar")
        let post = s["hooks"]?["PostToolUse"]?.items ?? []
        #expect(post.count == 2)
        #expect(post[0]["hooks"]?.items.first?["command"]?.stringValue == "npx prettier --write \"$CLAUDE_PROJECT_DIR\"")
        #expect(post[0]["hooks"]?.items.first?["timeout"] == .number(30))
        #expect(post[1]["hooks"]?.items.first?["command"]?.stringValue?.hasSuffix("cmem hook post-tool-use --repo \(f.repo)") == true)
        #expect(s["hooks"]?["Notification"]?.items.count == 1)
        for event in ["SessionStart", "UserPromptSubmit", "PostToolUseFailure", "PreCompact", "Stop", "SessionEnd"] {
            let command = s["hooks"]?[event]?.items.first?["hooks"]?.items.first?["command"]?.stringValue ?? ""
            #expect(command.contains(" hook "), "\(event): \(command)")
            #expect(command.hasPrefix("/"), "absolute path to cmem: \(command)")
        }
        let m = try JSONValue.parse(mcp1)
        #expect(m["mcpServers"]?["github"]?["env"]?["X"]?.stringValue == "1")
        #expect(m["mcpServers"]?["cortex-memory"]?["command"]?.stringValue == "cmem", "found through PATH")
        #expect(m["mcpServers"]?["cortex-memory"]?["args"]?.items == [.string("mcp")], "the repository comes from CMEM_REPO")

        // The installed command really runs: feed it a payload through sh, as Claude Code does.
        let command = s["hooks"]?["SessionStart"]?.items.first?["hooks"]?.items.first?["command"]?.stringValue ?? ""
        let run = try ProcessRunner.run("/bin/sh", ["-c", command], cwd: f.project, environment: ["HOME": f.home],
                                        stdin: Data(try f.payload("claude_hook_session_start.json").utf8))
        #expect(run.status == 0)
        #expect(try f.current()["claude_session_id"]?.stringValue == "abc123")

        // Uninstall gives back the user's files, minus nothing of theirs.
        #expect(try f.cmem(["claude", "uninstall", "--project", f.project]).status == 0)
        #expect(try JSONValue.parse(f.dir.read("demo/.claude/settings.local.json")) == JSONValue.parse(InstallTests.userSettings))
        #expect(try JSONValue.parse(f.dir.read("demo/.claude/settings.json")) == JSONValue.parse(InstallTests.userSettings))
        #expect(try JSONValue.parse(f.dir.read("demo/.mcp.json")) == JSONValue.parse(InstallTests.userMCP))
    }

    @Test func installIntoAnEmptyProjectCreatesTheFilesAndUninstallRemovesThem() throws {
        let f = try HookFixture()
        let r = try f.cmem(["claude", "install", "--json"], cwd: f.project)
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONValue.parse(r.stdout)
        #expect(report["changes"]?.items.map { $0["action"]?.stringValue } == ["created", "created"])
        // `cmem init` already installed the guard; `claude install` finds it in place.
        #expect(report["pre_commit_guard"]?["action"]?.stringValue == "unchanged")
        #expect(try String(contentsOfFile: f.repo + "/.git/hooks/pre-commit", encoding: .utf8).contains("pre-commit-guard"))
        #expect(FileManager.default.fileExists(atPath: f.project + "/.claude/settings.local.json"))
        #expect(!FileManager.default.fileExists(atPath: f.project + "/.claude/settings.json"), "nothing machine-specific to share")
        #expect(FileManager.default.fileExists(atPath: f.project + "/.mcp.json"))
        #expect(try f.cmem(["claude", "uninstall"], cwd: f.project).status == 0)
        #expect(!FileManager.default.fileExists(atPath: f.project + "/.claude/settings.local.json"))
        #expect(!FileManager.default.fileExists(atPath: f.project + "/.mcp.json"))
    }

    @Test func userScopeWritesOnlyTheUserSettings() throws {
        let f = try HookFixture()
        let r = try f.cmem(["claude", "install", "--user"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("claude mcp add --scope user"))
        let s = try JSONValue.parse(f.dir.read("home/.claude/settings.json"))
        #expect(s["hooks"]?["SessionStart"]?.items.count == 1)
        #expect(!FileManager.default.fileExists(atPath: f.project + "/.mcp.json"))
    }

    @Test func projectAndUserTogetherAreRefused() throws {
        let f = try HookFixture()
        let r = try f.cmem(["claude", "install", "--user", "--project", f.project])
        #expect(r.status != 0)
        #expect(r.stderr.contains("either --project DIR or --user"))
    }

    @Test func invalidSettingsAreLeftAlone() throws {
        let f = try HookFixture()
        try f.dir.write("demo/.claude/settings.json", "{\"hooks\": {,}")
        let r = try f.cmem(["claude", "install"], cwd: f.project)
        #expect(r.status == 1)
        #expect(r.stderr.contains("not valid JSON"))
        #expect(try f.dir.read("demo/.claude/settings.json") == "{\"hooks\": {,}")
    }

    // MARK: The pre-commit guard

    @Test func theGuardRefusesASecretPastedIntoANoteWithFileAndLine() throws {
        let f = try HookFixture()
        #expect(try f.cmem(["claude", "install"], cwd: f.project).status == 0)
        #expect(FileManager.default.isExecutableFile(atPath: f.repo + "/.git/hooks/pre-commit"))
        let secret = "xoxb-" + "2481632641-1357924680-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8"
        try f.dir.write("memory/notes/ops.md", "# Ops\n\nThe bot posts to #deploys.\nslack token: \(secret)\n")
        #expect(try f.git("add", "notes/ops.md").status == 0)
        let refused = try f.git("commit", "-m", "ops notes")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("notes/ops.md:4:"), "\(refused.stderr)")
        #expect(refused.stderr.contains("slack"), "\(refused.stderr)")
        #expect(try f.git("log", "-1", "--format=%s").trimmed != "ops notes")

        try f.dir.write("memory/notes/ops.md", "# Ops\n\nThe bot posts to #deploys.\nslack token: in the vault\n")
        #expect(try f.git("add", "notes/ops.md").status == 0)
        let accepted = try f.git("commit", "-m", "ops notes")
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }

    @Test func theGuardKeepsAnExistingHook() throws {
        let f = try HookFixture()
        try f.dir.write("memory/.git/hooks/pre-commit", "#!/bin/sh\nexit 0\n")
        let r = try f.cmem(["claude", "install", "--json"], cwd: f.project)
        #expect(try JSONValue.parse(r.stdout)["pre_commit_guard"]?["action"]?.stringValue == "kept_existing")
        #expect(try f.dir.read("memory/.git/hooks/pre-commit") == "#!/bin/sh\nexit 0\n")
    }
}
