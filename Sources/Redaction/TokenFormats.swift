// Secrets recognised by their shape: vendor token prefixes, JWTs, private key blocks and
// credentials inside URLs.

/// GitLab personal, deploy, runner, pipeline-trigger, CI-build and service-account tokens.
private let gitlabPrefixes: [StaticString] = ["glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glsoat-"]

extension Scanner {
    /// Called at the first byte of a word (the previous byte is not a letter or digit).
    mutating func wordStart(at i: Int) {
        guard i + 3 < b.count else { return }  // every format is longer than this
        // Gate on the second byte so that ordinary words cost one comparison.
        let c1 = b[i + 1]
        switch b[i] {
        case 0x41:  // AKIA ASIA ABIA ACCA AIza AWS_
            guard c1 == 0x4B || c1 == 0x53 || c1 == 0x42 || c1 == 0x43 || c1 == 0x49 || c1 == 0x57 else { return }
        case 0x61: guard c1 == 0x77 else { return }
        case 0x67: guard c1 == 0x68 || c1 == 0x69 || c1 == 0x6C else { return }
        case 0x78: guard c1 == 0x6F || c1 == 0x61 else { return }
        case 0x73, 0x72: guard c1 == 0x6B else { return }
        case 0x77: guard c1 == 0x68 else { return }
        case 0x65: guard c1 == 0x79 else { return }
        case 0x68: guard c1 == 0x66 || c1 == 0x6F || c1 == 0x76 else { return }
        case 0x53: guard c1 == 0x47 else { return }
        case 0x79: guard c1 == 0x61 else { return }
        case 0x6E: guard c1 == 0x70 else { return }
        case 0x64: guard c1 == 0x63 || c1 == 0x69 else { return }
        case 0x42, 0x62: guard c1 == 0x65 else { return }
        case 0x70: guard c1 == 0x79 || c1 == 0x61 else { return }
        default: return
        }
        switch b[i] {
        case 0x41:  // A
            if b.matches("AKIA", at: i) || b.matches("ASIA", at: i) || b.matches("ABIA", at: i)
                || b.matches("ACCA", at: i) {
                // 20 characters, base32 upper case; an exact length avoids matching longer words.
                let end = b.run(from: i + 4) { $0.isUpper || $0.isDigit }
                if end - i == 20, end == b.count || !b[end].isAlnum { add(i, end, .awsAccessKey) }
            } else if b.matches("AIza", at: i) {
                let end = b.run(from: i + 4, while: \.isBase64URL)
                if end - i == 39 { add(i, end, .googleAPIKey) }
            } else {
                awsConfigureSet(at: i)
            }
        case 0x61:  // a
            awsConfigureSet(at: i)
        case 0x67:  // g
            if b.matches("gh", at: i), i + 3 < b.count, b[i + 3] == 0x5F {
                switch b[i + 2] {
                case 0x70, 0x6F, 0x75, 0x73, 0x72:  // ghp_ gho_ ghu_ ghs_ ghr_
                    prefixed(i, 4, min: 30, .githubToken, \.isAlnum)
                default: break
                }
            } else if b.matches("github_pat_", at: i) {
                prefixed(i, 11, min: 22, .githubToken, \.isBase64URL)
            } else if b.matches("gl", at: i) {
                for prefix in gitlabPrefixes where b.matches(prefix, at: i) {
                    prefixed(i, prefix.utf8CodeUnitCount, min: 20, .gitlabToken, \.isBase64URL)
                    break
                }
            }
        case 0x78:  // x
            if b.matches("xox", at: i), i + 4 < b.count, b[i + 4] == 0x2D {
                switch b[i + 3] {
                case 0x61, 0x62, 0x70, 0x6F, 0x73, 0x72, 0x65:  // xoxa- xoxb- xoxp- xoxo- xoxs- xoxr- xoxe-
                    prefixed(i, 5, min: 10, .slackToken) { $0.isAlnum || $0 == 0x2D }
                default: break
                }
            } else if b.matches("xapp-", at: i) {
                prefixed(i, 5, min: 10, .slackToken) { $0.isAlnum || $0 == 0x2D }
            }
        case 0x73:  // s
            if b.matches("sk_live_", at: i) || b.matches("sk_test_", at: i) {
                prefixed(i, 8, min: 16, .stripeKey, \.isAlnum)
            } else if b.matches("sk-ant-", at: i) {
                prefixed(i, 7, min: 20, .anthropicKey, \.isBase64URL)
            } else if b.matches("sk-proj-", at: i) {
                prefixed(i, 8, min: 20, .openAIKey, \.isBase64URL)
            } else if b.matches("sk-svcacct-", at: i) {
                prefixed(i, 11, min: 20, .openAIKey, \.isBase64URL)
            } else if b.matches("sk-admin-", at: i) {
                prefixed(i, 9, min: 20, .openAIKey, \.isBase64URL)
            } else if b.matches("sk-", at: i) {
                // Legacy OpenAI keys: sk- and 48 letters and digits.
                let end = b.run(from: i + 3, while: \.isAlnum)
                if end - i >= 43, end == b.count || !b[end].isBase64URL, b.looksRandom((i + 3)..<end) {
                    add(i, end, .openAIKey)
                }
            }
        case 0x72:  // r
            if b.matches("rk_live_", at: i) || b.matches("rk_test_", at: i) {
                prefixed(i, 8, min: 16, .stripeKey, \.isAlnum)
            }
        case 0x77:  // w
            if b.matches("whsec_", at: i) { prefixed(i, 6, min: 24, .stripeKey, \.isAlnum) }
        case 0x65:  // e
            if b.matches("eyJ", at: i) { jwt(at: i) }
        case 0x68:  // h
            if b.matches("hf_", at: i) {
                prefixed(i, 3, min: 30, .huggingFaceToken, \.isAlnum)
            } else if b.matches("hooks.slack.com/", at: i) {
                slackWebhook(at: i)
            } else if b.matches("hvs.", at: i) || b.matches("hvb.", at: i) || b.matches("hvr.", at: i) {
                prefixed(i, 4, min: 24, .vaultToken, \.isBase64URL)
            }
        case 0x53:  // S
            if b.matches("SG.", at: i) {  // SendGrid: SG.<22>.<43>
                let idEnd = b.run(from: i + 3, while: \.isBase64URL)
                guard idEnd - i - 3 == 22, idEnd < b.count, b[idEnd] == 0x2E else { return }
                prefixed(i, idEnd + 1 - i, min: 40, .sendgridKey, \.isBase64URL)
            }
        case 0x79:  // y
            if b.matches("ya29.", at: i) { prefixed(i, 5, min: 20, .googleOAuthToken, \.isBase64URL) }
        case 0x6E:  // n
            if b.matches("npm_", at: i) { prefixed(i, 4, min: 36, .npmToken, \.isAlnum) }
        case 0x64:  // d
            if b.matches("dckr_pat_", at: i) {
                prefixed(i, 9, min: 20, .dockerToken, \.isBase64URL)
            } else if b.matches("discord.com/api/webhooks/", at: i) {
                discordWebhook(at: i + 25)
            } else if b.matches("discordapp.com/api/webhooks/", at: i) {
                discordWebhook(at: i + 28)
            }
        case 0x42, 0x62:  // B b
            if b.matchesIgnoringCase("bearer ", at: i) { bareBearer(at: i + 7) }
        case 0x70:  // p
            if b.matches("pypi-AgEIcHlwaS5vcmc", at: i) {
                prefixed(i, 20, min: 50, .pypiToken, \.isBase64URL)
            } else if b.matches("password", at: i) {
                netrcPassword(at: i)
            }
        default:
            break
        }
    }

