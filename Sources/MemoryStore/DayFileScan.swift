import MemoryModel

/// Byte scans over a day file for the append fast path. They only ever say "safe to append" or
/// "duplicate" when sure; anything unusual returns nil and the caller parses the file properly.
enum DayFileScan {
    enum Verdict { case append, duplicate }

    static func appendCheck(_ bytes: [UInt8], id: String, time: Timestamp) -> Verdict? {
        let needle = Array("\nevent_id: \(id)\n".utf8)
        if contains(bytes, needle) { return .duplicate }
        // Events a human reshaped may spell the id differently; only trust files in the canonical shape.
        if contains(bytes, Array("\nevent_id: \"".utf8)) { return nil }
        guard let last = lastTimestamp(bytes) else {
            // No block yet: only a header. Appending is right if nothing looks like a block.
            return contains(bytes, Array("```yaml".utf8)) ? nil : .append
        }
        return time >= last ? .append : nil
    }

    /// The timestamp of the last `timestamp:` line in the file (events are in time order, so the last
    /// block holds the newest).
    static func lastTimestamp(_ bytes: [UInt8]) -> Timestamp? {
        let key = Array("\ntimestamp: ".utf8)
        var i = bytes.count - key.count
        while i >= 0 {
            if bytes[i] == 10 && bytes[i + 1] == key[1] && bytes[i..<(i + key.count)].elementsEqual(key) {
                var end = i + key.count
                while end < bytes.count, bytes[end] != 10, bytes[end] != 13 { end += 1 }
                return bytes[(i + key.count)..<end].withUnsafeBufferPointer { Timestamp.parse($0) }
            }
            i -= 1
        }
        return nil
    }

    /// The line of the last event block's opening fence when that block is never closed (a hand edit
    /// lost its closing ```), else nil. An event appended after it would be read as part of that block,
    /// and be lost to every reader. Scans back from the end to the last fence line: the scanner
    /// (`TimelineBlock`) ends a block at the first ``` line, so the file ends inside a block exactly
    /// when its last fence line opens one.
    static func unclosedBlockLine(_ bytes: [UInt8]) -> Int? {
        var end = bytes.count
        while end > 0 {
            var start = end - 1
            if bytes[start] == 10 { start -= 1 }
            while start >= 0, bytes[start] != 10 { start -= 1 }
            let lineStart = start + 1
            var lineEnd = end
            if lineEnd > lineStart, bytes[lineEnd - 1] == 10 { lineEnd -= 1 }
            if lineEnd > lineStart, bytes[lineEnd - 1] == 13 { lineEnd -= 1 }
            let line = bytes[lineStart..<lineEnd]
            if line.elementsEqual("```".utf8) { return nil }
            if line.elementsEqual("```yaml".utf8), bytes[min(end, bytes.count)...].starts(with: "event_id:".utf8) {
                return bytes[..<lineStart].reduce(1) { $1 == 10 ? $0 + 1 : $0 }
            }
            end = lineStart
        }
        return nil
    }
}
