import Foundation
import MemoryModel
import TestSupport
import Testing

/// What cmem could not read whole is named, with file and line, where a person looks (`cmem status`, the
/// warnings of an answer), and the rest keeps working: a `.cmem/components.yaml` with an anchor (correlation
/// then knows no dependencies), and a person's note with bytes that are not UTF-8 (still searched for the
/// words it has). Both were silent.
@Suite struct UnreadableInputReportTests {
    @Test func aBrokenCatalogAndANoteThatIsNotUTF8AreNamed() throws {
        let f = try CLIFixture()
        try "components:\n  api: &x\n    depends_on: [db]\n  web: *x\n".write(toFile: f.repo + "/.cmem/components.yaml", atomically: true, encoding: .utf8)
        var note = Array("# Runbook\n\nRestart the frobnicator first.\n".utf8)
        note += [0xFF, 0xFE] + Array(" then the rest\n".utf8)
        FileManager.default.createFile(atPath: f.repo + "/runbook.md", contents: Data(note))

        let status = try f.json("status")
        let unreadable = status["unreadable_notes"]?.items.map { "\($0["path"]?.stringValue ?? ""):\($0["line"]?.int ?? 0)" } ?? []
        #expect(unreadable.contains(".cmem/components.yaml:2") && unreadable.contains("runbook.md:4"), "\(status.json)")
        let found = try f.cmem("search", "frobnicator")
        #expect(found.status == 0 && found.stdout.contains("runbook.md:"), "\(found.stdout) \(found.stderr)")
        #expect(found.stderr.contains("runbook.md:4: not valid UTF-8"), "\(found.stderr)")
        // The rest works: an event is recorded and correlation answers.
        #expect(try f.cmem("event", "record", "--type", "deployment", "--component", "api", "--description", "Synced api").status == 0)
        #expect(try f.cmem("correlate", "api errors").status == 0)
    }
}
