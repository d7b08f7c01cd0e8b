import Testing
@testable import MemoryModel

/// A key given twice in an event block is an error naming file and line, in the canonical shape as in a
/// reshaped one: which value counted would otherwise depend on the reader (issue 19, item 13).
@Suite struct DuplicateKeyTests {
    let header = "---\ndate: 2026-01-19\n---\n# Timeline 2026-01-19\n\n"

    @Test(arguments: [
        ("description: \"first\"\ndescription: \"second\"\n", "description", 13),
        ("description: \"first\"\nevent_type: incident\n", "event_type", 13),
    ])
    func aRepeatedKeyIsRefused(extra: String, key: String, line: Int) {
        let text = header + """
            ```yaml
            event_id: ev-20260119-100000-0000000001
            timestamp: 2026-01-19T10:00:00Z
            event_type: deployment
            source: argocd
            severity: info

            """ + extra + "```\n"
        let parsed = TimelineDay.parse(Array(text.utf8), path: "t.md")
        #expect(parsed.events.isEmpty)
        #expect(parsed.errors.map(\.line) == [line], "\(parsed.errors)")
        #expect(parsed.errors.first?.description.contains("duplicate key \(key)") == true, "\(parsed.errors)")
    }

    @Test func aRepeatedKeyInAReshapedBlockIsRefusedToo() {
        let text = header + "```yaml\nevent_id: ev-20260119-100000-0000000001\ntimestamp: 2026-01-19T10:00:00Z\n"
            + "event_type: deployment\nsource: argocd\ndescription: >\n  folded\ndescription: other\n```\n"
        let parsed = TimelineDay.parse(Array(text.utf8), path: "t.md")
        #expect(parsed.events.isEmpty)
        #expect(parsed.errors.count == 1, "\(parsed.errors)")
        #expect(parsed.errors.first?.path == "t.md")
    }
}
