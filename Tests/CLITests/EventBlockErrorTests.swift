import Foundation
import Testing
import TestSupport

/// A day file whose event block is not YAML: the warning names the event block, the file and the line.
@Suite struct EventBlockErrorTests {
    @Test func aBrokenEventBlockIsReportedAsAnEventBlock() throws {
        let f = try CLIFixture()
        let day = """
        ---
        date: 2026-01-19
        ---
        # Timeline 2026-01-19

        ## 10:00 deployment — broken by hand

        ```yaml
        event_id: ev-20260119-100000-broken0003
        timestamp: 2026-01-19T10:00:00Z
        event_type: deployment
        description: "the quote is never closed
        ```

        ## 11:00 deployment — fine

        ```yaml
        event_id: ev-20260119-110000-fine000004
        timestamp: 2026-01-19T11:00:00Z
        event_type: deployment
        source: manual
        severity: info
        affected_components: []
        description: "still read"
        ```

        """
        try FileManager.default.createDirectory(atPath: f.repo + "/timeline/2026/01", withIntermediateDirectories: true)
        try day.write(toFile: f.repo + "/timeline/2026/01/2026-01-19.md", atomically: true, encoding: .utf8)
        let r = try f.cmem("timeline", "--since", "2026-01-19", "--until", "2026-01-19")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("still read"), "\(r.stdout)")
        // The answer's warning (the index may also log the file when it first reads it).
        let warning = r.stderr.split(separator: "\n").first { $0.hasPrefix("warning: ") && $0.contains("2026-01-19.md") }.map(String.init) ?? ""
        #expect(warning.contains("timeline/2026/01/2026-01-19.md:"), "\(r.stderr)")
        #expect(warning.contains(": event block is not valid YAML: "), "\(r.stderr)")
        #expect(!r.stderr.contains("front matter"), "\(r.stderr)")
        // The line is inside the broken block: from its fence (line 8) to its closing fence (line 13).
        let line = warning.components(separatedBy: "2026-01-19.md:").last?.split(separator: ":").first.flatMap { Int($0) }
        #expect(line.map { (8...13).contains($0) } == true, "\(warning)")
    }
}