    /// A token made of `prefix` and at least `min` body bytes. The body must not run on into a
    /// longer word (`hf_hub_download` is not a Hugging Face token).
    private mutating func prefixed(_ i: Int, _ prefixLength: Int, min: Int, _ kind: Kind, _ body: (UInt8) -> Bool) {
        let end = b.run(from: i + prefixLength, while: body)
        guard end - (i + prefixLength) >= min else { return }
        if end < b.count, b[end].isBase64URL { return }
        add(i, end, kind)
    }

    /// header.payload.signature, each base64url; the header starts with `eyJ` (`{"`).
    private mutating func jwt(at i: Int) {
        let headerEnd = b.run(from: i, while: \.isBase64URL)
        guard headerEnd - i >= 10, headerEnd < b.count, b[headerEnd] == 0x2E else { return }
        let payloadEnd = b.run(from: headerEnd + 1, while: \.isBase64URL)
        guard payloadEnd - headerEnd - 1 >= 10, payloadEnd < b.count, b[payloadEnd] == 0x2E else { return }
        let end = b.run(from: payloadEnd + 1, while: \.isBase64URL)
        add(i, end, .jwt)
    }

    /// hooks.slack.com/services/T000/B000/XXXX: the path after the first segment goes.
    private mutating func slackWebhook(at i: Int) {
        let segment = i + 16
        let segmentEnd = b.run(from: segment, while: \.isLower)
        guard segmentEnd > segment, segmentEnd < b.count, b[segmentEnd] == 0x2F else { return }
        let end = b.run(from: segmentEnd + 1) { $0.isAlnum || $0 == 0x2F || $0 == 0x5F || $0 == 0x2D }
        if end - segmentEnd - 1 >= 8 { add(segmentEnd + 1, end, .slackWebhook) }
    }

    /// discord.com/api/webhooks/<id>/<token>: the token goes.
    private mutating func discordWebhook(at p: Int) {
        let idEnd = b.run(from: p, while: \.isDigit)
        guard idEnd > p, idEnd < b.count, b[idEnd] == 0x2F else { return }
        prefixed(idEnd + 1, 0, min: 40, .discordWebhook, \.isBase64URL)
    }

