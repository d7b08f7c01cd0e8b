import Testing
@testable import MemoryModel

@Suite struct TimelineDayTests {
    func event(_ id: String, _ time: String, description: String = "Synced x to abc123") -> TimelineEvent {
        TimelineEvent(id: id, timestamp: Timestamp(iso8601: time)!, type: "deployment", source: "argocd",
                      description: description, details: .object([("sha", .string("abc123")), ("n", .number(3))]),
                      causedBy: "ev-20260119-090000-aaaaaaaaaa", components: ["github-mcp-server", "redis"], severity: .warning)
    }

    func day(_ events: [TimelineEvent], extra: String = "") -> String {
        var s = "---\ndate: 2026-01-19\n---\n# Timeline 2026-01-19\n\n"
        for e in events { s += "## \(e.timestamp.timeOfDay) \(e.type) — x\n\n" + TimelineDay.fencedYAML(for: e) + "\n" }
        return s + extra
    }

    @Test func canonicalBlocksRoundTrip() {
        let a = event("ev-20260119-100000-0000000001", "2026-01-19T10:00:00Z", description: "multi\nline \"quoted\" ✓")
        let b = event("ev-20260119-110000-0000000002", "2026-01-19T11:00:00.250Z")
        let parsed = TimelineDay.parse(Array(day([a, b]).utf8), path: "t.md", wantSpans: true)
        #expect(parsed.errors.isEmpty)
        #expect(parsed.events == [a, b])
        #expect(parsed.spans.map(\.id) == [a.id, b.id])
    }

    @Test func canonicalYAMLIsAlsoValidYAML() throws {
        let e = event("ev-20260119-100000-0000000001", "2026-01-19T10:00:00Z", description: "a: b # c\n\"d\"")
        let values = try YAMLSafety.mapping(TimelineDay.yaml(for: e), path: "t", lineOffset: 0)
        #expect(try TimelineDay.event(from: values, path: "t", line: 1) == e)
    }

    @Test func humanReshapedBlockFallsBackToYAML() {
        let text = """
        ## 10:00 by hand

        ```yaml
        event_id: ev-20260119-100000-hand000001
        timestamp: 2026-01-19T10:00:00Z
        event_type: incident
        source: manual
        affected_components:
          - github-mcp-server
        description: >
          Folded text
          over lines
        note_from_human: kept on disk
        ```

        """
        let parsed = TimelineDay.parse(Array(text.utf8), path: "t.md")
        #expect(parsed.errors.isEmpty)
        #expect(parsed.events.first?.components == ["github-mcp-server"])
        #expect(parsed.events.first?.description == "Folded text over lines\n")
    }

    @Test func brokenBlockIsReportedWithItsLineAndTheRestStillReads() {
        let good = event("ev-20260119-120000-0000000003", "2026-01-19T12:00:00Z")
        let broken = """
        ## broken

        ```yaml
        event_id: ev-20260119-100000-broken0001
        timestamp: not a time
        event_type: deployment
        ```

        """
        let text = "---\ndate: 2026-01-19\n---\n" + broken + day([good]).split(separator: "\n", maxSplits: 4, omittingEmptySubsequences: false).last!
        let parsed = TimelineDay.parse(Array(text.utf8), path: "t.md")
        #expect(parsed.events.map(\.id) == [good.id])
        #expect(parsed.errors.count == 1)
        #expect(parsed.errors.first?.line == 8) // the timestamp line itself
        #expect(parsed.errors.first?.path == "t.md")
    }

