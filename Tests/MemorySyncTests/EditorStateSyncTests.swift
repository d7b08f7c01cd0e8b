import Foundation
import Testing
import MemoryModel
import MemoryStore
import TestSupport
@testable import MemorySync

/// Obsidian's own state (the pane layout, its cache, its trash) stays on the machine that made it; the
/// settings a team shares may be committed on purpose.
@Suite struct EditorStateSyncTests {
    @Test func aSyncWithAnObsidianWorkspaceNeverPushesIt() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        #expect(try a.read(".gitignore").contains(".obsidian/workspace*.json"))
        try a.write(".obsidian/workspace.json", "{\"main\": {\"id\": \"1\"}}\n")
        try a.write(".obsidian/workspace-mobile.json", "{}\n")
        try a.write(".obsidian/cache/x.json", "{}\n")
        try a.write(".trash/old note.md", "gone\n")
        try a.write(".obsidian/app.json", "{\"vimMode\": true}\n")
        try a.write("Runbook.md", "# Runbook\n\nRotate the cert.\n")
        let report = try a.json(["sync"])
        #expect(report["pushed"] == .bool(true))
        let remote = try ProcessRunner.git(["ls-tree", "-r", "--name-only", "main"], cwd: w.bare).stdout
            .split(separator: "\n").map(String.init)
        #expect(!remote.contains(".obsidian/workspace.json"))
        #expect(!remote.contains(".obsidian/workspace-mobile.json"))
        #expect(!remote.contains { $0.hasPrefix(".obsidian/cache/") || $0.hasPrefix(".trash/") })
        #expect(remote.contains(".obsidian/app.json"))
        #expect(remote.contains("Runbook.md"))
        #expect(remote.contains(".gitignore"))
        // The workspace is still there for the editor, and nothing is left pending.
        #expect(FileManager.default.fileExists(atPath: a.path + "/.obsidian/workspace.json"))
        #expect(try a.json(["status"])["pending"] == .array([]))
    }

    @Test func aRepositoryFromBeforeGetsTheIgnoresAndStopsSharingCommittedEditorState() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        // As an older cmem left it: no `.gitignore` block, the workspace committed and pushed.
        try a.write(".gitignore", "notes-draft/\n")
        try a.write(".obsidian/workspace.json", "{\"pane\": 1}\n")
        try a.git("add", "-f", ".gitignore", ".obsidian/workspace.json")
        try a.git("commit", "-q", "-m", "old cmem committed the workspace")
        try a.git("push", "-q", "origin", "HEAD:main")
        try a.write(".obsidian/workspace.json", "{\"pane\": 2}\n")
        try a.expect(["sync"])
        let remote = try ProcessRunner.git(["ls-tree", "-r", "--name-only", "main"], cwd: w.bare).stdout
        #expect(!remote.contains(".obsidian/workspace.json"))
        let ignore = try ProcessRunner.git(["show", "main:.gitignore"], cwd: w.bare).stdout
        #expect(ignore.hasPrefix("notes-draft/\n"))
        #expect(ignore.contains(EditorState.marker))
        #expect(try a.read(".obsidian/workspace.json") == "{\"pane\": 2}\n")
        #expect(try a.git("status", "--porcelain").trimmed == "")
    }
}
