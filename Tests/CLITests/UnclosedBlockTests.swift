import Foundation
import Testing
import MemoryModel
import TestSupport

/// An event is never acknowledged into a day file where no reader would find it (issue 19, item 5).
@Suite struct UnclosedBlockTests {
    @Test func anEventAfterABlockWithoutItsClosingFenceIsRefusedNamingTheLine() throws {
        let f = try CLIFixture()
        let first = try f.cmem("event", "record", "--type", "deployment", "--description", "first", "--time", "2026-12-05T10:00:00Z").trimmed
        let day = f.repo + "/timeline/2026/12/2026-12-05.md"
        let text = try String(contentsOfFile: day, encoding: .utf8)
        // A hand edit drops the closing fence of the last block.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let close = try #require(lines.lastIndex(of: "```"))
        let open = try #require(lines.lastIndex(of: "```yaml"))
        lines.remove(at: close)
        try lines.joined(separator: "\n").write(toFile: day, atomically: true, encoding: .utf8)
        try f.git("commit", "-qam", "hand edit")
        try f.expectRefused("event", "record", "--type", "deployment", "--description", "second", "--time", "2026-12-05T11:00:00Z",
                            mentioning: ["timeline/2026/12/2026-12-05.md:\(open + 1)", "not closed"])

        // Closed again by the human, the next event is recorded and found.
        lines.insert("```", at: close)
        try lines.joined(separator: "\n").write(toFile: day, atomically: true, encoding: .utf8)
        let id = try f.cmem("event", "record", "--type", "deployment", "--description", "second", "--time", "2026-12-05T11:00:00Z")
        #expect(id.status == 0, "\(id.stderr)")
        #expect(try f.cmem("event", "show", id.trimmed).status == 0)
        #expect(try f.cmem("event", "show", first).status == 0)
    }
}
