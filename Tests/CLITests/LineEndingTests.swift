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
}
