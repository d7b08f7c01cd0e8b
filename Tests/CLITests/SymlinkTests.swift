import Foundation
import Testing
import MemoryModel
import TestSupport

/// A symbolic link inside the memory repository must never make cmem read a file from elsewhere and
/// commit it (issue 19, item 1).
@Suite struct SymlinkTests {
    /// A file outside the repository with a secret-free but recognisable content.
    func outsideFile(_ f: CLIFixture) throws -> (path: String, marker: String) {
        let marker = "OUTSIDE-CREDENTIALS-\(UInt32.random(in: 0...UInt32.max))"
        let path = f.dir.file("creds")
        try Data("\(marker)\n".utf8).write(to: URL(fileURLWithPath: path))
        return (path, marker)
    }

    @Test func aLinkedDayFileIsRefusedAndNothingIsCommitted() throws {
        let f = try CLIFixture()
        let (creds, marker) = try outsideFile(f)
        try FileManager.default.createDirectory(atPath: f.repo + "/timeline/2026/12", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: f.repo + "/timeline/2026/12/2026-12-05.md", withDestinationPath: creds)
        try f.expectRefused("event", "record", "--type", "deployment", "--description", "x", "--time", "2026-12-05T10:00:00Z",
                            mentioning: ["timeline/2026/12/2026-12-05.md", "symbolic link"])
        #expect(!(try f.git("log", "-p", "--all").stdout.contains(marker)))
        // The link is left as it was, pointing where it pointed.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: f.repo + "/timeline/2026/12/2026-12-05.md") == creds)

        let status = try f.json("status")
        #expect(status["links"] == .array([.string("timeline/2026/12/2026-12-05.md")]))
        #expect(try f.cmem("status").stdout.contains("timeline/2026/12/2026-12-05.md"))
    }

    @Test func aLinkedFolderIsRefusedToo() throws {
        let f = try CLIFixture()
        let (_, marker) = try outsideFile(f)
        let outside = f.dir.file("elsewhere")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("\(marker)\n".utf8).write(to: URL(fileURLWithPath: outside + "/2026-12-05.md"))
        try FileManager.default.createDirectory(atPath: f.repo + "/timeline/2026", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: f.repo + "/timeline/2026/12", withDestinationPath: outside)

        let r = try f.cmem("event", "record", "--type", "deployment", "--description", "x", "--time", "2026-12-05T10:00:00Z")
        #expect(r.status != 0)
        #expect(r.stderr.contains("timeline/2026/12 is a symbolic link"), "\(r.stderr)")
        #expect(!(try f.git("log", "-p", "--all").stdout.contains(marker)))
    }

    @Test func aLinkedSessionNoteIsNeitherReadNorCommitted() throws {
        let f = try CLIFixture()
        let (creds, marker) = try outsideFile(f)
        #expect(try f.cmem("session", "start", "--task", "links").status == 0)
        let path = try #require(try f.git("ls-files", "sessions").stdout.split(separator: "\n").map(String.init)
            .first { $0.hasSuffix(".md") })
        // The note is replaced by a link to the outside file.
        try FileManager.default.removeItem(atPath: f.repo + "/" + path)
        try FileManager.default.createSymbolicLink(atPath: f.repo + "/" + path, withDestinationPath: creds)

        let r = try f.cmem("session", "update", "--summary", "through the link")
        #expect(r.status != 0)
        #expect(!(try f.git("log", "-p", "--all").stdout.contains(marker)))
        #expect(try f.json("status")["links"] == .array([.string(path)]))
    }

    @Test func aLinkedTemplateIsRefused() throws {
        let f = try CLIFixture()
        let (creds, marker) = try outsideFile(f)
        try FileManager.default.createDirectory(atPath: f.repo + "/.cmem/templates", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: f.repo + "/.cmem/templates/session.mustache", withDestinationPath: creds)

        let r = try f.cmem("session", "start", "--task", "templates")
        #expect(r.status != 0)
        #expect(r.stderr.contains(".cmem/templates/session.mustache"), "\(r.stderr)")
        #expect(!(try f.git("log", "-p", "--all").stdout.contains(marker)))
    }
}
