#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Shannon entropy of the string's UTF-8 bytes, in bits per byte: 0 for `aaaa`, 4 for 16 distinct
/// bytes, about 6 for a long random base64 string. Used to tell a random credential from a word.
public func shannonEntropy(_ s: Substring) -> Double {
    var s = s
    return s.withUTF8 { entropy(of: $0, 0..<$0.count) }
}

func entropy(of bytes: Bytes, _ range: Range<Int>) -> Double {
    guard !range.isEmpty else { return 0 }
    return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 256) { counts in
        counts.initialize(repeating: 0)
        for i in range { counts[Int(bytes[i])] += 1 }
        let n = Double(range.count)
        var sum = 0.0
        for c in counts where c > 0 {
            let x = Double(c)
            sum += x * log2(x)
        }
        return log2(n) - sum / n
    }
}

/// Where a value found after a separator sits, and how it was quoted.
struct Value {
    var start: Int
    var end: Int
    /// The opening quote, or 0 for an unquoted value.
    var quote: UInt8
    var range: Range<Int> { start..<end }
}

/// How far an unquoted value reaches.
enum ValueExtent {
    /// Up to whitespace or shell/JSON punctuation: `PASSWORD=x; cmd`, `?token=x&y=1`.
    case word
    /// To the end of the line (a YAML `key: value` line): `password: correct horse battery`.
    case line
    /// To the end of a line inside a JSON string, where lines end with a literal `\n`.
    case escapedLine
}

/// The end of the last quoted and unquoted value scans. A later scan starting inside one of them
/// ends where it ended, so a line of many `password: "x` costs one pass, not one pass each.
struct ValueMemo {
    var quote: UInt8 = 0
    var quoteStart = -1
    var quoteEnd = -1
    var wordStart = -1
    var wordEnd = -1
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Reads the value starting at `p` (after blanks). Quoted values end at the matching quote on the
    /// same line; `\"...\"` (JSON inside a JSON string) is understood too. No value is longer than
    /// 64 KB.
    func value(from p: Int, extent: ValueExtent, memo: inout ValueMemo) -> Value? {
        var k = run(from: p, while: \.isBlank)
        guard k < count else { return nil }
        let limit = Swift.min(count, k + 65_536)
        let c = self[k]
        if c == 0x5C, k + 1 < count, self[k + 1] == 0x22 || self[k + 1] == 0x27 {  // \" or \'
            let q = self[k + 1]
            let start = k + 2
            let memoKey = q | 0x80
            if memo.quote == memoKey, start > memo.quoteStart, start < memo.quoteEnd {
                return Value(start: start, end: memo.quoteEnd, quote: q)
            }
            k = start
            while k < limit, !self[k].isNewline {
                if self[k] == 0x5C, k + 1 < count, self[k + 1] == q { break }
                k += 1
            }
            memo.quote = memoKey
            memo.quoteStart = start
            memo.quoteEnd = k
            return Value(start: start, end: k, quote: q)
        }
        if c.isQuote {
            let start = k + 1
            if memo.quote == c, start > memo.quoteStart, start < memo.quoteEnd {
                return Value(start: start, end: memo.quoteEnd, quote: c)
            }
            k = start
            while k < limit, self[k] != c, !self[k].isNewline {
                k += self[k] == 0x5C ? 2 : 1
            }
            k = Swift.min(k, limit)
            memo.quote = c
            memo.quoteStart = start
            memo.quoteEnd = k
            return Value(start: start, end: k, quote: c)
        }
        let start = k
        switch extent {
        case .word:
            if start > memo.wordStart, start < memo.wordEnd {
                k = memo.wordEnd
            } else {
                k = run(from: k) { !$0.endsUnquotedValue }
                memo.wordStart = start
                memo.wordEnd = k
            }
        case .line, .escapedLine:
            let escaped = extent == .escapedLine
            while k < limit {
                let b = self[k]
                if b.isNewline { break }
                if escaped, b == 0x22 || (b == 0x5C && k + 1 < count && (self[k + 1] == 0x6E || self[k + 1] == 0x72)) {
                    break
                }
                if b == 0x23, k > start, self[k - 1].isBlank { break }  // " # comment"
                k += 1
            }
            while k > start, self[k - 1].isBlank || self[k - 1] == 0x2C { k -= 1 }
        }
        return Value(start: start, end: k, quote: 0)
    }

