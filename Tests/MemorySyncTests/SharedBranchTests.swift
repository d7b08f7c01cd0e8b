import Foundation
import Testing
import MemoryModel
import TestSupport
@testable import MemorySync

/// One branch, always: clones of a remote whose HEAD names `master` (plain `git init --bare`), or of an
/// empty remote, share the remote's branch instead of pushing a second one (issue 19, item 2).
@Suite struct SharedBranchTests {
    /// Both clones see each other's events, and the remote has exactly one branch.
    func expectOneMemory(_ w: SyncWorld, _ a: Clone, _ b: Clone) throws {
        let fromA = try a.record("from a", at: "2026-03-01T10:00:00Z")
        let fromB = try b.record("from b", at: "2026-03-01T11:00:00Z")
        try a.expect(["sync"])
        try b.expect(["sync"])
        try a.expect(["sync"])
        #expect(try w.remoteBranches() == ["main"])
        #expect(Set(try a.eventIDs()).isSuperset(of: [fromA, fromB]))
        #expect(Set(try b.eventIDs()).isSuperset(of: [fromA, fromB]))
        #expect(try a.head() == b.head())
    }

    @Test func aCloneOfARemoteWhoseHeadIsMasterAdoptsMain() throws {
        let w = try SyncWorld(remoteHead: "master")
        let a = try w.seed("a")
        #expect(try w.remoteBranches() == ["main"])
        // `git clone` cannot check out the missing master; `cmem init` checks out main instead.
        let b = try w.clone("b")
        #expect(try b.git("symbolic-ref", "--short", "HEAD").trimmed == "main")
        #expect(try b.git("rev-parse", "--abbrev-ref", "main@{upstream}").trimmed == "origin/main")
        try expectOneMemory(w, a, b)
    }

    @Test func aCloneThatCommittedOnMasterBeforeJoinsMainAtItsFirstSync() throws {
        let w = try SyncWorld(remoteHead: "master")
        let a = try w.seed("a")
        // A clone made the way older versions left it: its own history on an unborn master.
        let b = Clone(world: w, path: w.dir.file("b"))
        try ProcessRunner.git(["clone", "-q", w.url, b.path], cwd: w.dir.path)
        try b.git("symbolic-ref", "HEAD", "refs/heads/master")
        try b.write("notes.md", "b's first note\n")
        try b.git("add", "notes.md")
        try b.git("commit", "-q", "-m", "b on master")
        try b.expect(["init", b.path])
        let r = try b.json(["sync"])
        #expect(r["branch"]?.stringValue == "main", "\(r)")
        #expect(try w.remoteBranches() == ["main"])
        #expect(FileManager.default.fileExists(atPath: b.path + "/notes.md"))
        try expectOneMemory(w, a, b)
        #expect(FileManager.default.fileExists(atPath: a.path + "/notes.md"))
    }

    @Test func aCloneOfAnEmptyRemoteStartsMain() throws {
        let w = try SyncWorld(remoteHead: "master")
        // The deploy manifest's initContainer: git clone of the empty remote, then cmem init.
        let a = try w.clone("a")
        #expect(try a.git("symbolic-ref", "--short", "HEAD").trimmed == "main")
        try a.expect(["sync"])
        #expect(try w.remoteBranches() == ["main"])
        let b = try w.clone("b")
        try expectOneMemory(w, a, b)
    }

    @Test func aRemoteWithTwoBranchesAndNoHeadIsRefusedWithWhatToDo() throws {
        let w = try SyncWorld(remoteHead: "master")
        let a = try w.seed("a")
        try a.git("push", "-q", "origin", "main:other")
        #expect(try w.remoteBranches() == ["main", "other"])
        let b = Clone(world: w, path: w.dir.file("b"))
        try ProcessRunner.git(["clone", "-q", w.url, b.path], cwd: w.dir.path)
        let r = try b.cmem(["init", b.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("several branches (main, other)"), "\(r.stderr)")
        #expect(r.stderr.contains("git branch --set-upstream-to=origin/BRANCH"), "\(r.stderr)")
        #expect(try w.remoteBranches() == ["main", "other"])

        // A clone with its own history, syncing for the first time, is refused the same way.
        let c = Clone(world: w, path: w.dir.file("c"))
        try c.expect(["init", c.path])
        try c.expect(["remote", "add", "origin", w.url])
        let s = try c.json(["sync"])
        #expect(s["error"]?["kind"]?.stringValue == "ambiguous_remote_branch", "\(s)")
        #expect(try w.remoteBranches() == ["main", "other"])
    }

    @Test func theListingOfARemoteNamesItsHeadAndBranches() {
        let listing = SharedBranch.parseListing("ref: refs/heads/main\tHEAD\nabc\tHEAD\nabc\trefs/heads/main\ndef\trefs/heads/x\nabc\trefs/tags/v1\n")
        #expect(listing.head == "main")
        #expect(listing.branches == ["main", "x"])
    }
}
