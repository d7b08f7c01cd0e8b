/// A JSON value with object keys kept in order. Used for an event's free-form `details`, which must be
/// written back exactly as given and compared across machines.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(json)
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(pairs) = self { return pairs.first(where: { $0.0 == key })?.1 }
        return nil
    }

    public var stringValue: String? {
        switch self {
        case let .string(s): return s
        case let .number(n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case let .bool(b): return b ? "true" : "false"
        default: return nil
        }
    }

    public var isEmptyObject: Bool {
        if case let .object(p) = self { return p.isEmpty }
        return false
    }

    /// Compact JSON with a space after `:` and `,`, so the same text is also a YAML flow collection.
    public var json: String {
        var out = ""
        write(into: &out)
        return out
    }

    public func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .number(n):
            if n == n.rounded(), abs(n) < 1e15 { out += String(Int64(n)) } else if n.isFinite { out += String(n) } else { out += "null" }
        case let .string(s): JSONValue.quote(s, into: &out)
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.write(into: &out)
            }
            out += "]"
        case let .object(pairs):
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out += ", " }
                JSONValue.quote(key, into: &out)
                out += ": "
                value.write(into: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal. Everything outside printable ASCII is escaped, so the result is also a valid
    /// YAML double-quoted scalar, survives any editor, and never carries a raw control character to disk.
    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        var needsSlow = false
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C || b >= 0x7F { needsSlow = true; break }
        if !needsSlow {
            out += s
        } else {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    let v = scalar.value
                    if v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) || v == 0x2028 || v == 0x2029 || v == 0xFEFF {
                        out += "\\u" + hex4(v)
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
    }

    public static func quoted(_ s: String) -> String {
        var out = ""
        quote(s, into: &out)
        return out
    }

    private static func hex4(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(v >> 12 & 0xF)], digits[Int(v >> 8 & 0xF)], digits[Int(v >> 4 & 0xF)], digits[Int(v & 0xF)]])
    }

    // MARK: Conversion from Foundation-style values

    /// Converts the output of `JSONSerialization` or YAML decoding. Unsupported values become strings.
    public init(any value: Any?) {
        switch value {
        case nil: self = .null
        case let v as JSONValue: self = v
        case let v as String: self = .string(v)
        case let v as Bool: self = .bool(v)
        case let v as Int: self = .number(Double(v))
        case let v as Int64: self = .number(Double(v))
        case let v as Double: self = .number(v)
        case let v as [Any?]: self = .array(v.map { JSONValue(any: $0) })
        case let v as [String: Any?]:
            self = .object(v.keys.sorted().map { ($0, JSONValue(any: v[$0] ?? nil)) })
        default: self = .string(String(describing: value!))
        }
    }

    // MARK: Parsing

    /// Parses one complete JSON value from bytes (e.g. one line of a JSON Lines file).
    ///
    /// Numbers are held as `Double`. One that overflows it (`1e999999`) is always an error. An integer it
    /// cannot hold exactly (a 30-digit id) is an error too, unless `exactIntegers` is false: what a person or
    /// a client sends is refused rather than silently rounded; documents cmem only reads (kubectl's output,
    /// Claude Code's files) are read as well as they can be.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = 64, exactIntegers: Bool = true) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth, exactIntegers: exactIntegers)
        let value = try parser.parseValue(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw JSONParseError(offset: parser.index, reason: "trailing characters") }
        return value
    }

    public static func parse(_ text: String, maxDepth: Int = 64, exactIntegers: Bool = true) throws -> JSONValue {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { buffer in
            var parser = JSONParser(bytes: UnsafeBufferPointer(buffer), maxDepth: maxDepth, exactIntegers: exactIntegers)
            let value = try parser.parseValue(depth: 0)
            parser.skipSpace()
            guard parser.index == buffer.count else { throw JSONParseError(offset: parser.index, reason: "trailing characters") }
            return value
        }
    }
}

public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid JSON at offset \(offset): \(reason)" }
}

