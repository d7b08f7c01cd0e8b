import Foundation
import Testing
import MemoryModel
import TestSupport
@testable import MemorySync

/// A shared bare remote and any number of memory clones, driven through the real `cmem` and `git`.
final class SyncWorld: @unchecked Sendable {
    let dir = TemporaryDirectory("cmem-sync")
    var remotesDir: String { dir.file("remotes") }
    var bare: String { dir.file("remotes/memory.git") }
    var project: String { dir.file("project") }
    /// The URL clones use; a path unless a daemon serves the remote.
    var url: String

    /// `remoteHead`: the branch the bare remote's HEAD names (plain `git init --bare` names `master`).
    init(url: String? = nil, remoteHead: String = "main") throws {
        self.url = url ?? ""
        try FileManager.default.createDirectory(atPath: remotesDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        try ProcessRunner.git(["init", "--bare", "-q", "-b", remoteHead, bare], cwd: remotesDir)
        if url == nil { self.url = bare }
    }

    /// The first clone: `cmem init`, a remote, and a first sync that fills the empty remote.
    func seed(_ name: String = "seed") throws -> Clone {
        let c = Clone(world: self, path: dir.file(name))
        try c.expect(["init", c.path])
        try c.expect(["remote", "add", "origin", url])
        try c.expect(["sync"])
        return c
    }

    /// Another machine: `git clone` of the remote, then `cmem init` in it.
    func clone(_ name: String) throws -> Clone {
        let c = Clone(world: self, path: dir.file(name))
        let r = try ProcessRunner.git(["clone", "-q", url, c.path], cwd: dir.path)
        guard r.status == 0 else { throw SyncTestError("git clone failed: \(r.stderr)") }
        try c.expect(["init", c.path])
        return c
    }

    /// The branches of the bare remote.
    func remoteBranches() throws -> [String] {
        try ProcessRunner.git(["for-each-ref", "--format=%(refname:short)", "refs/heads"], cwd: bare).stdout
            .split(separator: "\n").map(String.init)
    }

    /// Two clones whose edits of one session note's prose conflict, `b`'s committed, `a`'s synced first:
    /// `b`'s next sync meets the conflict.
    func proseConflict() throws -> (a: Clone, b: Clone, session: String, path: String, original: String) {
        let a = try seed("a")
        let session = try a.expect(["session", "start", "--task", "shared"])
        try a.expect(["sync"])
        let b = try clone("b")
        guard let path = a.sessionPath(session) else { throw SyncTestError("no note for session \(session)") }
        let original = try a.read(path)
        try a.write(path, original + "\nThe outage began at the registry.\n")
        try b.write(path, original + "\nThe outage began with a bad deploy.\n")
        try b.git("commit", "-q", "-am", "b's note")
        try a.expect(["sync"])
        return (a, b, session, path, original)
    }

    func remoteHead() throws -> String {
        try ProcessRunner.git(["rev-parse", "refs/heads/main"], cwd: bare).trimmed
    }
}

struct Clone: Sendable {
    let world: SyncWorld
    let path: String

    init(world: SyncWorld, path: String) {
        self.world = world
        self.path = path
    }

    @discardableResult
    func cmem(_ args: [String]) throws -> ProcessResult {
        try CMemBinary.run(args, repo: path, cwd: world.project)
    }

    /// Runs `cmem`, failing the test with its output unless it exits 0; returns trimmed stdout.
    @discardableResult
    func expect(_ args: [String]) throws -> String {
        let r = try cmem(args)
        guard r.status == 0 else { throw SyncTestError("cmem \(args.joined(separator: " ")) in \(path) exited \(r.status): \(r.stderr)\(r.stdout)") }
        return r.trimmed
    }

    func json(_ args: [String]) throws -> JSONValue {
        try JSONValue.parse(try cmem(args + ["--json"]).stdout)
    }

    @discardableResult
    func git(_ args: String...) throws -> ProcessResult { try ProcessRunner.git(args, cwd: path) }

    func head() throws -> String { try git("rev-parse", "HEAD").trimmed }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: path + "/" + relative, encoding: .utf8) }

    func write(_ relative: String, _ text: String) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    func record(_ description: String, at time: String) throws -> String {
        try expect(["event", "record", "--type", "deployment", "--source", "test", "--component", "api",
                    "--description", description, "--time", time])
    }

    /// Files under `top` (timeline, sessions, decisions), repository-relative.
    func files(_ top: String) -> [String] {
        let e = FileManager.default.enumerator(atPath: path + "/" + top)
        var out: [String] = []
        while let f = e?.nextObject() as? String {
            if f.hasSuffix(".md") { out.append(top + "/" + f) }
        }
        return out.sorted()
    }

    func sessionPath(_ id: String) -> String? { files("sessions").first { $0.hasSuffix("/\(id).md") } }

    /// Every event ID in every day file, with repeats.
    func eventIDs() throws -> [String] {
        try files("timeline").flatMap { TimelineDay.parse(Array(try read($0).utf8), path: $0).events.map(\.id) }
    }

    /// Sets one front-matter key by hand, as a person in an editor would (no cmem involved).
    func handEdit(_ relative: String, key: String, value: String) throws {
        var doc = try FrontMatterDocument.split(try read(relative), path: relative)
        doc.set(key, raw: "\(key): \(YAMLWriter.scalar(value))\n")
        try write(relative, doc.text)
    }
}

struct SyncTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Lines that only a merge conflict leaves.
func conflictMarkers(_ text: String) -> [String] {
    text.split(separator: "\n").filter { $0.hasPrefix("<<<<<<<") || $0.hasPrefix(">>>>>>>") || $0 == "=======" }.map(String.init)
}
