// Byte-level helpers for the scanners. Everything here works on UTF-8 code units and only ever
// compares ASCII, so a multi-byte scalar can never be split: every boundary the scanners choose
// sits next to an ASCII byte or at the end of the text.

typealias Bytes = UnsafeBufferPointer<UInt8>

extension UInt8 {
    @inline(__always) var isDigit: Bool { self &- 0x30 < 10 }
    @inline(__always) var isUpper: Bool { self &- 0x41 < 26 }
    @inline(__always) var isLower: Bool { self &- 0x61 < 26 }
    @inline(__always) var isLetter: Bool { (self | 0x20) &- 0x61 < 26 }
    @inline(__always) var isAlnum: Bool { isLetter || isDigit }
    @inline(__always) var isHex: Bool { isDigit || (self | 0x20) &- 0x61 < 6 }
    /// Space or tab: the blanks that may separate a name, its separator and its value on one line.
    @inline(__always) var isBlank: Bool { self == 0x20 || self == 0x09 }
    @inline(__always) var isWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
    @inline(__always) var isNewline: Bool { self == 0x0A || self == 0x0D }
    /// Characters of a setting name: `DB_PASSWORD`, `spring.datasource.password`, `--api-key`.
    @inline(__always) var isNameByte: Bool { isAlnum || self == 0x5F || self == 0x2D || self == 0x2E }
    /// The base64url alphabet, used by JWTs and most modern API tokens.
    @inline(__always) var isBase64URL: Bool { isAlnum || self == 0x2D || self == 0x5F }
    @inline(__always) var isBase64: Bool { isAlnum || self == 0x2B || self == 0x2F || self == 0x3D }
    @inline(__always) var isQuote: Bool { self == 0x22 || self == 0x27 || self == 0x60 }
    @inline(__always) var lowercased: UInt8 { isUpper ? self | 0x20 : self }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether the bytes at `i` are exactly `literal` (case-sensitive).
    @inline(__always)
    func matches(_ literal: StaticString, at i: Int) -> Bool {
        let len = literal.utf8CodeUnitCount
        guard i >= 0, i + len <= count else { return false }
        let p = literal.utf8Start
        for k in 0..<len where self[i + k] != p[k] { return false }
        return true
    }

    /// Whether the bytes at `i` are `literal`, ignoring ASCII case. `literal` must be lowercase.
    @inline(__always)
    func matchesIgnoringCase(_ literal: StaticString, at i: Int) -> Bool {
        let len = literal.utf8CodeUnitCount
        guard i >= 0, i + len <= count else { return false }
        let p = literal.utf8Start
        for k in 0..<len where self[i + k].lowercased != p[k] { return false }
        return true
    }

    /// Whether `range` holds exactly `literal`, ignoring ASCII case. `literal` must be lowercase.
    @inline(__always)
    func equalsIgnoringCase(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        range.count == literal.utf8CodeUnitCount && matchesIgnoringCase(literal, at: range.lowerBound)
    }

    /// Whether `range` ends with `literal`, ignoring ASCII case. `literal` must be lowercase.
    @inline(__always)
    func hasSuffixIgnoringCase(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        let len = literal.utf8CodeUnitCount
        return range.count >= len && matchesIgnoringCase(literal, at: range.upperBound - len)
    }

    /// Whether `range` contains `literal`, ignoring ASCII case. `literal` must be lowercase.
    func containsIgnoringCase(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        let len = literal.utf8CodeUnitCount
        guard range.count >= len else { return false }
        for i in range.lowerBound...(range.upperBound - len) where matchesIgnoringCase(literal, at: i) {
            return true
        }
        return false
    }

    /// The end of the run of bytes satisfying `predicate` that starts at `i`.
    @inline(__always)
    func run(from i: Int, while predicate: (UInt8) -> Bool) -> Int {
        var k = i
        while k < count, predicate(self[k]) { k += 1 }
        return k
    }

    /// Index of the first occurrence of `literal` at or after `i`, or nil.
    func firstIndex(of literal: StaticString, from i: Int) -> Int? {
        let len = literal.utf8CodeUnitCount
        let first = literal.utf8Start[0]
        var k = i
        while k + len <= count {
            if self[k] == first, matches(literal, at: k) { return k }
            k += 1
        }
        return nil
    }

    /// Start of the line holding `i`: the index after the previous newline, or 0; at most 256 bytes
    /// back (the command a flag belongs to is close by), so that many flags on one line stay cheap.
    func lineStart(before i: Int) -> Int {
        var k = i
        let limit = Swift.max(0, i - 256)
        while k > limit, self[k - 1] != 0x0A { k -= 1 }
        return k
    }
}
