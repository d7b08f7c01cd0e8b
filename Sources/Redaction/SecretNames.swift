// Deciding whether a setting name is secret-like.
//
// A name is split into lowercase components at `_`, `-`, `.` and camelCase boundaries
// (`AWS_SECRET_ACCESS_KEY`, `clientSecret`, `spring.datasource.password`, `--api-key`,
// `X-Auth-Token`). What matters is mostly the LAST component, so `GITHUB_TOKEN` is secret-like
// while `TOKEN_EXPIRY_SECONDS`, `password_reset_page` and `secretName` are not.

/// How sure a name makes us that its value is a secret.
enum NameStrength {
    /// Not a secret-like name.
    case none
    /// Any real value is redacted (`DB_PASSWORD`, `GITHUB_TOKEN`, `client_secret`, `API_KEY`).
    case strong
    /// Only a value that looks random is redacted (`STRIPE_KEY`, `auth`, `SECRET_KEY_BASE`).
    case weak
    /// An HTTP `Authorization` header: the scheme is kept and the credentials redacted.
    case authorization
}

struct NameClass {
    var strength: NameStrength
    var kind: Kind

    static let none = NameClass(strength: .none, kind: .secret)
}

/// The family a single component belongs to, when it names a secret by itself.
private enum Family {
    case password, token, secret, apiKey
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Classifies the setting name in `name`. `isFlag` is true for command-line flags, where
    /// boolean-looking flags such as `--no-password` or `--with-token` are not secret-like.
    func classifyName(_ name: Range<Int>, isFlag: Bool = false) -> NameClass {
        guard mayNameSecret(name) else { return .none }
        var walker = ComponentWalker(bytes: self, range: name)
        var first: Range<Int>?
        var previous: Range<Int>?
        var last: Range<Int>?
        var count = 0
        while let comp = walker.next() {
            if first == nil { first = comp }
            previous = last
            last = comp
            count += 1
        }
        guard let last, let first else { return .none }
        if isFlag, count > 1, isBooleanFlagVerb(first) { return .none }

        if equalsIgnoringCase(last, "authorization") {
            return NameClass(strength: .authorization, kind: .authorization)
        }

        if let fam = family(of: last) {
            if fam == .secret || fam == .token, isAWSSecret(name) {
                return NameClass(strength: .strong, kind: .awsSecretKey)
            }
            return NameClass(strength: .strong, kind: kind(of: fam))
        }
        if equalsIgnoringCase(last, "key") {
            guard let previous else { return .none }  // a lone `key:` is far too common to mean anything
            if isAWSSecret(name) { return NameClass(strength: .strong, kind: .awsSecretKey) }
            switch keyQualifier(previous) {
            case .strong:
                if equalsIgnoringCase(previous, "api") { return NameClass(strength: .strong, kind: .apiKey) }
                if equalsIgnoringCase(previous, "private") { return NameClass(strength: .strong, kind: .privateKey) }
                return NameClass(strength: .strong, kind: .secret)
            case .harmless:
                return .none
            case .other:
                // TOKEN_KEY may be the key a token is stored under ("auth_token"): random values only.
                if let fam = family(of: previous) { return NameClass(strength: .weak, kind: kind(of: fam)) }
                return NameClass(strength: .weak, kind: .secret)
            }
        }
        if isWeakWord(last) {
            let credentialLike = equalsIgnoringCase(last, "auth") || hasPrefixIgnoringCase(last, "cred")
                || equalsIgnoringCase(last, "cookie")
            return NameClass(strength: .weak, kind: credentialLike ? .credential : .secret)
        }
        // SECRET_KEY_BASE, TOKEN_VALUE: a secret word earlier, a value word last.
        if isValueSuffix(last) {
            var walker = ComponentWalker(bytes: self, range: name.lowerBound..<last.lowerBound)
            var before: Range<Int>?
            while let comp = walker.next() {
                if let fam = family(of: comp) {
                    return NameClass(strength: .weak, kind: isAWSSecret(name) ? .awsSecretKey : kind(of: fam))
                }
                if equalsIgnoringCase(comp, "key"), let before, keyQualifier(before) == .strong {
                    return NameClass(strength: .weak, kind: .secret)
                }
                before = comp
            }
        }
        return .none
    }

    /// A fast rejection: every secret-like name contains one of these trigrams (any case):
    /// pas pwd psk pat tok sec key aut cre sal sig hma coo erc (dockerconfigjson, dockercfg).
    private func mayNameSecret(_ name: Range<Int>) -> Bool {
        guard name.count >= 3 else { return false }
        for i in name.lowerBound...(name.upperBound - 3) {
            let t = UInt32(self[i] | 0x20) | UInt32(self[i + 1] | 0x20) << 8 | UInt32(self[i + 2] | 0x20) << 16
            switch t {
            case 0x73_6170, 0x64_7770, 0x6B_7370, 0x74_6170, 0x6B_6F74, 0x63_6573, 0x79_656B, 0x74_7561, 0x65_7263,
                 0x6C_6173, 0x67_6973, 0x61_6D68, 0x6F_6F63, 0x63_7265:
                return true
            default:
                continue
            }
        }
        return false
    }

    /// `aws_secret_access_key`, `SecretAccessKey`: the AWS secret key, whatever the spelling.
    private func isAWSSecret(_ name: Range<Int>) -> Bool {
        containsIgnoringCase(name, "secret")
            && (containsIgnoringCase(name, "aws") || containsIgnoringCase(name, "secretaccess")
                || containsIgnoringCase(name, "secret_access") || containsIgnoringCase(name, "secret-access"))
    }