    /// The decision for a value next to a secret-like name. Documented rules, in order:
    /// empty, placeholders and references are kept; code (unquoted identifiers and expressions) is
    /// kept; a plain integer of up to 5 digits is kept; a file path is kept unless it looks random;
    /// after a weak name only a random-looking value (and never a UUID) is redacted.
    func isSecretValue(_ v: Value, strength: NameStrength) -> Bool {
        let r = v.range
        guard !r.isEmpty, !isPlaceholder(r) else { return false }
        if v.quote == 0x60 { return false }  // `command substitution` or a JS template literal
        if v.quote == 0, isCodeReference(r) { return false }
        if r.count <= 5, r.allSatisfy({ self[$0].isDigit }) { return false }
        if isPathLike(r), !hasRandomSegment(r) { return false }
        if strength == .weak { return looksRandom(r) && !isUUID(r) }
        return true
    }

    /// Placeholders, references and values this redactor already wrote. Kept as they are because
    /// they carry no secret and keep the text readable.
    func isPlaceholder(_ r: Range<Int>) -> Bool {
        guard let first = r.first.map({ self[$0] }) else { return true }
        let last = self[r.upperBound - 1]
        switch first {
        case 0x24: return true  // $VAR ${VAR} $(cmd) ${{ secrets.X }}
        case 0x3C: return true  // <your-token>
        case 0x25 where r.count > 2 && (last == 0x25 || self[r.lowerBound + 1] == 0x28
                || self[r.lowerBound + 1] == 0x7B):
            return true  // %TOKEN% %(password)s %{token}
        case 0x7B where r.count > 1 && (self[r.lowerBound + 1] == 0x7B || self[r.lowerBound + 1] == 0x25):
            return true  // {{ .Values.password }} {% secret %}
        case 0x5B where matches("[REDACTED", at: r.lowerBound): return true
        case 0x21 where r.count > 1 && self[r.lowerBound + 1].isLetter: return true  // YAML tags: !Ref, !vault
        default: break
        }
        if isReference(r) { return true }
        if containsInterpolation(r) { return true }
        // ***, xxxx, XXXX-XXXX, ..., ---
        if r.allSatisfy({
            let b = self[$0]
            return b == 0x2A || b == 0x78 || b == 0x58 || b == 0x2E || b == 0x2D || b == 0x5F || b == 0x20
        }) {
            return true
        }
        if matchesIgnoringCase("your", at: r.lowerBound), r.count > 4, !self[r.lowerBound + 4].isLower || r.count < 24 {
            return true  // your-token-here, YOUR_API_KEY, yourPassword
        }
        if r.count <= 12 {
            for word in placeholderWords where equalsIgnoringCase(r, word) { return true }
        }
        return false
    }

    /// Where a secret is kept rather than the secret: `op://vault/item/field`, `vault://secret/db`,
    /// `arn:aws:secretsmanager:...`. A URL with credentials (an `@`) is not a reference.
    private func isReference(_ r: Range<Int>) -> Bool {
        if matches("arn:", at: r.lowerBound) { return true }
        let scheme = run(from: r.lowerBound) { $0.isLetter || $0.isDigit || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }
        guard scheme > r.lowerBound, scheme + 3 <= r.upperBound, matches("://", at: scheme) else { return false }
        for i in scheme..<r.upperBound where self[i] == 0x40 { return false }
        return true
    }

    private func containsInterpolation(_ r: Range<Int>) -> Bool {
        var i = r.lowerBound
        while i + 1 < r.upperBound {
            let a = self[i], b = self[i + 1]
            if a == 0x24, b == 0x7B || b == 0x28 { return true }  // ${ $(
            if a == 0x7B, b == 0x7B { return true }  // {{
            if a == 0x5B, matches("[REDACTED:", at: i) { return true }
            i += 1
        }
        return false
    }

