/// One pass over the UTF-8 bytes of a text, collecting the ranges to redact.
///
/// The pass is the pre-check as well: each byte costs one table test, and only a few bytes trigger
/// any matching. Those are the separators `=` `:` `>` (a value may follow a secret-like name), `-`
/// (flags and `-----BEGIN`), and the first letter of a word when it can start a known token format.
/// A text with no secrets allocates nothing.
struct Scanner {
    let b: Bytes
    private(set) var matches: [Match] = []
    /// Scanning resumes after the furthest match: whatever sits inside a redacted value is gone
    /// anyway, and a long value is never looked at twice.
    private var resume = 0
    /// The last value scans, so that a run of assignments or unterminated quotes on one huge line
    /// does not rescan the same bytes over and over.
    var memo = ValueMemo()

    init(_ bytes: Bytes) {
        b = bytes
    }

    mutating func scan() {
        // One table lookup per byte: the low bits say which handler a byte triggers (0: none),
        // the high bit whether it is a letter or digit (for word boundaries).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { table in
            table.initialize(repeating: 0)
            for c in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(c)] = 0x80 }
            for c in UInt8(ascii: "A")...UInt8(ascii: "Z") {
                table[Int(c)] = 0x80
                table[Int(c | 0x20)] = 0x80
            }
            table[0x3D] = 1  // =
            table[0x3A] = 2  // :
            table[0x3E] = 3  // >
            table[0x2D] = 4  // -
            for c in "AaBbegxsrwhndpSy".utf8 { table[Int(c)] |= 5 }
            scan(with: UnsafeBufferPointer(table))
        }
    }

    private mutating func scan(with table: UnsafeBufferPointer<UInt8>) {
        let n = b.count
        var i = 0
        // Invariant: at the top of the loop, b[i - 1] is not a letter or digit (or was redacted).
        while i < n {
            var cls = table[Int(b[i])]
            while cls == 0 {  // blanks and punctuation that trigger nothing
                i += 1
                guard i < n else { return }
                cls = table[Int(b[i])]
            }
            if cls & 0x80 != 0 {
                // A word starts here. Only its first byte can start a token; skip the rest of it.
                if cls & 0x7F != 0 { wordStart(at: i) }
                i = Swift.max(i + 1, resume)
                while i < n, table[Int(b[i])] & 0x80 != 0 { i += 1 }
                continue
            }
            switch cls {
            case 1: equals(at: i)
            case 2: colon(at: i)
            case 3: xmlElement(at: i)
            default: dash(at: i)
            }
            i += 1
            if resume > i {
                i = resume
                while i < n, table[Int(b[i])] & 0x80 != 0 { i += 1 }
            }
        }
    }

    mutating func add(_ start: Int, _ end: Int, _ kind: Kind) {
        guard start < end else { return }
        matches.append(Match(start: start, end: end, kind: kind))
        resume = Swift.max(resume, end)
    }

    /// Adds a value found next to a secret-like name. A known format at its start (a `ghp_` token,
    /// a key block) is matched too, so the merged redaction carries the more specific kind.
    mutating func addValue(_ v: Value, _ kind: Kind) {
        addValue(v.start, v.end, kind)
    }

    mutating func addValue(_ start: Int, _ end: Int, _ kind: Kind) {
        guard start < end else { return }
        let first = b[start]
        if first == 0x2D {
            if b.matches("-----BEGIN ", at: start) { privateKeyBlock(at: start) }
        } else if first.isLetter, start == 0 || !b[start - 1].isAlnum {
            wordStart(at: start)
        }
        add(start, end, kind)
    }

    /// Reads the value after a separator (see `value(from:extent:memo:)`).
    mutating func value(from p: Int, extent: ValueExtent) -> Value? {
        b.value(from: p, extent: extent, memo: &memo)
    }

    // MARK: - name = value, name: value

    private mutating func equals(at i: Int) {
        let n = b.count
        if i + 1 < n, b[i + 1] == 0x3D || b[i + 1] == 0x7E { return }  // == =~
        if i > 0 {
            switch b[i - 1] {
            case 0x3D, 0x21, 0x3C, 0x3E, 0x3A, 0x2B, 0x2A, 0x2F, 0x7C, 0x26, 0x25, 0x5E, 0x3F:
                return  // == != <= >= := += *= /= |= &= %= ^= ?=
            default: break
            }
        }
        let valueStart = i + 1 < n && b[i + 1] == 0x3E ? i + 2 : i + 1  // =>
        assignment(separator: i, valueStart: valueStart, yaml: false)
    }

    private mutating func colon(at i: Int) {
        let n = b.count
        if i + 2 < n, b[i + 1] == 0x2F, b[i + 2] == 0x2F {
            urlCredentials(at: i)
            return
        }
        if i + 1 < n, b[i + 1] == 0x3A { return }  // ::
        if i > 0, b[i - 1] == 0x3A { return }
        if i + 1 < n, b[i + 1] == 0x3D {  // :=
            assignment(separator: i, valueStart: i + 2, yaml: false)
            return
        }
        // A YAML or JSON separator is followed by a blank, a quote or the end of the line; this
        // leaves `sha256:abc`, `host:port` and `user:pass` alone.
        if i + 1 < n {
            let next = b[i + 1]
            guard next.isWhitespace || next == 0x22 || next == 0x27 || next == 0x5C else { return }
        }
        assignment(separator: i, valueStart: i + 1, yaml: true)
    }

    private mutating func assignment(separator i: Int, valueStart: Int, yaml: Bool) {
        guard let name = nameBefore(i) else { return }
        let cls = b.classifyName(name, isFlag: b[name.lowerBound] == 0x2D)
        switch cls.strength {
        case .none:
            return
        case .authorization:
            // `-H "Authorization: ..."`: the header ends at the quote that opened it. A bare header
            // line runs to the end of the line.
            var enclosing: UInt8 = 0
            if name.lowerBound > 0, b[name.lowerBound - 1] == 0x22 || b[name.lowerBound - 1] == 0x27,
               name.upperBound < b.count, b[name.upperBound] != b[name.lowerBound - 1] {
                enclosing = b[name.lowerBound - 1]
            }
            authorizationValue(from: valueStart, enclosingQuote: enclosing)
            return
        case .strong, .weak:
            break
        }
        var extent = ValueExtent.word
        var indented = false
        if yaml {
            let start = lineStartBefore(name.lowerBound)
            indented = start.indented
            switch start.kind {
            case .real: extent = .line
            case .escaped: extent = .escapedLine
            case .none: break
            }
        }
        guard let v = value(from: valueStart, extent: extent) else { return }
        if v.quote == 0, yaml {
            if extent == .word {
                // "the token: rotate it tomorrow" is prose: a plain word followed by more words.
                let after = b.run(from: v.end, while: \.isBlank)
                if after > v.end, after < b.count, b[after].isLetter, v.range.allSatisfy({ b[$0].isLetter }) { return }
            } else {
                // For a whole-line value, judge by its first word: `password: String = ""` is code.
                let firstWord = v.start..<b.run(from: v.start) { !$0.endsUnquotedValue && $0 != 0x3D && $0 != 0x3F }
                if firstWord.isEmpty
                    || !b.isSecretValue(Value(start: v.start, end: firstWord.upperBound, quote: 0), strength: .strong) {
                    return
                }
                // "Password: not needed for local dev." at the left margin is prose; nested YAML
                // (`  password: correct horse battery staple`) is a value.
                if !indented, firstWord.upperBound < v.end, isProse(v.range) { return }
            }
        }
        if b.isSecretValue(v, strength: cls.strength) { addValue(v, cls.kind) }
    }

    /// Words of letters with ordinary punctuation.
    private func isProse(_ r: Range<Int>) -> Bool {
        r.allSatisfy { i in
            let c = b[i]
            return c.isLetter || c.isBlank || c == 0x2E || c == 0x2C || c == 0x3B || c == 0x3A || c == 0x21 || c == 0x3F
                || c == 0x27 || c == 0x28 || c == 0x29 || c == 0x2D
        }
    }

    /// The setting name ending just before the separator at `i`, skipping blanks and a closing quote
    /// (also an escaped one, `\"password\": ...`).
    private func nameBefore(_ i: Int) -> Range<Int>? {
        var j = i - 1
        while j >= 0, b[j].isBlank { j -= 1 }
        if j >= 0, b[j] == 0x22 || b[j] == 0x27 {
            j -= 1
            if j >= 0, b[j] == 0x5C { j -= 1 }
        }
        let end = j + 1
        while j >= 0, b[j].isNameByte {
            j -= 1
            if end - j > 128 { return nil }
        }
        var start = j + 1
        // A name right after a literal "\n" inside a JSON string.
        if start > 0, start < end, b[start - 1] == 0x5C, b[start] == 0x6E || b[start] == 0x74 || b[start] == 0x72 {
            start += 1
        }
        return start < end ? start..<end : nil
    }

    private enum LineStart { case none, real, escaped }

    /// Whether the name at `i` starts its line (after indentation, an opening quote or a `- ` list
    /// marker), so the value is a YAML scalar running to the end of the line; and whether the line
    /// is indented (nested YAML rather than a label in prose).
    private func lineStartBefore(_ i: Int) -> (kind: LineStart, indented: Bool) {
        var j = i - 1
        if j >= 0, b[j] == 0x22 || b[j] == 0x27 { j -= 1 }
        var marginEnd = j
        while j >= 0, b[j].isBlank { j -= 1 }
        if j >= 0, b[j] == 0x2D {  // "- key: value"
            j -= 1
            marginEnd = j
            while j >= 0, b[j].isBlank { j -= 1 }
        }
        let indented = j < marginEnd
        if j < 0 || b[j] == 0x0A { return (.real, indented) }
        if j >= 1, b[j] == 0x6E, b[j - 1] == 0x5C { return (.escaped, indented) }
        return (.none, false)
    }

    // MARK: - Authorization headers

    /// `Authorization: Bearer x`: the scheme stays, the credentials go.
    private mutating func authorizationValue(from p: Int, enclosingQuote: UInt8) {
        let n = b.count
        var k = b.run(from: p, while: \.isBlank)
        guard k < n else { return }
        var quote: UInt8 = 0
        var escapedQuote = false
        if b[k] == 0x5C, k + 1 < n, b[k + 1] == 0x22 || b[k + 1] == 0x27 {
            quote = b[k + 1]
            escapedQuote = true
            k += 2
        } else if b[k] == 0x22 || b[k] == 0x27 {
            quote = b[k]
            k += 1
        }
        let start = k
        let limit = Swift.min(n, k + 1024)  // headers are short; keeps many headers on one line linear
        while k < limit {
            let c = b[k]
            if c.isNewline { break }
            if quote != 0 {
                if escapedQuote, c == 0x5C, k + 1 < n, b[k + 1] == quote { break }
                if !escapedQuote, c == quote { break }
            } else if c == enclosingQuote {
                break
            } else if c == 0x5C, k + 1 < n, b[k + 1] == 0x6E || b[k + 1] == 0x72 || b[k + 1].isQuote {
                break  // the end of a line or string inside a JSON string
            }
            k += 1
        }
        var end = k
        while end > start, b[end - 1].isBlank { end -= 1 }
        guard start < end else { return }

        let schemeEnd = b.run(from: start) { $0.isAlnum || $0 == 0x2D }
        var credStart = start
        var credEnd = Swift.min(end, b.run(from: start) { !$0.isWhitespace })
        var kind = Kind.authorization
        if schemeEnd > start, schemeEnd < end, b[schemeEnd].isBlank {
            let scheme = start..<schemeEnd
            guard isAuthScheme(scheme) else { return }  // "Authorization: the user must be an admin"
            credStart = b.run(from: schemeEnd, while: \.isBlank)
            credEnd = end
            if b.equalsIgnoringCase(scheme, "bearer") || b.equalsIgnoringCase(scheme, "token") {
                kind = .bearerToken
            } else if b.equalsIgnoringCase(scheme, "basic") {
                kind = .basicAuth
            }
            if kind != .authorization {
                credEnd = Swift.min(end, b.run(from: credStart) { !$0.isWhitespace })
                // Punctuation that ends a clause ("Bearer x, then …") belongs to the sentence, not the token.
                while credEnd > credStart + 1, b[credEnd - 1] == 0x2C || b[credEnd - 1] == 0x3B || b[credEnd - 1] == 0x29 { credEnd -= 1 }
            }
        } else if !b.looksRandom(start..<credEnd), !b.isPlaceholder(start..<credEnd) {
            return  // a bare value must look like a token: `Authorization: required` is not one
        }
        let cred = credStart..<credEnd
        guard !cred.isEmpty, !b.isPlaceholder(cred) else { return }
        addValue(cred.lowerBound, cred.upperBound, kind)
    }

    private func isAuthScheme(_ r: Range<Int>) -> Bool {
        for scheme in authSchemes where b.equalsIgnoringCase(r, scheme) { return true }
        return false
    }

    // MARK: - Flags

    /// Handles a `-` that may start a flag or a private key block.
    private mutating func dash(at i: Int) {
        let n = b.count
        if b.matches("-----BEGIN ", at: i) {
            privateKeyBlock(at: i)
            return
        }
        guard i == 0 || b[i - 1].isWhitespace || b[i - 1] == 0x22 || b[i - 1] == 0x27 else { return }
        var p = i + 1
        var dashes = 1
        if p < n, b[p] == 0x2D {
            p += 1
            dashes = 2
        }
        let nameStart = p
        let nameEnd = b.run(from: p) { $0.isAlnum || $0 == 0x2D || $0 == 0x5F }
        guard nameStart < nameEnd, b[nameStart].isLetter else { return }

        if dashes == 1, b[nameStart] == 0x70, shortPasswordFlag(at: i, nameStart: nameStart, nameEnd: nameEnd) {
            return  // -p
        }
        if dashes == 1, nameEnd == nameStart + 1, isPasswordLetter(b[nameStart], line: b.lineStart(before: i)..<i) {
            // redis-cli -a x, ldapsearch -w x, sqlcmd -P x
            if let v = value(from: nameEnd, extent: .word), v.start < n, b[v.start] != 0x2D,
               b.isSecretValue(v, strength: .strong) {
                addValue(v, .password)
            }
            return
        }
        if (dashes == 1 && b[nameStart] == 0x75) || (dashes == 2 && b.equalsIgnoringCase(nameStart..<nameEnd, "user")),
           userPasswordFlag(at: i, nameStart: nameStart, short: dashes == 1) {
            return  // -u, --user
        }
        guard nameEnd < n, b[nameEnd].isBlank else { return }  // --name=value is handled at the `=`
        guard dashes == 2 || nameEnd - nameStart >= 3 else { return }

        let name = nameStart..<nameEnd
        if b.equalsIgnoringCase(name, "passin") || b.equalsIgnoringCase(name, "passout") {
            // openssl: -passin pass:secret (env:, file: and fd: are references)
            let k = b.run(from: nameEnd, while: \.isBlank)
            if b.matches("pass:", at: k) {
                let end = b.run(from: k + 5) { !$0.isWhitespace && !$0.isQuote }
                let r = (k + 5)..<end
                if !r.isEmpty, !b.isPlaceholder(r) { add(r.lowerBound, r.upperBound, .password) }
            }
            return
        }
        let cls = b.classifyName(name, isFlag: true)
        guard cls.strength == .strong else { return }
        guard let v = value(from: nameEnd, extent: .word), v.start < n else { return }
        if v.quote == 0, b[v.start] == 0x2D { return }  // the next flag
        if v.quote == 0, isSubAssignment(v.range) { return }  // docker build --secret id=npmrc,src=...
        if b.isSecretValue(v, strength: .strong) { addValue(v, cls.kind) }
        return
    }

    /// Single-letter password flags of well-known clients, recognised by the command on the line.
    private func isPasswordLetter(_ c: UInt8, line: Range<Int>) -> Bool {
        switch c {
        case 0x61: b.containsIgnoringCase(line, "redis-cli")  // -a
        case 0x77: b.containsIgnoringCase(line, "ldap")  // -w: ldapsearch, ldapmodify, ldapadd, ...
        case 0x50: b.containsIgnoringCase(line, "sqlcmd") || b.containsIgnoringCase(line, "bcp ")  // -P
        default: false
        }
    }

    /// `id=x`: a value that is itself an assignment; its own `=` is looked at separately.
    private func isSubAssignment(_ r: Range<Int>) -> Bool {
        guard b[r.lowerBound].isLetter else { return false }
        let nameEnd = b.run(from: r.lowerBound) { $0.isAlnum || $0 == 0x5F || $0 == 0x2D }
        return nameEnd < r.upperBound && b[nameEnd] == 0x3D
    }

    /// `-p`: attached for mysql/mariadb (`-pS3cret`), separate for `docker login -p x` and
    /// `sshpass -p x`. Returns false when this is some other flag starting with p (`-passout`).
    private mutating func shortPasswordFlag(at i: Int, nameStart: Int, nameEnd: Int) -> Bool {
        let n = b.count
        let after = nameStart + 1
        let line = b.lineStart(before: i)..<i
        if after < n, !b[after].isWhitespace {
            guard b.containsIgnoringCase(line, "mysql") || b.containsIgnoringCase(line, "mariadb") else {
                return false
            }
            let v = value(from: after, extent: .word)
            if let v, b.isSecretValue(v, strength: .strong) { addValue(v, .password) }
            return true
        }
        guard b.containsIgnoringCase(line, "login") || b.containsIgnoringCase(line, "sshpass") else { return true }
        guard let v = value(from: after, extent: .word), v.start < n else { return true }
        if v.quote == 0, b[v.start] == 0x2D { return true }
        if b.isSecretValue(v, strength: .strong) { addValue(v, .password) }
        return true
    }

    /// curl's `-u user:password` / `--user user:password`: the user stays, the password goes.
    /// Returns false when this is not curl's flag.
    private mutating func userPasswordFlag(at i: Int, nameStart: Int, short: Bool) -> Bool {
        let n = b.count
        let line = b.lineStart(before: i)..<i
        guard b.containsIgnoringCase(line, "curl") else { return false }
        var p = short ? nameStart + 1 : b.run(from: nameStart, while: \.isAlnum)
        if p < n, b[p] == 0x3D { p += 1 }
        guard let v = value(from: p, extent: .word) else { return true }
        var k = v.start
        while k < v.end, b[k] != 0x3A { k += 1 }
        guard k < v.end else { return true }  // `-u admin`: curl asks for the password
        let password = (k + 1)..<v.end
        guard !password.isEmpty, !b.isPlaceholder(v.range), !b.isPlaceholder(password) else { return true }
        add(password.lowerBound, password.upperBound, .password)
        return true
    }

    // MARK: - XML

    /// `<password>hunter2</password>`
    private mutating func xmlElement(at i: Int) {
        var j = i - 1
        while j >= 0, b[j].isNameByte || b[j] == 0x3A { j -= 1 }
        guard j >= 0, b[j] == 0x3C, j + 1 < i else { return }
        let cls = b.classifyName((j + 1)..<i)
        guard cls.strength == .strong || cls.strength == .weak else { return }
        var k = i + 1
        while k < b.count, b[k] != 0x3C, !b[k].isNewline { k += 1 }
        guard b.matches("</", at: k) else { return }
        var start = i + 1, end = k
        while start < end, b[start].isBlank { start += 1 }
        while end > start, b[end - 1].isBlank { end -= 1 }
        let v = Value(start: start, end: end, quote: 0x22)  // element text is a literal, never code
        if b.isSecretValue(v, strength: cls.strength) { addValue(v, cls.kind) }
    }
}

/// HTTP authentication schemes (IANA registry and common vendor ones), lowercase.
private let authSchemes: [StaticString] = [
    "bearer", "basic", "token", "digest", "negotiate", "ntlm", "aws4-hmac-sha256", "hoba", "mutual", "ssws", "apikey",
    "api-key", "key", "splunk", "oauth", "mac", "dpop", "googlelogin", "hawk", "sharedkey", "sharedkeylite", "sso-key",
    "jwt", "pat", "gitlab", "bot", "otp", "vapid", "privatetoken", "scram-sha-256", "scram-sha-1", "concealed",
]
