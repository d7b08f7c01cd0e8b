import Foundation

/// The one reader of session and decision notes' front matter, for the store, the hooks and the index.
///
/// `values(_:path:)` is what every caller uses: the YAML subset `cmem` writes (`YAMLWriter`: `key: scalar`,
/// `key: []`, and `key:` followed by `  - scalar` items or `  - k: v` records) is read straight from the
/// bytes, about fifty times faster than Yams; anything else goes to `FrontMatterDocument.values`, errors
/// included. The fast path is strict, so that a note it reads gives exactly what YAML gives, and a note it
/// declines is never one YAML would refuse differently: it declines text `YAMLSafety.rejectAnchorsAndAliases`
/// could take for an anchor or alias, characters YAML does not allow, duplicate keys and CR line ends.
/// `FrontMatterReaderTests` holds it to that over a generated corpus and the hand-edit cases, with YAML as the
/// reference answer. Hooks and `session current` read session notes on every call, and a large repository
/// has thousands; the index reads every note when it is built.
public enum FrontMatterReader {
    private struct NotCanonical: Error {}

    /// The front-matter values of a note: the fast reader's, else YAML's (which names file and line on error).
    /// Invalid UTF-8 is declined by the fast reader and reported by YAML's path as text.
    public static func values(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws -> [(String, JSONValue)] {
        if String(validating: bytes, as: UTF8.self) != nil, let fast = canonicalValues(bytes) { return fast }
        return try FrontMatterDocument.split(String(decoding: bytes, as: UTF8.self), path: path).values(path: path)
    }

    public static func values(_ bytes: [UInt8], path: String) throws -> [(String, JSONValue)] {
        try bytes.withUnsafeBufferPointer { try values($0, path: path) }
    }

    /// The fast reader alone: nil for a note outside the subset it reads.
    public static func canonicalValues(_ bytes: [UInt8]) -> [(String, JSONValue)]? {
        bytes.withUnsafeBufferPointer { canonicalValues($0) }
    }

    public static func canonicalValues(_ b: UnsafeBufferPointer<UInt8>) -> [(String, JSONValue)]? {
        try? parse(b)
    }

    /// For a note `canonicalValues` accepts, what `FrontMatterDocument.split` returns, built from the bytes: one entry
    /// per top-level key with its indented lines, blank and comment lines as entries of their own, and the
    /// body after the closing line. nil for any other note.
    public static func canonicalDocument(_ b: UnsafeBufferPointer<UInt8>) -> FrontMatterDocument? {
        let n = b.count
        guard let (start, close) = bounds(b) else { return nil }
        var i = start
        func text(_ from: Int, _ to: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self) }
        var entries: [FrontMatterDocument.Entry] = []
        // The key and first byte of the entry being collected.
        var current: (key: String, start: Int)?
        i = start
        while i < close {
            var e = i
            while b[e] != 10 { e += 1 }
            let first: UInt8? = e > i ? b[i] : nil
            if let first, first != 32, first != 9, first != 35, first != 45 {
                if let c = current { entries.append(.init(key: c.key, raw: text(c.start, i))) }
                var colon = i
                while colon < e, b[colon] != 58 { colon += 1 }
                guard colon < e else { return nil } // not a `key:` line: not a note `values` accepts
                current = (text(i, colon), i)
            } else if current != nil, first == 32 || first == 9 || first == 45 {
                // An indented line: part of the current entry.
            } else {
                if let c = current { entries.append(.init(key: c.key, raw: text(c.start, i))) }
                current = nil
                entries.append(.init(key: nil, raw: text(i, e + 1)))
            }
            i = e + 1
        }
        if let c = current { entries.append(.init(key: c.key, raw: text(c.start, close))) }
        let body = close + 3 < n ? text(close + 4, n) : ""
        return FrontMatterDocument(entries: entries, body: body)
    }