    private func kind(of family: Family) -> Kind {
        switch family {
        case .password: .password
        case .token: .token
        case .secret: .secret
        case .apiKey: .apiKey
        }
    }

    private func hasPrefixIgnoringCase(_ r: Range<Int>, _ literal: StaticString) -> Bool {
        r.count >= literal.utf8CodeUnitCount && matchesIgnoringCase(literal, at: r.lowerBound)
    }

    /// Components that name a secret on their own.
    private func family(of r: Range<Int>) -> Family? {
        switch r.count {
        case 3:
            if equalsIgnoringCase(r, "pwd") || equalsIgnoringCase(r, "psk") { return .password }
            if equalsIgnoringCase(r, "pat") { return .token }
        case 4:
            if equalsIgnoringCase(r, "pass") { return .password }
        default: break
        }
        if hasSuffixIgnoringCase(r, "password") || hasSuffixIgnoringCase(r, "passwd")
            || hasSuffixIgnoringCase(r, "passphrase") || equalsIgnoringCase(r, "passcode") {
            return .password
        }
        if hasSuffixIgnoringCase(r, "token") { return .token }
        if hasSuffixIgnoringCase(r, "secret") { return .secret }
        if equalsIgnoringCase(r, "apikey") { return .apiKey }
        // Single-word compounds: keytool's -storepass/-keypass, `dbpass`, `secretkey`, ...
        for word in compoundSecretWords where equalsIgnoringCase(r, word) {
            return word.utf8CodeUnitCount > 4 && hasSuffixIgnoringCase(r, "pass") ? .password : .secret
        }
        return nil
    }

    private enum KeyQualifier { case strong, harmless, other }

    /// What the component before a final `key` says about it.
    private func keyQualifier(_ r: Range<Int>) -> KeyQualifier {
        for word in strongKeyQualifiers where equalsIgnoringCase(r, word) { return .strong }
        for word in harmlessKeyQualifiers where equalsIgnoringCase(r, word) { return .harmless }
        return .other
    }

    private func isWeakWord(_ r: Range<Int>) -> Bool {
        for word in weakWords where equalsIgnoringCase(r, word) { return true }
        return false
    }

    private func isValueSuffix(_ r: Range<Int>) -> Bool {
        for word in valueSuffixes where equalsIgnoringCase(r, word) { return true }
        return false
    }

    private func isBooleanFlagVerb(_ r: Range<Int>) -> Bool {
        for word in booleanFlagVerbs where equalsIgnoringCase(r, word) { return true }
        return false
    }
}

private let compoundSecretWords: [StaticString] = [
    "storepass", "keypass", "srcstorepass", "deststorepass", "srckeypass", "destkeypass", "dbpass", "rootpass",
    "adminpass", "dockerconfigjson", "dockercfg", "secretkey", "accesskey", "privatekey", "masterkey", "authkey",
    "signingkey", "encryptionkey",
]

/// `X_KEY` is a secret whatever its value looks like when X is one of these.
private let strongKeyQualifiers: [StaticString] = [
    "api", "secret", "private", "access", "master", "encryption", "encrypt", "enc", "signing", "sign", "client",
    "license", "licence", "auth", "app", "service", "hmac", "jwt", "session", "webhook", "deploy", "account",
    "storage", "shared", "admin", "root", "crypto", "cipher", "aes", "subscription", "consumer",
]

/// `X_KEY` is not a secret when X is one of these (`PRIMARY_KEY`, `cache-key`, `public_key`).
private let harmlessKeyQualifiers: [StaticString] = [
    "public", "pub", "cache", "sort", "partition", "primary", "foreign", "idempotency", "routing", "object",
    "lookup", "row", "hash", "shard", "dedup", "dedupe", "cursor", "label", "group", "map", "unique", "composite",
    "index", "range", "s3", "host", "known", "ssh", "gpg", "pgp", "registry", "translation", "i18n", "cluster",
    "node", "join", "dict", "hotkey", "keyboard", "shortcut",
]

/// Last components that make a name secret-like only when the value also looks random.
private let weakWords: [StaticString] = [
    "auth", "credential", "credentials", "creds", "cred", "salt", "signature", "sig", "hmac", "cookie",
]

/// `SECRET_KEY_BASE`, `TOKEN_VALUE`, `password_b64`: a secret word followed by one of these.
private let valueSuffixes: [StaticString] = [
    "value", "base", "b64", "base64", "hex", "string", "str", "raw", "plain", "data", "bytes", "enc", "encrypted",
]

/// Flags such as `--no-password`, `--with-token`, `--ask-pass` take no secret value.
private let booleanFlagVerbs: [StaticString] = [
    "no", "skip", "ask", "prompt", "require", "use", "with", "without", "show", "print", "read", "generate", "gen",
    "rotate", "reset", "disable", "enable", "allow", "save", "force", "interactive", "insecure", "random",
]

/// Splits a name into components at `_ - .` and at camelCase boundaries.
struct ComponentWalker {
    let bytes: Bytes
    var i: Int
    let end: Int

    init(bytes: Bytes, range: Range<Int>) {
        self.bytes = bytes
        self.i = range.lowerBound
        self.end = range.upperBound
    }

    mutating func next() -> Range<Int>? {
        while i < end, !bytes[i].isAlnum { i += 1 }
        guard i < end else { return nil }
        let start = i
        i += 1
        while i < end {
            let c = bytes[i]
            guard c.isAlnum else { break }
            let p = bytes[i - 1]
            if c.isUpper {
                if p.isLower { break }  // camelCase
                if p.isUpper, i + 1 < end, bytes[i + 1].isLower { break }  // APIKey -> API, Key
            }
            i += 1
        }
        return start..<i
    }
}