    /// `Bearer <token>` outside an Authorization header (logs, prose): only a random-looking token.
    private mutating func bareBearer(at p: Int) {
        let end = b.run(from: p) {  // RFC 6750 token68: base64url plus . ~ + / =
            $0.isBase64URL || $0 == 0x2E || $0 == 0x7E || $0 == 0x2B || $0 == 0x2F || $0 == 0x3D
        }
        if b.looksRandom(p..<end) { add(p, end, .bearerToken) }
    }

    /// `.netrc`: `machine host login user password secret`.
    private mutating func netrcPassword(at i: Int) {
        let after = i + 8
        guard after < b.count, b[after].isBlank else { return }
        let line = b.lineStart(before: i)..<i
        guard b.containsIgnoringCase(line, "machine") || b.containsIgnoringCase(line, "login") else { return }
        guard let v = value(from: after, extent: .word) else { return }
        if b.isSecretValue(v, strength: .strong) { addValue(v, .password) }
    }

    /// `aws configure set aws_secret_access_key VALUE`: the name and the value separated by a blank.
    private mutating func awsConfigureSet(at i: Int) {
        guard b.matchesIgnoringCase("aws_secret_access_key", at: i) || b.matchesIgnoringCase("aws_session_token", at: i)
        else { return }
        let kind: Kind = b[i + 4].lowercased == 0x73 && b[i + 5].lowercased == 0x65 && b[i + 6].lowercased == 0x63
            ? .awsSecretKey : .token
        let after = i + (kind == .awsSecretKey ? 21 : 17)
        guard after < b.count, b[after].isBlank else { return }
        guard let v = value(from: after, extent: .word), v.start < b.count, !v.range.isEmpty else { return }
        if b[v.start] == 0x3D || b[v.start] == 0x3A { return }  // `name = value` is an assignment
        if b.isSecretValue(v, strength: .strong) { addValue(v, kind) }
    }

    /// -----BEGIN ... PRIVATE KEY----- through -----END ... -----, across lines (real or `\n`-escaped).
    mutating func privateKeyBlock(at i: Int) {
        let n = b.count
        let labelStart = i + 11
        let labelEnd = b.run(from: labelStart) { $0.isUpper || $0.isDigit || $0 == 0x20 }
        guard labelEnd - labelStart <= 60, b.matches("-----", at: labelEnd),
              b.containsIgnoringCase(labelStart..<labelEnd, "private key") else { return }
        let headerEnd = labelEnd + 5
        // A real key has base64 after its header (maybe after Proc-Type/DEK-Info lines); a bare
        // mention of the header in prose does not.
        guard hasKeyMaterial(after: headerEnd) else { return }
        var end = n
        if let footer = b.firstIndex(of: "-----END ", from: headerEnd) {
            let close = b.firstIndex(of: "-----", from: footer + 9)
            end = close.map { $0 + 5 } ?? b.run(from: footer) { !$0.isNewline }
        }
        add(i, end, .privateKey)
    }

    private func hasKeyMaterial(after p: Int) -> Bool {
        var k = p
        var run = 0
        var lines = 0
        let limit = Swift.min(b.count, p + 512)
        while k < limit, lines < 6 {
            let c = b[k]
            if c.isBase64 {
                run += 1
                if run >= 32 { return true }
                k += 1
            } else if c.isWhitespace || (c == 0x5C && k + 1 < b.count && (b[k + 1] == 0x6E || b[k + 1] == 0x72)) {
                if c == 0x5C { k += 1 }
                if c == 0x0A || c == 0x5C { lines += 1 }
                run = 0
                k += 1
            } else if c == 0x3A || c == 0x2D || c == 0x2C {  // Proc-Type: 4,ENCRYPTED
                run = 0
                k += 1
            } else {
                return false
            }
        }
        return false
    }

    // MARK: - URLs

    /// scheme://user:password@host: the user stays, the password goes. A userinfo without a colon
    /// is redacted only when it looks random (`https://<token>@github.com`).
    mutating func urlCredentials(at i: Int) {
        let start = i + 3
        var k = start
        var lastAt = -1
        while k < b.count {
            let c = b[k]
            // The authority ends at whitespace, a quote, / ? # < > or a backslash.
            if c.isWhitespace || c.isQuote || c == 0x2F || c == 0x3F || c == 0x23 || c == 0x3C || c == 0x3E
                || c == 0x5C {
                break
            }
            if c == 0x40 { lastAt = k }
            k += 1
        }
        guard lastAt > start else { return }
        let userinfo = start..<lastAt
        if b.matches("[REDACTED:", at: start) { return }
        var colon = start
        while colon < lastAt, b[colon] != 0x3A { colon += 1 }
        if colon < lastAt {
            let password = (colon + 1)..<lastAt
            guard !password.isEmpty, !b.isPlaceholder(password) else { return }
            addValue(password.lowerBound, password.upperBound, .password)
        } else if b.looksRandom(userinfo), !b.isPlaceholder(userinfo) {
            addValue(userinfo.lowerBound, userinfo.upperBound, .token)
        }
    }
}
