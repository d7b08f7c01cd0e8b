import Foundation
import MemoryModel
import TestSupport

/// A memory repository and a code project in a temporary directory, with the real `cmem` binary and the
/// real hook payloads from `Fixtures/`.
final class HookFixture {
    let dir = TemporaryDirectory("cmem-hooks")
    var repo: String { dir.file("memory") }
    var project: String { dir.file("demo") }
    var home: String { dir.file("home") }
    var transcript: String { dir.file("transcript.jsonl") }
    let claudeSession: String

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    init(claudeSession: String = "abc123", initialize: Bool = true) throws {
        self.claudeSession = claudeSession
        try FileManager.default.createDirectory(atPath: project + "/.git", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: HookFixture.fixtures.appendingPathComponent("transcript_factorial.jsonl").path, toPath: transcript)
        if initialize {
            let r = try cmem(["init"])
            precondition(r.status == 0, "cmem init failed: \(r.stderr)")
        }
    }

    static func fixture(_ name: String) throws -> JSONValue {
        try JSONValue.parse(String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8))
    }

    /// A fixture payload with `cwd`, `transcript_path` and `session_id` pointing into this fixture, and
    /// any other fields replaced or added.
    func payload(_ name: String, _ overrides: [(String, JSONValue)] = []) throws -> String {
        guard case var .object(pairs) = try HookFixture.fixture(name) else { fatalError("\(name) is not an object") }
        var all: [(String, JSONValue)] = [("cwd", .string(project)), ("transcript_path", .string(transcript)), ("session_id", .string(claudeSession))]
        all += overrides
        for (key, value) in all {
            if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        }
        return JSONValue.object(pairs).json
    }

    @discardableResult
    func hook(_ event: String, _ stdin: String, extra: [String] = []) throws -> ProcessResult {
        try cmem(["hook", event] + extra, stdin: stdin)
    }

    @discardableResult
    func cmem(_ args: [String], stdin: String? = nil, cwd: String? = nil) throws -> ProcessResult {
        try CMemBinary.run(args, repo: repo, cwd: cwd ?? project, stdin: stdin.map { Data($0.utf8) }, environment: ["HOME": home])
    }

    /// The project's current session, as `cmem session current --json` prints it.
    func current() throws -> JSONValue {
        let r = try cmem(["session", "current", "--json", "--cwd", project])
        precondition(r.status == 0, "session current failed: \(r.stderr)")
        return try JSONValue.parse(r.stdout)
    }

    func git(_ args: String...) throws -> ProcessResult { try ProcessRunner.git(args, cwd: repo) }

    var hookLog: String { (try? String(contentsOfFile: repo + "/.git/cmem/hooks.log", encoding: .utf8)) ?? "" }

    /// Every byte the memory ever committed, plus the working tree: where a leaked secret would show up.
    func everything() throws -> String {
        let history = try git("log", "-p", "--all").stdout
        let tree = try ProcessRunner.run("/usr/bin/env", ["grep", "-r", "", repo, "--exclude-dir=.git"]).stdout
        return history + tree
    }
}