/// A small strict JSON parser over bytes, with a depth limit (a nesting bomb is an error, not a crash).
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    let maxDepth: Int
    let exactIntegers: Bool

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, exactIntegers: Bool = true) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.exactIntegers = exactIntegers
    }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 32 || bytes[index] == 9 || bytes[index] == 10 || bytes[index] == 13 { index += 1 }
    }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < maxDepth else { throw fail("nested deeper than \(maxDepth) levels") }
        skipSpace()
        guard index < bytes.count else { throw fail("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var pairs: [(String, JSONValue)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(pairs) }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try parseString()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                let value = try parseValue(depth: depth + 1)
                pairs.append((key, value))
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(pairs) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true"); return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false"); return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null"); return .null
        default:
            return .number(try parseNumber())
        }
    }

    mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count else { throw fail("unexpected end") }
        for k in 0..<n where bytes[index + k] != word.utf8Start[k] { throw fail("invalid literal") }
        index += n
    }

    mutating func parseNumber() throws -> Double {
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if (c >= 48 && c <= 57) || c == 45 || c == 43 || c == 46 || c == 101 || c == 69 { index += 1 } else { break }
        }
        let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard index > start, let value = Double(literal) else { throw fail("invalid value") }
        let shown = literal.count > 40 ? literal.prefix(40) + "…" : Substring(literal)
        guard value.isFinite else {
            index = start
            throw fail("the number \(shown) is out of range")
        }
        // Up to 15 digits every integer is exact; past that, only those a Double happens to hold.
        if exactIntegers, literal.utf8.count > 15, literal.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 45 }),
           Int64(literal).map({ Int64(exactly: Double($0)) != $0 }) ?? true {
            index = start
            throw fail("the integer \(shown) cannot be kept exactly (a JSON number here is a 64-bit float); send it as a string")
        }
        return value
    }

    /// Parses a string starting at the opening quote. Fast path: no escapes, one UTF-8 validation.
    mutating func parseString() throws -> String {
        index += 1
        let start = index
        var hasEscape = false
        var nonASCII = false
        while index < bytes.count {
            let c = bytes[index]
            if c == 34 { break }
            if c == 92 { hasEscape = true; index += 2; continue }
            if c < 0x20 { throw fail("control character in string") }
            if c >= 0x80 { nonASCII = true }
            index += 1
        }
        guard index < bytes.count else { throw fail("unterminated string") }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
        index += 1
        if !hasEscape {
            // ASCII needs no validation, and validating is most of the cost of a short string.
            if !nonASCII { return String(decoding: raw, as: UTF8.self) }
            guard let s = String(validating: raw, as: UTF8.self) else { throw fail("invalid UTF-8") }
            return s
        }
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let c = raw[i]
            if c != 92 { out.append(c); i += 1; continue }
            guard i + 1 < raw.count else { throw fail("bad escape") }
            let e = raw[i + 1]
            i += 2
            switch e {
            case 34: out.append(34)
            case 92: out.append(92)
            case 47: out.append(47)
            case 98: out.append(8)
            case 102: out.append(12)
            case 110: out.append(10)
            case 114: out.append(13)
            case 116: out.append(9)
            case 117:
                func hex(_ at: Int) throws -> UInt32 {
                    guard at + 4 <= raw.count else { throw fail("bad \\u escape") }
                    var v: UInt32 = 0
                    for k in 0..<4 {
                        let h = raw[at + k]
                        v <<= 4
                        switch h {
                        case 48...57: v |= UInt32(h - 48)
                        case 97...102: v |= UInt32(h - 87)
                        case 65...70: v |= UInt32(h - 55)
                        default: throw fail("bad \\u escape")
                        }
                    }
                    return v
                }
                var scalar = try hex(i)
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00, i + 6 <= raw.count, raw[i] == 92, raw[i + 1] == 117 {
                    let low = try hex(i + 2)
                    if low >= 0xDC00 && low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw fail("bad escape")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8") }
        return s
    }
}
