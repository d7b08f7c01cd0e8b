#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Substring tests on UTF-8 bytes, for the correlator's word and phrase tests. A correlation classifies
/// thousands of events, each by a few dozen of them; Foundation's `contains` and `replacingOccurrences`
/// go through NSString and a locale-aware search, and cost a third of a correlation. Byte for byte is
/// what these tests mean: the texts are lowercased first, and the needles are ASCII.
extension String {
    /// Whether `needle` occurs in this string.
    func includes(_ needle: String) -> Bool {
        var hay = self, needle = needle
        return hay.withUTF8 { h in needle.withUTF8 { n in ByteSearch.first(n, in: h, from: 0) != nil } }
    }

    /// This string with every occurrence of `needle` replaced by `replacement`.
    func replacingAll(_ needle: String, with replacement: String) -> String {
        guard !needle.isEmpty else { return self }
        var hay = self, needle = needle
        return hay.withUTF8 { h in
            needle.withUTF8 { n in
                guard var hit = ByteSearch.first(n, in: h, from: 0) else { return self }
                var out: [UInt8] = []
                out.reserveCapacity(h.count)
                var start = 0
                while true {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: h[start..<hit]))
                    out.append(contentsOf: replacement.utf8)
                    start = hit + n.count
                    guard let next = ByteSearch.first(n, in: h, from: start) else { break }
                    hit = next
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: h[start...]))
                return String(decoding: out, as: UTF8.self)
            }
        }
    }
}

enum ByteSearch {
    /// The offset of the first `needle` in `hay` at or after `start`.
    static func first(_ needle: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let n = needle.count
        guard n > 0 else { return start }
        guard let h = hay.baseAddress, let p = needle.baseAddress, hay.count - start >= n else { return nil }
        let first = Int32(p[0])
        var i = start
        let last = hay.count - n
        while i <= last {
            guard let hit = memchr(h + i, first, last - i + 1) else { return nil }
            let at = h.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(h + at, p, n) == 0 { return at }
            i = at + 1
        }
        return nil
    }
}