    /// Where the front matter's first line starts and where its closing `---` / `...` line starts, after an
    /// opening `---` line (a UTF-8 BOM is tolerated, as FrontMatterDocument.split does).
    private static func bounds(_ b: UnsafeBufferPointer<UInt8>) -> (start: Int, close: Int)? {
        let n = b.count
        var pos = 0
        if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { pos = 3 }
        guard n - pos >= 4, b[pos] == 45, b[pos + 1] == 45, b[pos + 2] == 45, b[pos + 3] == 10 else { return nil }
        var i = pos + 4
        while i < n {
            var e = i
            while e < n, b[e] != 10 { e += 1 }
            if e - i == 3, (b[i] == 45 && b[i + 1] == 45 && b[i + 2] == 45) || (b[i] == 46 && b[i + 1] == 46 && b[i + 2] == 46) {
                return (pos + 4, i)
            }
            i = e + 1
        }
        return nil
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) throws -> [(String, JSONValue)] {
        // No front matter, an opening line with CR or trailing text, or no closing line: the YAML path decides.
        guard let (start, close) = bounds(b) else { throw NotCanonical() }
        try checkCharacters(b, start, close)

        var result: [(String, JSONValue)] = []
        var seen = Set<String>()
        var openKey: String?
        var items: [JSONValue] = []
        var record: [(String, JSONValue)]?
        var recordKeys = Set<String>()

        func finishRecord() {
            if let r = record { items.append(.object(r)) }
            record = nil
            recordKeys.removeAll(keepingCapacity: true)
        }
        func finishBlock() throws {
            guard let key = openKey else { return }
            finishRecord()
            if items.isEmpty { throw NotCanonical() } // `key:` with nothing under it: let YAML decide
            result.append((key, .array(items)))
            items = []
            openKey = nil
        }
        func addToRecord(_ key: String, _ value: JSONValue) throws {
            guard recordKeys.insert(key).inserted else { throw NotCanonical() } // YAML refuses duplicate keys
            record!.append((key, value))
        }

        var pos = start
        while pos < close {
            var e = pos
            while b[e] != 10 { e += 1 }
            let s = pos
            pos = e + 1
            if e == s { continue }
            if b[s] == 35 { continue } // a comment line
            if b[s] == 32 {
                guard openKey != nil else { throw NotCanonical() }
                if e - s > 4, b[s + 1] == 32, b[s + 2] == 45, b[s + 3] == 32 { // "  - "
                    finishRecord()
                    let itemStart = s + 4
                    if let colon = keyColon(b, itemStart, e) {
                        record = []
                        try addToRecord(try key(b, itemStart, colon), try scalar(b, colon + 2, e))
                    } else {
                        items.append(try scalar(b, itemStart, e))
                    }
                } else if e - s > 4, b[s + 1] == 32, b[s + 2] == 32, b[s + 3] == 32, b[s + 4] != 32, record != nil {
                    guard let colon = keyColon(b, s + 4, e) else { throw NotCanonical() }
                    try addToRecord(try key(b, s + 4, colon), try scalar(b, colon + 2, e))
                } else {
                    throw NotCanonical()
                }
                continue
            }
            try finishBlock()
            // key: value  |  key:
            var c = s
            while c < e, b[c] != 58 { c += 1 }
            guard c < e, c > s else { throw NotCanonical() }
            let k = try key(b, s, c)
            guard seen.insert(k).inserted else { throw NotCanonical() }
            if c + 1 == e {
                openKey = k
                continue
            }
            guard b[c + 1] == 32 else { throw NotCanonical() }
            result.append((k, try scalar(b, c + 2, e)))
        }
        try finishBlock()
        return result
    }

