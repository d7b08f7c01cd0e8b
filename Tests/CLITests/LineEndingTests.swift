import Foundation
import Testing
import MemoryModel
import TestSupport

/// A session note a Windows editor saved with CRLF line ends is read and updated like any other
/// (issue 19, item 13): it was one long line to the front-matter reader, and the session was lost.
@Suite struct LineEndingTests {
    @Test func aSessionNoteWithCRLFLineEndsIsReadAndUpdated() throws {
        let f = try CLIFixture()
        let id = try f.cmem("session", "start", "--task", "windows").trimmed
        let path = try #require(try f.git("ls-files", "sessions").stdout.split(separator: "\n").first { $0.hasSuffix(".md") })
        let full = f.repo + "/" + path
        let text = try String(contentsOfFile: full, encoding: .utf8) + "A line the human wrote.\n"
        try text.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: full, atomically: true, encoding: .utf8)

        let show = try f.cmem("session", "show", id)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("windows"))
        let update = try f.cmem("session", "update", "--summary", "edited on windows")
        #expect(update.status == 0, "\(update.stderr)")
        let after = try String(contentsOfFile: full, encoding: .utf8)
        #expect(after.contains("edited on windows"))
        #expect(after.contains("A line the human wrote."))
        #expect(try f.json("session", "current")["session_id"]?.stringValue == id)
    }

    /// A day file saved with CRLF is committed with LF, as the repository's `*.md text eol=lf` says: cmem
    /// commits the bytes it writes, with no filter, and committed CRLF (item 13).
    @Test func aDayFileWithCRLFIsCommittedWithLF() throws {
        let f = try CLIFixture()
        #expect(try f.cmem("event", "record", "--type", "deployment", "--description", "first", "--time", "2026-12-05T10:00:00Z").status == 0)
        let full = f.repo + "/timeline/2026/12/2026-12-05.md"
        let text = try String(contentsOfFile: full, encoding: .utf8) + "A line the human wrote.\n"
        try text.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: full, atomically: true, encoding: .utf8)
        let r = try f.cmem("event", "record", "--type", "deployment", "--description", "second", "--time", "2026-12-05T11:00:00Z")
        #expect(r.status == 0, "\(r.stderr)")
        let committed = try f.git("show", "HEAD:timeline/2026/12/2026-12-05.md").stdout
        #expect(!committed.contains("\r"))
        #expect(committed.contains("A line the human wrote.\n"))
        #expect(committed.contains("first") && committed.contains("second"))
        #expect(try f.git("status", "--porcelain").stdout.isEmpty)
    }

    /// One day file over the size limit is named in a warning; every other day still answers (item 13: it
    /// made `cmem timeline` fail for every day).
    @Test func aDayFileTooLargeToReadIsAWarningNotAFailure() throws {
        let f = try CLIFixture()
        #expect(try f.cmem("event", "record", "--type", "deployment", "--description", "readable", "--time", "2026-12-05T10:00:00Z").status == 0)
        let huge = f.repo + "/timeline/2026/12/2026-12-06.md"
        #expect(FileManager.default.createFile(atPath: huge, contents: Data("---\ndate: 2026-12-06\n---\n".utf8)))
        // Sparse: the size is what is refused, not the bytes.
        #expect(truncate(huge, off_t(Limits.maxNoteBytes + 1)) == 0)
        let text = try f.cmem("timeline", "--since", "2026-12-05", "--until", "2026-12-07")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("readable"))
        #expect(text.stderr.contains("2026-12-06.md"))
        let json = try f.json("timeline", "--since", "2026-12-05", "--until", "2026-12-07")
        #expect(json["events"]?.items.count == 1)
        #expect(json["warnings"]?.items.contains { $0["path"]?.stringValue?.hasSuffix("2026-12-06.md") == true } == true,
                "\(json)")
    }
}
