/// Splits text into search terms, on bytes: ASCII letters are lowercased, anything that is not an ASCII
/// letter or digit separates terms (bytes of multi-byte UTF-8 characters are kept inside terms), and
/// terms shorter than 2 or longer than 32 bytes are dropped, as are a few English function words.
///
/// Terms are never stored as text: each is its 64-bit FNV-1a hash (of the lowercased bytes). With a
/// million distinct terms the chance that two collide is about 1 in 30 million.
enum Tokenizer {
    static let minLength = 2
    static let maxLength = 32

    /// Calls `body` with the hash of each term in `bytes`, in order.
    @inline(__always)
    static func forEachTerm(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UInt64) -> Void) {
        var h: UInt64 = fnvOffset
        var length = 0
        for b in bytes {
            var c = b
            let isUpper = c &- 65 < 26
            if isUpper { c |= 0x20 }
            if isUpper || c &- 97 < 26 || c &- 48 < 10 || c >= 0x80 {
                h = (h ^ UInt64(c)) &* fnvPrime
                length += 1
            } else if length > 0 {
                if length >= minLength, length <= maxLength, !isStopword(h, length) { body(h) }
                h = fnvOffset
                length = 0
            }
        }
        if length >= minLength, length <= maxLength, !isStopword(h, length) { body(h) }
    }

    /// Appends each term of `bytes` with `weight` to `out`; returns how many it appended. (The same as
    /// `forEachTerm`, without a closure over the caller's state: the hot path of indexing.)
    @inline(__always)
    static func appendTerms(_ bytes: UnsafeBufferPointer<UInt8>, weight: UInt16, into out: inout [(hash: UInt64, weight: UInt16)]) -> Int {
        var h: UInt64 = fnvOffset
        var length = 0
        var added = 0
        for b in bytes {
            var c = b
            let isUpper = c &- 65 < 26
            if isUpper { c |= 0x20 }
            if isUpper || c &- 97 < 26 || c &- 48 < 10 || c >= 0x80 {
                h = (h ^ UInt64(c)) &* fnvPrime
                length += 1
            } else if length > 0 {
                if length >= minLength, length <= maxLength, !isStopword(h, length) {
                    out.append((h, weight))
                    added += 1
                }
                h = fnvOffset
                length = 0
            }
        }
        if length >= minLength, length <= maxLength, !isStopword(h, length) {
            out.append((h, weight))
            added += 1
        }
        return added
    }

    static func forEachTerm(_ text: String, _ body: (UInt64) -> Void) {
        var text = text
        text.withUTF8 { forEachTerm($0, body) }
    }

    /// The terms of `text`, in order, duplicates kept.
    static func terms(_ text: String) -> [UInt64] {
        var out: [UInt64] = []
        forEachTerm(text) { out.append($0) }
        return out
    }

    /// The terms of `text` as lowercased strings (for matching names, not for the index).
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current: [UInt8] = []
        func flush() {
            if current.count >= 1 { out.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        for b in text.utf8 {
            var c = b
            if c &- 65 < 26 { c |= 0x20 }
            if c &- 97 < 26 || c &- 48 < 10 || c >= 0x80 { current.append(c) } else { flush() }
        }
        flush()
        return out
    }

    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x100_0000_01b3

    static func hash(_ lowercased: String) -> UInt64 {
        var h = fnvOffset
        for b in lowercased.utf8 { h = (h ^ UInt64(b)) &* fnvPrime }
        return h
    }

    private static let stopwords: [UInt64] = [
        "an", "the", "to", "of", "in", "on", "at", "by", "for", "from", "and", "or", "is", "it", "be", "as", "with",
        "was", "are", "this", "that",
    ].map(hash).sorted()

    @inline(__always)
    private static func isStopword(_ h: UInt64, _ length: Int) -> Bool {
        guard length <= 4 else { return false }
        for s in stopwords where s == h { return true }
        return false
    }
}
