import MemoryModel

/// Merges three versions of a timeline day file (`timeline/YYYY/MM/YYYY-MM-DD.md`).
///
/// A day file is a header (front matter and title) followed by event blocks, each identified by its
/// `event_id`. Text a human writes after a block belongs to that block. The merge:
/// - takes the union of blocks by `event_id`, each exactly once, sorted by (timestamp, event_id);
/// - takes a block changed on one side from that side; a block changed differently on both sides is
///   line-merged (a real conflict, with markers, if the same lines changed);
/// - honours a deletion a human made on one side (a block in the base, absent on that side, unchanged
///   on the other); a block deleted on one side and edited on the other is kept, edited;
/// - line-merges the header, except when the file was created on both sides (no base): the headers are
///   then generated from the same template and ours is kept.
public enum TimelineMerge {
    public struct Result: Sendable {
        public var bytes: [UInt8]
        /// Conflicting hunks left with markers; 0 when the merge is clean.
        public var conflicts: Int
        /// What the merge decided that a person may want to know (deletions honoured, edits kept).
        public var notes: [String]
    }

    struct Unit {
        let key: String
        let sortTime: Timestamp?
        let bytes: ArraySlice<UInt8>
    }

    struct Split {
        let header: ArraySlice<UInt8>
        let units: [Unit]
        let index: [String: Int]
    }

    static func split(_ bytes: [UInt8], path: String) -> Split {
        let spans = TimelineDay.parse(bytes, path: path, wantSpans: true).spans
        let header = bytes[0..<(spans.first?.start ?? bytes.count)]
        var units: [Unit] = []
        units.reserveCapacity(spans.count)
        var index: [String: Int] = [:]
        var seen: [String: Int] = [:]
        var lastTime: Timestamp?
        for (i, span) in spans.enumerated() {
            let end = i + 1 < spans.count ? spans[i + 1].start : bytes.count
            // A copy-pasted duplicate ID stays a separate block rather than vanishing.
            var key = span.id
            if let n = seen[span.id] {
                key = span.id + "\u{0}" + String(n + 1)
                seen[span.id] = n + 1
            } else {
                seen[span.id] = 0
            }
            if let t = span.timestamp { lastTime = t }
            index[key] = units.count
            units.append(Unit(key: key, sortTime: span.timestamp ?? lastTime, bytes: bytes[span.start..<end]))
        }
        return Split(header: header, units: units, index: index)
    }

    public static func merge(base: [UInt8], ours: [UInt8], theirs: [UInt8], path: String,
                             markerSize: Int = 7) throws -> Result {
        if ours == theirs || theirs == base { return Result(bytes: ours, conflicts: 0, notes: []) }
        if ours == base { return Result(bytes: theirs, conflicts: 0, notes: []) }
        let b = split(base, path: path), o = split(ours, path: path), t = split(theirs, path: path)
        var conflicts = 0
        var notes: [String] = []
        let labels = LineMerge.Labels(path: path)

        var header: [UInt8]
        if base.isEmpty, o.header != t.header {
            header = Array(o.header)
        } else {
            let h = try LineMerge.merge(base: Array(b.header), ours: Array(o.header), theirs: Array(t.header),
                                        labels: labels, markerSize: markerSize)
            header = h.text
            conflicts += h.conflicts
        }

        var merged: [Unit] = []
        merged.reserveCapacity(max(o.units.count, t.units.count) + 16)
        func baseUnit(_ key: String) -> Unit? { b.index[key].map { b.units[$0] } }
        func label(_ key: String) -> String { key.split(separator: "\u{0}").first.map(String.init) ?? key }

        for ou in o.units {
            let bu = baseUnit(ou.key)
            guard let ti = t.index[ou.key] else {
                if let bu {
                    if bu.bytes == ou.bytes {
                        notes.append("event \(label(ou.key)) was removed on the other side; it stays removed")
                        continue
                    }
                    notes.append("event \(label(ou.key)) was removed on the other side but edited on ours; kept")
                }
                merged.append(ou)
                continue
            }
            let tu = t.units[ti]
            if ou.bytes == tu.bytes || tu.bytes == bu?.bytes { merged.append(ou); continue }
            if ou.bytes == bu?.bytes { merged.append(tu); continue }
            let m = try LineMerge.merge(base: bu.map { Array($0.bytes) } ?? [], ours: Array(ou.bytes), theirs: Array(tu.bytes),
                                        labels: labels, markerSize: markerSize)
            conflicts += m.conflicts
            if m.conflicts > 0 { notes.append("event \(label(ou.key)) was edited differently on both sides") }
            merged.append(Unit(key: ou.key, sortTime: ou.sortTime, bytes: m.text[...]))
        }
        for tu in t.units where o.index[tu.key] == nil {
            if let bu = baseUnit(tu.key) {
                if bu.bytes == tu.bytes {
                    notes.append("event \(label(tu.key)) was removed on ours; it stays removed")
                    continue
                }
                notes.append("event \(label(tu.key)) was removed on ours but edited on the other side; kept")
            }
            merged.append(tu)
        }

        merged.sort { a, b in
            let ta = a.sortTime?.milliseconds ?? Int64.min, tb = b.sortTime?.milliseconds ?? Int64.min
            return ta != tb ? ta < tb : a.key < b.key
        }

        var out = header
        out.reserveCapacity(ours.count + theirs.count / 4)
        for (i, unit) in merged.enumerated() {
            if i == 0, let last = out.last, last != 10 { out.append(10) }
            out.append(contentsOf: unit.bytes)
            // Keep a blank line between blocks, even after a block whose file ended without one.
            if i + 1 < merged.count {
                if out.last != 10 { out.append(10) }
                if out.count < 2 || out[out.count - 2] != 10 { out.append(10) }
            }
        }
        return Result(bytes: out, conflicts: conflicts, notes: notes)
    }
}
