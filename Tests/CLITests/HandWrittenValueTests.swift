import Foundation
import MemoryModel
import TestSupport
import Testing

/// A value a person wrote in a shape cmem cannot keep whole is never replaced by a write: the write fails,
/// naming the file, the line and the key, and the note stays as it was (issue 19, item 13: a hand-written
/// `actions: "not a list"` was silently replaced by the next action).
@Suite struct HandWrittenValueTests {
    @Test(arguments: [("actions", "\"not a list\""), ("todo_list", "{text: a map}"), ("blockers", "{a: map}")])
    func aSessionValueCmemCannotKeepStopsTheWrite(key: String, value: String) throws {
        let f = try CLIFixture()
        let id = try f.cmem("session", "start", "--task", "hand edits").trimmed
        let path = try #require(try f.git("ls-files", "sessions").stdout.split(separator: "\n").first { $0.hasSuffix(".md") })
        let full = f.repo + "/" + path
        var lines = try String(contentsOfFile: full, encoding: .utf8).components(separatedBy: "\n")
        let at = try #require(lines.firstIndex { $0.hasPrefix(key + ":") })
        lines[at] = "\(key): \(value)"
        while at + 1 < lines.count, lines[at + 1].hasPrefix("  ") { lines.remove(at: at + 1) }
        let edited = lines.joined(separator: "\n")
        try edited.write(toFile: full, atomically: true, encoding: .utf8)

        let r = try f.cmem("session", "action", "--kind", "command", "ls")
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(path):\(at + 1)"), "\(r.stderr)")
        #expect(r.stderr.contains(key), "\(r.stderr)")
        #expect(try String(contentsOfFile: full, encoding: .utf8) == edited)
        // Reading still works.
        let show = try f.cmem("session", "show", id)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("hand edits"))
    }
}