    /// Refuses what YAML reads differently from plain bytes or refuses outright: CR, tabs and other control
    /// characters, C1 controls (NEL is a YAML line break), U+2028/U+2029, byte-order marks and U+FFFE/U+FFFF;
    /// and whatever `YAMLSafety.rejectAnchorsAndAliases` refuses, so that a note read here is never one the
    /// YAML path would refuse.
    private static func checkCharacters(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws {
        var i = start
        while i < end {
            let c = b[i]
            if c < 0x20 {
                if c != 10 { throw NotCanonical() }
            } else if c == 0x7F {
                throw NotCanonical()
            } else if c == 0xC2 {
                if i + 1 < end, b[i + 1] >= 0x80, b[i + 1] <= 0x9F { throw NotCanonical() }
            } else if c == 0xE2 {
                if i + 2 < end, b[i + 1] == 0x80, b[i + 2] == 0xA8 || b[i + 2] == 0xA9 { throw NotCanonical() }
            } else if c == 0xEF {
                if i + 2 < end, (b[i + 1] == 0xBB && b[i + 2] == 0xBF) || (b[i + 1] == 0xBF && (b[i + 2] == 0xBE || b[i + 2] == 0xBF)) {
                    throw NotCanonical()
                }
            }
            i += 1
        }
        try checkAnchorsAndAliases(b, start, end)
    }

    /// `YAMLSafety.rejectAnchorsAndAliases`, the same machine over bytes instead of Characters: its quote,
    /// comment and token tracking, so that `"git add -- *"` and `a * b` are read here as they are there.
    /// Every byte it looks at is ASCII, and a byte is a Character but where a combining scalar joins an ASCII
    /// character into one (`"` with U+0301 is no quote to the Character machine): such a note is declined.
    private static func checkAnchorsAndAliases(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws {
        var inSingle = false, inDouble = false, escaped = false, inComment = false
        var previous: UInt8 = 10, previousRaw: UInt8 = 10, previousStartedToken = true
        func isBoundary(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 91 || c == 123 || c == 44 } // " \t\n[{,"
        var i = start
        while i < end {
            let ch = b[i]
            if ch >= 0xC0, i > start, b[i - 1] < 0x80, joinsThePrevious(b, i, end) { throw NotCanonical() }
            i += 1
            if ch == 10 {
                previous = 10; previousRaw = 10; previousStartedToken = true
                inComment = false
                continue
            }
            if inComment { continue }
            if inDouble {
                if escaped { escaped = false } else if ch == 92 { escaped = true } else if ch == 34 { inDouble = false }
                previousRaw = ch
                if ch != 32 { previous = ch }
                continue
            }
            if inSingle {
                if ch == 39 { inSingle = false }
                previousRaw = ch
                if ch != 32 { previous = ch }
                continue
            }
            // "\n:[{," or a `-`/`?` that is a token of its own.
            let afterIndicator = previous == 10 || previous == 58 || previous == 91 || previous == 123 || previous == 44
                || ((previous == 45 || previous == 63) && previousStartedToken)
            if isBoundary(previousRaw) && afterIndicator {
                if ch == 38 || ch == 42 { throw NotCanonical() }
                if ch == 34 { inDouble = true }
                if ch == 39 { inSingle = true }
            }
            if ch == 35 && (previousRaw == 32 || previousRaw == 10 || previousRaw == 9) { inComment = true; continue }
            if ch != 32 && ch != 9 {
                previousStartedToken = isBoundary(previousRaw)
                previous = ch
            }
            previousRaw = ch
        }
    }

    /// Whether the scalar whose UTF-8 starts at `i` joins the character before it into one grapheme cluster.
    private static func joinsThePrevious(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        var decoder = UTF8()
        var bytes = UnsafeBufferPointer(rebasing: b[i..<min(end, i + 4)]).makeIterator()
        guard case let .scalarValue(u) = decoder.decode(&bytes) else { return true }
        return u.properties.isGraphemeExtend || u.properties.generalCategory == .spacingMark || u.value == 0x200D
    }

    /// Where `key: ` ends in a record line, if the line is one.
    private static func keyColon(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int? {
        var c = s
        while c < e {
            let ch = b[c]
            if ch == 58 { return c > s && c + 1 < e && b[c + 1] == 32 ? c : nil }
            guard isKeyByte(ch) else { return nil }
            c += 1
        }
        return nil
    }

    private static func isKeyByte(_ ch: UInt8) -> Bool {
        (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || (ch >= 48 && ch <= 57) || ch == 95 || ch == 45
    }

    private static func key(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) throws -> String {
        guard e > s, b[s] != 45 else { throw NotCanonical() }
        for i in s..<e where !isKeyByte(b[i]) { throw NotCanonical() }
        return String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
    }

    private static func scalar(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) throws -> JSONValue {
        guard s <= e else { throw NotCanonical() }
        if s == e { return .null }
        let first = b[s]
        if first == 34 { // "…": a JSON string that ends the line
            try checkEscapes(b, s, e)
            let v = try JSONValue.parse(bytes: UnsafeBufferPointer(rebasing: b[s..<e]), maxDepth: 2, exactIntegers: false)
            guard case .string = v else { throw NotCanonical() }
            return v
        }
        if first == 91 { // [ ]
            if e - s == 2, b[s + 1] == 93 { return .array([]) }
            throw NotCanonical()
        }
        // Plain scalars: refuse anything YAML might read differently.
        if first == 39 || first == 123 || first == 38 || first == 42 || first == 33 || first == 124 || first == 62 || first == 37
            || first == 64 || first == 96 || first == 35 || first == 32 || first == 63 || first == 58 || first == 44 || first == 93 || first == 125
            || (first == 45 && (e - s == 1 || b[s + 1] == 32)) {
            throw NotCanonical()
        }
        if b[e - 1] == 32 || b[e - 1] == 58 { throw NotCanonical() }
        var previous: UInt8 = 0
        for i in s..<e {
            let c = b[i]
            if (c == 32 && previous == 58) || (c == 35 && previous == 32) { throw NotCanonical() }
            previous = c
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
        switch text {
        case "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default:
            if let i = Int64(text) { return .number(Double(i)) }
            if first == 45 || first == 43 || first == 46 || (first >= 48 && first <= 57) {
                // YAML's core schema has floats, octals, hex…: leave numbers that are not plain integers to it.
                if Double(text) != nil || text.hasPrefix("0x") || text.hasPrefix("0o") || text.hasPrefix(".") { throw NotCanonical() }
            }
            return .string(text)
        }
    }

    /// Escapes JSON and YAML read alike: not `\u0000` (YAML readers may cut the text there) and no surrogate
    /// halves (JSON pairs them, YAML refuses them).
    private static func checkEscapes(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) throws {
        var i = s + 1
        while i < e {
            if b[i] == 92 {
                guard i + 1 < e else { throw NotCanonical() }
                let c = b[i + 1]
                if c == 117 { // \uXXXX
                    guard i + 5 < e else { throw NotCanonical() }
                    var v: UInt32 = 0
                    for k in 2...5 {
                        let h = b[i + k]
                        let d: UInt32
                        switch h {
                        case 48...57: d = UInt32(h - 48)
                        case 97...102: d = UInt32(h - 87)
                        case 65...70: d = UInt32(h - 55)
                        default: throw NotCanonical()
                        }
                        v = v << 4 | d
                    }
                    if v == 0 || (v >= 0xD800 && v <= 0xDFFF) { throw NotCanonical() }
                    i += 6
                    continue
                }
                guard c == 34 || c == 92 || c == 47 || c == 98 || c == 102 || c == 110 || c == 114 || c == 116 else { throw NotCanonical() }
                i += 2
                continue
            }
            i += 1
        }
    }
}
