import Foundation
import MemoryModel
import TestSupport
import Testing

/// A temporary memory repository driven through the real `cmem` binary.
final class CLIFixture {
    let dir = TemporaryDirectory("cmem-cli")
    var repo: String { dir.file("memory") }
    var project: String { dir.file("project") }

    init() throws {
        try FileManager.default.createDirectory(atPath: dir.file("project/.git"), withIntermediateDirectories: true)
        let r = try cmem("init")
        precondition(r.status == 0, "cmem init failed: \(r.stderr)")
    }

    @discardableResult
    func cmem(_ args: String..., stdin: String? = nil) throws -> ProcessResult {
        try CMemBinary.run(args, repo: repo, cwd: project, stdin: stdin.map { Data($0.utf8) })
    }

    func json(_ args: String...) throws -> JSONValue {
        let r = try CMemBinary.run(args + ["--json"], repo: repo, cwd: project)
        guard r.status == 0 else { throw CLIError(message: "cmem \(args) failed (\(r.status)): \(r.stderr)\(r.stdout)") }
        return try JSONValue.parse(r.stdout)
    }

    func git(_ args: String...) throws -> ProcessResult { try ProcessRunner.git(args, cwd: repo) }

    /// Runs `cmem ARGS` expecting a refusal: a failure whose message holds each of `mentions`, and no commit.
    func expectRefused(_ args: String..., mentioning mentions: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let head = try git("rev-parse", "HEAD").trimmed
        let r = try CMemBinary.run(args, repo: repo, cwd: project)
        #expect(r.status != 0, sourceLocation: sourceLocation)
        for m in mentions { #expect(r.stderr.contains(m), "\(r.stderr)", sourceLocation: sourceLocation) }
        #expect(try git("rev-parse", "HEAD").trimmed == head, sourceLocation: sourceLocation)
    }
}

struct CLIError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