    /// Unquoted code on the right of `=` or `:` in source: `os.environ["X"]`, `self.token`,
    /// `getPassword()`, `String?`, `newPassword` (an identifier named after the secret).
    func isCodeReference(_ r: Range<Int>) -> Bool {
        let first = self[r.lowerBound]
        if first == 0x28 || first == 0x5B || first == 0x7B { return true }  // ( [ {
        guard first.isLetter || first == 0x5F else { return false }
        // An identifier chain: ident(.ident)*
        var k = r.lowerBound
        var segments = 0
        var hasDigit = false
        while k < r.upperBound {
            guard self[k].isLetter || self[k] == 0x5F else { break }
            while k < r.upperBound, self[k].isAlnum || self[k] == 0x5F {
                if self[k].isDigit { hasDigit = true }
                k += 1
            }
            segments += 1
            guard k < r.upperBound, self[k] == 0x2E, k + 1 < r.upperBound else { break }
            k += 1
        }
        if k == r.upperBound {
            // config.db.password, process.env.TOKEN; but not a dotted token (`s.AbCdEf12...`).
            if segments > 1 { return !looksRandom(r) }
            // A bare identifier that names the secret itself: `token = token`, `password: newPassword`.
            if !hasDigit {
                for word in referenceWords where containsIgnoringCase(r, word) { return true }
            }
            return false
        }
        // Something follows the identifier: a call, a subscript, generics, an optional (`foo!`, but
        // not the password `R3disPw!`).
        let next = self[k]
        if next == 0x28 || next == 0x5B || next == 0x3C { return true }
        if next == 0x3F || next == 0x21, k + 1 == r.upperBound, !hasDigit { return true }
        return false
    }

    func isPathLike(_ r: Range<Int>) -> Bool {
        let first = self[r.lowerBound]
        if first == 0x2F { return true }  // /run/secrets/db
        return matches("~/", at: r.lowerBound) || matches("./", at: r.lowerBound) || matches("../", at: r.lowerBound)
    }

    /// A random-looking credential: at least 16 bytes, no whitespace, letters mixed with digits (or
    /// base64 punctuation), and at least 3 bits of entropy per byte.
    func looksRandom(_ r: Range<Int>) -> Bool {
        guard r.count >= 16 else { return false }
        var letters = false, digits = false, base64Punct = false
        for i in r {
            let b = self[i]
            if b.isWhitespace { return false }
            if b.isLetter {
                letters = true
            } else if b.isDigit {
                digits = true
            } else if b == 0x2B || b == 0x2F || b == 0x3D {
                base64Punct = true
            }
        }
        guard letters, digits || (base64Punct && r.count >= 20) else { return false }
        return entropy(of: self, r) >= 3.0
    }

    /// Whether a path-like value has a random-looking segment between its slashes, or base64
    /// padding: `/K7MDENG/bPxRfiCY3XAMPLEKEY` is a key, `/run/secrets/db_password` a path.
    func hasRandomSegment(_ r: Range<Int>) -> Bool {
        var start = r.lowerBound
        for i in r where self[i] == 0x2F || self[i] == 0x2B || self[i] == 0x3D {
            if self[i] != 0x2F { return true }
            if looksRandom(start..<i) { return true }
            start = i + 1
        }
        return looksRandom(start..<r.upperBound)
    }

    /// 8-4-4-4-12 hex digits.
    func isUUID(_ r: Range<Int>) -> Bool {
        guard r.count == 36 else { return false }
        for (offset, i) in r.enumerated() {
            let b = self[i]
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                if b != 0x2D { return false }
            } else if !b.isHex {
                return false
            }
        }
        return true
    }
}

extension UInt8 {
    /// Ends an unquoted value: whitespace, quotes and shell, URL or JSON punctuation.
    @inline(__always) var endsUnquotedValue: Bool {
        switch self {
        case 0x20, 0x09, 0x0A, 0x0D, 0x22, 0x27, 0x60, 0x2C, 0x3B, 0x26, 0x29, 0x5D, 0x7D, 0x7C, 0x3C, 0x3E, 0x5C:
            true  // space tab LF CR " ' ` , ; & ) ] } | < > backslash
        default:
            false
        }
    }
}

/// Values that are obviously not secrets: booleans, types, defaults everybody knows, and words
/// that stand for a secret rather than being one.
private let placeholderWords: [StaticString] = [
    "true", "false", "null", "nil", "none", "undefined", "yes", "no", "on", "off", "required", "optional", "empty",
    "default", "string", "str", "int", "integer", "bool", "boolean", "number", "any", "data", "bytes", "secretstr",
    "changeme", "change_me", "change-me", "changeit", "replaceme", "replace_me", "replace-me", "placeholder",
    "example", "redacted", "dummy", "todo", "tbd", "fixme", "hidden", "masked", "sensitive", "secret", "password",
    "token", "notset", "unset", "env", "auto", "prompt", "stdin", "await", "try", "try!", "try?", "new", "self",
    "this", "super", "async", "lambda", "function", "func", "fn", "const", "let", "var", "return", "typeof",
    "omitted", "elided", "snip", "enabled", "disabled", "...", "…",
]

/// A bare identifier containing one of these is a variable holding the secret, not the secret.
private let referenceWords: [StaticString] = ["pass", "pwd", "secret", "token", "key", "auth", "cred"]
