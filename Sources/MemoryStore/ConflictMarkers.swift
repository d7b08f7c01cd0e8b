import Foundation

/// git's conflict markers in a note: what `git merge` leaves in a file it could not merge. cmem never
/// commits a file holding them (a write would otherwise carry an unresolved conflict into history, and a
/// sync to every clone).
public enum ConflictMarkers {
    /// The line (1-based) of the first `<<<<<<< ` line that a `>>>>>>> ` line follows, or nil when there is
    /// none. memchr over the bytes for the marker's first character: a fraction of a millisecond for a
    /// megabyte of notes, which rarely hold a `<` at all.
    public static func line(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { b -> Int? in
            guard let open = find(60, in: b, from: 0), find(62, in: b, from: open + 8) != nil else { return nil }
            return b[..<open].reduce(1) { $1 == 10 ? $0 + 1 : $0 }
        }
    }

    /// The offset of the first line from `from` on that starts with seven `marker` bytes and a space.
    static func find(_ marker: UInt8, in b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let base = b.baseAddress else { return nil }
        var i = from
        while i + 8 <= b.count, let hit = memchr(base + i, Int32(marker), b.count - i) {
            let at = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            if at + 8 <= b.count, at == 0 || b[at - 1] == 10, (1..<7).allSatisfy({ b[at + $0] == marker }), b[at + 7] == 32 {
                return at
            }
            // Past this run of markers.
            i = at + 1
            while i < b.count, b[i] == marker { i += 1 }
        }
        return nil
    }
}
