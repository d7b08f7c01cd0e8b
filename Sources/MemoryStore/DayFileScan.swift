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
}
