import MemoryModel

/// Reads the front matter of session and decision notes quickly.
///
/// `cmem` writes front matter in a small, regular subset of YAML (see `YAMLWriter`): `key: scalar`,
/// `key: []`, `key:` followed by `  - scalar` items or by `  - k: v` records. That subset is read here
/// straight from bytes, about fifty times faster than a general YAML parser, with the same value rules as
/// `YAMLSafety.value` (plain `null`/`~`/empty are null, `true`/`false` are booleans, integers are numbers,
/// everything else is a string; quoted scalars are always strings). Anything outside the subset (a human's
/// block scalar, a comment after a value, anchors, nested flow collections) goes to the full YAML reader
/// in `FrontMatterDocument`, so the result is always what the model would read.
enum NoteReader {
    private struct NotCanonical: Error {}

    /// The front-matter values of a note.
    static func values(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws -> [(String, JSONValue)] {
        if let fast = try? canonical(bytes) { return fast }
        let text = String(decoding: bytes, as: UTF8.self)
        return try FrontMatterDocument.split(text, path: path).values(path: path)
    }

    static func values(_ bytes: [UInt8], path: String) throws -> [(String, JSONValue)] {
        try bytes.withUnsafeBufferPointer { try values($0, path: path) }
    }

    static func session(_ bytes: [UInt8], path: String) throws -> Session {
        try Session(values: values(bytes, path: path), path: path)
    }

    static func decision(_ bytes: [UInt8], path: String) throws -> Decision {
        try Decision(values: values(bytes, path: path), path: path)
    }

    private static func canonical(_ b: UnsafeBufferPointer<UInt8>) throws -> [(String, JSONValue)] {
        let n = b.count
        var pos = 0
        // A UTF-8 BOM is tolerated, as FrontMatterDocument does.
        if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { pos = 3 }
        func line(_ from: Int) -> (start: Int, end: Int, next: Int) {
            var e = from
            while e < n, b[e] != 10 { e += 1 }
            let next = e < n ? e + 1 : n
            if e > from, b[e - 1] == 13 { e -= 1 }
            return (from, e, next)
        }
        var l = line(pos)
        guard l.end - l.start == 3, b[l.start] == 45, b[l.start + 1] == 45, b[l.start + 2] == 45 else { return [] }
        pos = l.next
        var result: [(String, JSONValue)] = []
        var seen = Set<String>()
        // The key whose block (list or records) is being read.
        var openKey: String?
        var items: [JSONValue] = []
        var record: [(String, JSONValue)]?
        var closed = false

        func finishBlock() throws {
            guard let key = openKey else { return }
            if let r = record { items.append(.object(r)) }
            record = nil
            if items.isEmpty { throw NotCanonical() } // `key:` with nothing under it: let YAML decide
            result.append((key, .array(items)))
            items = []
            openKey = nil
        }

        while pos < n {
            l = line(pos)
            pos = l.next
            let s = l.start, e = l.end
            if e - s == 3, (b[s] == 45 && b[s + 1] == 45 && b[s + 2] == 45) || (b[s] == 46 && b[s + 1] == 46 && b[s + 2] == 46) {
                closed = true
                break
            }
            if e == s { continue }
            if b[s] == 35 { continue } // a comment line
            if b[s] == 32 {
                guard openKey != nil else { throw NotCanonical() }
                if e - s > 4, b[s + 1] == 32, b[s + 2] == 45, b[s + 3] == 32 { // "  - "
                    if let r = record { items.append(.object(r)); record = nil }
                    let itemStart = s + 4
                    if let colon = keyColon(b, itemStart, e) {
                        record = [(try key(b, itemStart, colon), try scalar(b, colon + 2, e, inRecord: true))]
                    } else {
                        guard record == nil else { throw NotCanonical() }
                        items.append(try scalar(b, itemStart, e, inRecord: false))
                    }
                } else if e - s > 4, b[s + 1] == 32, b[s + 2] == 32, b[s + 3] == 32, b[s + 4] != 32, record != nil {
                    guard let colon = keyColon(b, s + 4, e) else { throw NotCanonical() }
                    record!.append((try key(b, s + 4, colon), try scalar(b, colon + 2, e, inRecord: true)))
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
            result.append((k, try scalar(b, c + 2, e, inRecord: false)))
        }
        guard closed else { throw NotCanonical() }
        try finishBlock()
        return result
    }

    /// Where `key: ` ends in a record line, if the line is one.
    private static func keyColon(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int? {
        var c = s
        while c < e {
            let ch = b[c]
            if ch == 58 { return c > s && c + 1 < e && b[c + 1] == 32 ? c : nil }
            guard (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || (ch >= 48 && ch <= 57) || ch == 95 || ch == 45 else { return nil }
            c += 1
        }
        return nil
    }

    private static func key(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) throws -> String {
        for i in s..<e {
            let ch = b[i]
            guard (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || (ch >= 48 && ch <= 57) || ch == 95 || ch == 45 else {
                throw NotCanonical()
            }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
    }

    private static func scalar(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, inRecord: Bool) throws -> JSONValue {
        guard s <= e else { throw NotCanonical() }
        if s == e { return .null }
        let first = b[s]
        if first == 34 { // "…": a JSON string that must end the line
            let v = try JSONValue.parse(bytes: UnsafeBufferPointer(rebasing: b[s..<e]), maxDepth: 2)
            guard case .string = v else { throw NotCanonical() }
            return v
        }
        if first == 91 { // [ ]
            if e - s == 2, b[s + 1] == 93 { return .array([]) }
            throw NotCanonical()
        }
        // Plain scalars: refuse anything YAML might read differently.
        if first == 39 || first == 123 || first == 38 || first == 42 || first == 33 || first == 124 || first == 62
            || first == 37 || first == 64 || first == 96 || first == 35 || first == 32 || first == 63 || (first == 45 && (e - s == 1 || b[s + 1] == 32)) {
            throw NotCanonical()
        }
        if b[e - 1] == 32 || b[e - 1] == 58 { throw NotCanonical() }
        var previous: UInt8 = 0
        for i in s..<e {
            let c = b[i]
            if c < 0x20 || c == 0x7F { throw NotCanonical() }
            if (c == 32 && previous == 58) || (c == 35 && previous == 32) { throw NotCanonical() }
            previous = c
        }
        guard let text = String(validating: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self) else { throw NotCanonical() }
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
}