    @Test func blockThatIsNotYAMLIsReportedAsAnEventBlockNotFrontMatter() {
        let good = event("ev-20260119-120000-0000000003", "2026-01-19T12:00:00Z")
        let broken = """
        ## broken

        ```yaml
        event_id: ev-20260119-100000-broken0002
        timestamp: 2026-01-19T10:00:00Z
        event_type: deployment
        description: "never closed
        ```

        """
        let text = "---\ndate: 2026-01-19\n---\n" + broken + day([good]).split(separator: "\n", maxSplits: 4, omittingEmptySubsequences: false).last!
        let parsed = TimelineDay.parse(Array(text.utf8), path: "timeline/2026/01/2026-01-19.md")
        #expect(parsed.events.map(\.id) == [good.id])
        #expect(parsed.errors.count == 1)
        let error = parsed.errors.first
        #expect(error?.message.hasPrefix("event block is not valid YAML: ") == true, "\(String(describing: error))")
        #expect(error?.description.contains("front matter") == false)
        // Within the block: from its fence (line 6) to its closing fence (line 11).
        #expect((6...11).contains(error?.line ?? 0), "\(String(describing: error))")
        #expect(error?.description.hasPrefix("timeline/2026/01/2026-01-19.md:\(error?.line ?? 0): event block is not valid YAML") == true)
    }

    @Test func frontMatterThatIsNotYAMLIsStillCalledFrontMatter() throws {
        let doc = try FrontMatterDocument.split("---\ntitle: \"never closed\n---\nbody\n", path: "n.md")
        let error = #expect(throws: NoteError.self) { try doc.values(path: "n.md") }
        #expect(error?.message.hasPrefix("front matter is not valid YAML") == true, "\(String(describing: error))")
    }

    @Test func unclosedBlockIsAnError() {
        let text = "```yaml\nevent_id: ev-1\ntimestamp: 2026-01-19T10:00:00Z\n"
        let parsed = TimelineDay.parse(Array(text.utf8), path: "t.md")
        #expect(parsed.events.isEmpty)
        #expect(parsed.errors.first?.line == 1)
    }

    @Test func invalidUTF8InABlockIsAnErrorNotACrash() {
        var bytes = Array("```yaml\nevent_id: ev-20260119-100000-x\ntimestamp: 2026-01-19T10:00:00Z\nevent_type: a\ndescription: ".utf8)
        bytes += [0xFF, 0xFE, 0x0A]
        bytes += Array("```\n".utf8)
        let parsed = TimelineDay.parse(bytes, path: "t.md")
        #expect(parsed.events.isEmpty || parsed.events.first?.description.isEmpty == false)
        #expect(parsed.errors.count + parsed.events.count == 1)
    }

    @Test func otherYAMLCodeBlocksAreNotEvents() {
        let text = "# notes\n\n```yaml\nkey: value\n```\n"
        let parsed = TimelineDay.parse(Array(text.utf8), path: "t.md")
        #expect(parsed.events.isEmpty && parsed.errors.isEmpty)
    }
}

@Suite struct IdentifierTests {
    @Test func newIDsSortByTimeAndAreUnique() {
        let t1 = Timestamp(iso8601: "2026-01-19T10:00:00Z")!, t2 = Timestamp(iso8601: "2026-01-19T10:00:01Z")!
        let ids = (0..<1000).map { _ in Identifier.make(.event, at: t1) }
        #expect(Set(ids).count == 1000)
        #expect(ids[0] < Identifier.make(.event, at: t2))
        #expect(Identifier.day(of: ids[0]) == "2026-01-19")
        #expect(Identifier.isSafeName(ids[0], maxLength: 128))
    }

    @Test func derivedIDsAreStable() {
        let t = Timestamp(iso8601: "2026-01-19T10:00:00Z")!
        #expect(Identifier.derived(.event, at: t, content: "x") == Identifier.derived(.event, at: t, content: "x"))
        #expect(Identifier.derived(.event, at: t, content: "x") != Identifier.derived(.event, at: t, content: "y"))
    }

    @Test func hostileNamesAreRefused() {
        for bad in ["../x", "../../etc/passwd", "a/b", "/abs", ".hidden", "-flag", "a..b", "nul\u{0}x", "new\nline", "", "sp ace",
                    String(repeating: "a", count: 300), "ümlaut"] {
            #expect(throws: ValidationError.self, "\(bad)") { try Identifier.validate(bad) }
            #expect(throws: ValidationError.self, "\(bad)") { try Identifier.validateComponent(bad) }
        }
        #expect(throws: Never.self) { try Identifier.validateComponent("github-mcp-server") }
        #expect(throws: Never.self) { try Identifier.validate("sess-000123") }
    }
}
