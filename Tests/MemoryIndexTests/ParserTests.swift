import Testing
import MemoryModel
import CmemFixtures
@testable import MemoryIndex

@Suite struct ParserTests {
    /// Events in every shape the fast day-file reader must agree with the model's parser on.
    static func mixedDayFile() -> [UInt8] {
        var g = NoiseGenerator(seed: 11)
        let start = Timestamp(iso8601: "2026-05-01T00:00:00Z")!
        var events = g.events(count: 300, from: start, to: start.adding(seconds: 86_000))
        events[3].description = "Quote \" and backslash \\ and newline\nand tab\t and unicode é ✓ (deadbee1)"
        events[4].causedBy = events[2].id
        events[5].components = []
        events[6].details = .object([("namespace", .string("x")), ("nested", .object([("list", .array([.string("deep value"), .number(3)]))])),
                                     ("revision", .string("0123abcd9876"))])
        events[7].description = "Émoji 🚀 launch of caché layer"
        var text = MemoryFiles.dayFile(day: "2026-05-01", events: events)
        // A block a human reformatted (block list, unquoted description): the model's YAML path reads it.
        text += "## 23:59:00 deployment — by hand\n\n```yaml\nevent_id: ev-20260501-235900-handhand01\ntimestamp: 2026-05-01T23:59:00Z\nevent_type: deployment\nsource: human\naffected_components:\n  - hand-api\ndescription: Deployed by hand after review\n```\n\n"
        // A link in caused_by and in components.
        text += "## 23:59:30 incident — linked\n\n```yaml\nevent_id: ev-20260501-235930-handhand02\ntimestamp: 2026-05-01T23:59:30Z\nevent_type: incident\nsource: human\nseverity: error\naffected_components: [\"[[hand-api]]\"]\ncaused_by: \"[[ev-20260501-235900-handhand01]]\"\ndescription: \"Incident after the hand deploy\"\n```\n\n"
        // Broken blocks: bad severity, no type, bad timestamp.
        text += "```yaml\nevent_id: ev-20260501-235950-broken0001\ntimestamp: 2026-05-01T23:59:50Z\nevent_type: x\nseverity: extreme\n```\n\n"
        text += "```yaml\nevent_id: ev-20260501-235951-broken0002\ntimestamp: 2026-05-01T23:59:51Z\n```\n\n"
        text += "```yaml\nevent_id: ev-20260501-235952-broken0003\ntimestamp: yesterday\nevent_type: x\n```\n\n"
        // A key a human added, and an unclosed block at the end.
        text += "```yaml\nevent_id: ev-20260501-235953-extra00001\ntimestamp: 2026-05-01T23:59:53Z\nevent_type: note\nreviewed_by: \"dana\"\ndescription: \"extra key\"\n```\n\n"
        text += "## 23:59:59 deployment — unclosed\n\n```yaml\nevent_id: ev-20260501-235959-unclosed01\ntimestamp: 2026-05-01T23:59:59Z\n"
        return Array(text.utf8)
    }

    /// The fast reader's documents and the model parser's, for the same bytes.
    static func bothReadings(path: String, _ bytes: [UInt8]) -> (fast: ParsedFile, reference: ParsedFile) {
        var fast = DocumentParser()
        let a = fast.parse(path: path, kind: .day, bytes: bytes, signature: .missing)
        var reference = DocumentParser()
        let b = bytes.withUnsafeBufferPointer { buffer -> ParsedFile in
            reference.file = ParsedFile(path: path, kind: .day, signature: .missing, contentHash: 0)
            reference.parseDay(buffer)
            var out = reference.file
            out.docs = reference.d
            out.docs.termHashes = reference.termIDs.hashesByID()
            out.strings = reference.strings
            return out
        }
        return (a, b)
    }

