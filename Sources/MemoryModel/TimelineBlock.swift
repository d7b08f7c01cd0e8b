import Foundation

/// Where one event block of a day file lies: a line "```yaml" followed by a line starting with
/// `event_id:`, up to the next "```" line, with the `## ` heading above it when there is one.
///
/// The one definition of a block, shared by the model's parser (`TimelineDay.parse`), the index's fast
/// scanner and the handoff's event filter, so that they always agree on what is an event.
public struct TimelineBlock: Sendable, Equatable {
    /// Start of the block's heading, or of its opening fence when no heading is above it since the last block.
    public let start: Int
    /// The line number (from 1) of `start`.
    public let startLine: Int
    /// The line number of the opening fence.
    public let fenceLine: Int
    /// The YAML lines between the fences.
    public let yaml: Range<Int>
    /// Just after the closing fence line; the end of the text when the block is never closed.
    public let end: Int
    /// The line number just after the block.
    public let endLine: Int
    /// False for a block that is never closed, which is the last one reported.
    public let closed: Bool

    /// Calls `body` with each block in order, stopping after a block that is never closed.
    public static func scan(_ b: UnsafeBufferPointer<UInt8>, _ body: (TimelineBlock) -> Void) {
        guard let base = b.baseAddress else { return }
        let n = b.count
        var pos = 0
        var line = 1
        var headingStart = -1
        var headingLine = 0

        func lineEnd(_ from: Int) -> Int {
            guard from < n, let p = memchr(base + from, 10, n - from) else { return n }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(p))
        }
        func isFenceOpen(_ s: Int, _ e: Int) -> Bool {
            var end = e
            if end > s, b[end - 1] == 13 { end -= 1 }
            return end - s == 7 && b[s] == 96 && b[s + 1] == 96 && b[s + 2] == 96 && b[s + 3] == 121 && b[s + 4] == 97
                && b[s + 5] == 109 && b[s + 6] == 108 // "```yaml"
        }
        func isFenceClose(_ s: Int, _ e: Int) -> Bool {
            var end = e
            if end > s, b[end - 1] == 13 { end -= 1 }
            return end - s == 3 && b[s] == 96 && b[s + 1] == 96 && b[s + 2] == 96
        }
        func startsWithEventID(_ s: Int) -> Bool {
            guard s + 9 <= n else { return false }
            return b[s] == 101 && b[s + 1] == 118 && b[s + 2] == 101 && b[s + 3] == 110 && b[s + 4] == 116 && b[s + 5] == 95
                && b[s + 6] == 105 && b[s + 7] == 100 && b[s + 8] == 58 // "event_id:"
        }

        while pos < n {
            let e = lineEnd(pos)
            if e - pos > 3, b[pos] == 35, b[pos + 1] == 35, b[pos + 2] == 32 { // "## "
                headingStart = pos
                headingLine = line
            }
            if isFenceOpen(pos, e), e + 1 < n, startsWithEventID(e + 1) {
                let fenceLine = line
                let start = headingStart >= 0 ? headingStart : pos
                let startLine = headingStart >= 0 ? headingLine : line
                var p = e + 1
                var l = line + 1
                var yamlEnd = -1
                while p < n {
                    let le = lineEnd(p)
                    if isFenceClose(p, le) {
                        yamlEnd = p
                        p = min(le + 1, n)
                        l += 1
                        break
                    }
                    p = min(le + 1, n)
                    l += 1
                }
                let closed = yamlEnd >= 0
                body(TimelineBlock(start: start, startLine: startLine, fenceLine: fenceLine, yaml: (e + 1)..<(closed ? yamlEnd : n),
                                   end: closed ? p : n, endLine: l, closed: closed))
                guard closed else { return }
                headingStart = -1
                pos = p
                line = l
                continue
            }
            pos = e + 1
            line += 1
        }
    }
}
