import Testing
import MemoryModel

@Suite struct TimelineBlockTests {
    func blocks(_ text: String) -> [TimelineBlock] {
        var found: [TimelineBlock] = []
        Array(text.utf8).withUnsafeBufferPointer { b in TimelineBlock.scan(b) { found.append($0) } }
        return found
    }

    @Test func blocksHeadingsLinesAndEnds() {
        let text = "---\ndate: x\n---\n\n## 10:00 one\n\n```yaml\nevent_id: ev-1\n```\n\ntext\n```yaml\nnot_an_event: 1\n```\n```yaml\r\nevent_id: ev-2\r\n```\r\n"
        let found = blocks(text)
        #expect(found.count == 2)
        let bytes = Array(text.utf8)
        // The first block starts at its heading (line 5), its fence on line 7.
        #expect(found[0].startLine == 5 && found[0].fenceLine == 7 && found[0].closed)
        #expect(String(decoding: bytes[found[0].start..<(found[0].start + 3)], as: UTF8.self) == "## ")
        #expect(String(decoding: bytes[found[0].yaml], as: UTF8.self) == "event_id: ev-1\n")
        #expect(found[0].endLine == 10)
        // A fence whose first line is not `event_id:` is not a block; CRLF fences are.
        #expect(found[1].startLine == found[1].fenceLine && found[1].fenceLine == 15)
        #expect(String(decoding: bytes[found[1].yaml], as: UTF8.self) == "event_id: ev-2\r\n")
        #expect(found[1].end == bytes.count)
    }

    @Test func anUnclosedBlockIsReportedLastAndEndsTheScan() {
        // The second block's "```yaml" on line 8 is not a closing fence: nothing closes it.
        let text = "```yaml\nevent_id: ev-1\n```\n## h\n```yaml\nevent_id: ev-2\nno end\n```yaml\nevent_id: ev-3\n"
        let found = blocks(text)
        #expect(found.count == 2)
        #expect(found[0].closed)
        #expect(!found[1].closed && found[1].startLine == 4 && found[1].fenceLine == 5)
        #expect(found[1].end == text.utf8.count)
    }
}