    static func expectSameDocuments(_ a: ParsedFile, _ b: ParsedFile, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.docs.count == b.docs.count, sourceLocation: sourceLocation)
        #expect(a.errors == b.errors, sourceLocation: sourceLocation)
        func strings(_ p: ParsedFile, _ ids: [UInt32]) -> [String] { ids.map { $0 == noString ? "-" : p.strings[Int($0)] } }
        #expect(a.docs.ts == b.docs.ts, sourceLocation: sourceLocation)
        #expect(a.docs.severity == b.docs.severity, sourceLocation: sourceLocation)
        #expect(strings(a, a.docs.type) == strings(b, b.docs.type), sourceLocation: sourceLocation)
        #expect(strings(a, a.docs.source) == strings(b, b.docs.source), sourceLocation: sourceLocation)
        #expect(strings(a, a.docs.group) == strings(b, b.docs.group), sourceLocation: sourceLocation)
        #expect(strings(a, a.docs.components) == strings(b, b.docs.components), sourceLocation: sourceLocation)
        #expect(a.docs.componentStart == b.docs.componentStart, sourceLocation: sourceLocation)
        #expect(a.docs.offset == b.docs.offset, sourceLocation: sourceLocation)
        #expect(a.docs.length == b.docs.length, sourceLocation: sourceLocation)
        #expect(a.docs.line == b.docs.line, sourceLocation: sourceLocation)
        #expect(a.docs.idHash == b.docs.idHash, sourceLocation: sourceLocation)
        #expect(a.docs.causedBy == b.docs.causedBy, sourceLocation: sourceLocation)
        #expect(a.docs.shas == b.docs.shas, sourceLocation: sourceLocation)
        #expect(a.docs.shaStart == b.docs.shaStart, sourceLocation: sourceLocation)
        #expect(a.docs.terms.map { a.docs.termHashes[Int($0)] } == b.docs.terms.map { b.docs.termHashes[Int($0)] }, sourceLocation: sourceLocation)
        #expect(a.docs.termFreq == b.docs.termFreq, sourceLocation: sourceLocation)
        #expect(a.docs.termStart == b.docs.termStart, sourceLocation: sourceLocation)
        #expect(a.docs.docLength == b.docs.docLength, sourceLocation: sourceLocation)
    }

    @Test func fastDayReaderAgreesWithTheModel() {
        let (a, b) = Self.bothReadings(path: "timeline/2026/05/2026-05-01.md", Self.mixedDayFile())
        #expect(a.docs.count == 303)
        #expect(a.errors.count == 4)
        Self.expectSameDocuments(a, b)
    }

    /// A month summary: entries written by `TimelineSummary.line`, entries a person shortened or wrote
    /// oddly, lines that only look like entries, and event blocks kept whole.
    @Test func fastSummaryReaderAgreesWithTheModel() {
        var g = NoiseGenerator(seed: 23)
        let start = Timestamp(iso8601: "2026-05-01T00:00:00Z")!
        var events = g.events(count: 200, from: start, to: start.adding(seconds: 20 * 86_400))
        events[1].description = "Rolled out api (v2) (canary) to 0123abcd9876 — déployé ✓"
        events[2].components = []
        events[3].description = "x (argocd, warning)"
        var text = "---\nmonth: \"2026-05\"\n---\n\n# Timeline summary 2026-05\n\n## Deployments and config changes\n\n"
        for e in events where TimelineSummary.keep(e) == .line { text += TimelineSummary.line(e) + "\n" }
        text += "- 2026-05-03T10:00:00Z deployment `ev-20260503-100000-hand000001` [[api]] Shortened by hand\n"
        text += "- 2026-05-03T11:00:00Z rollback `ev-20260503-110000-hand000002` [[api Broken link (human,  critical )\n"
        text += "- 2026-05-03T12:00:00Z deployment `ev-20260503-120000-hand000003` Tail (a,,b) (git, bogus)\n"
        text += "- 2026-05-03T13:00:00Z deployment `../escape` Not an entry\n"
        text += "- 2026-05-03 is when we moved the canary: a person's note\n"
        text += "\n## Incidents, errors and critical events\n\n"
        text += MemoryFiles.dayFile(day: "2026-05-01", events: events.filter { TimelineSummary.keep($0) == .block })
        let (a, b) = Self.bothReadings(path: "timeline/2026/05/summary.md", Array(text.utf8))
        let lines = events.filter { TimelineSummary.keep($0) == .line }.count
        let blocks = events.filter { TimelineSummary.keep($0) == .block }.count
        #expect(lines > 20 && blocks > 5)
        #expect(a.docs.count == lines + 3 + blocks)
        Self.expectSameDocuments(a, b)
    }

    @Test func noteReaderAgreesWithYAML() throws {
        var g = NoiseGenerator(seed: 5)
        var notes: [String] = []
        for i in 0..<40 {
            let (s, ds) = g.session(index: i, at: Timestamp(seconds: 1_780_000_000 + Int64(i) * 3600))
            notes.append(MemoryFiles.sessionNote(s))
            notes += ds.map(MemoryFiles.decisionNote)
        }
        var odd = Session(id: "sess-20260101-000000-0000000001", project: "p: q", workingDirectory: "C:\\work # here",
                          startedAt: Timestamp(seconds: 1_780_000_000), currentTask: "- starts with a dash")
        odd.summary = "multi\nline \"quoted\" — ünïcode, 42, true"
        odd.blockers = ["null", "123", "a: b", "#hash", "[bracket", "trailing:"]
        odd.actions = [Session.Action(time: Timestamp(seconds: 1_780_000_100), kind: "command", detail: "exit 3", exitCode: 3)]
        notes.append(MemoryFiles.sessionNote(odd))
        // Hand-written front matter outside the subset: block scalars, comments after values, flow maps.
        notes.append("---\nsession_id: sess-hand\nstarted_at: 2026-01-01T00:00:00Z\nsummary: |\n  two\n  lines\ncurrent_task: x # comment\n---\nbody\n")
        notes.append("---\ndecision_id: dec-hand\ntimestamp: 2026-01-01T00:00:00Z\ndecision: {a: 1}\nrationale: 'single'\n---\n")
        for text in notes {
            let fast = try FrontMatterReader.values(Array(text.utf8), path: "n.md")
            let slow = try FrontMatterDocument.split(text, path: "n.md").values(path: "n.md")
            #expect(fast.map(\.0) == slow.map(\.0))
            #expect(fast.map(\.1) == slow.map(\.1), "\(text)")
        }
    }

    @Test func tokenizer() {
        func words(_ s: String) -> [UInt64] { Tokenizer.terms(s) }
        #expect(words("Crash-Looping github_mcp") == ["crash", "looping", "github", "mcp"].map(Tokenizer.hash))
        #expect(words("a I x7 the of to") == [Tokenizer.hash("x7")])
        #expect(words(String(repeating: "z", count: 33) + " ok") == [Tokenizer.hash("ok")])
        #expect(words("café") == [Tokenizer.hash("café")])
        #expect(shaKey("a1b2c3d") == shaKey("A1B2C3D4E5F60718293a4b5c6d7e8f9012345678"))
        #expect(shaKey("deadbeef") == nil)
        #expect(shaKey("1234567") == nil)
        var found: [UInt32] = []
        Array("Synced x to revision abc1234, not 12345678 or facade".utf8).withUnsafeBufferPointer { forEachHexRun($0) { found.append($0) } }
        #expect(found == [shaKey("abc1234")!])
    }
}
