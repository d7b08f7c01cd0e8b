import Redaction
import TestSupport
import Testing

@Suite("Redactor")
struct RedactorTests {
    let redactor = Redactor()

    @Test func keepsTheSurroundingText() {
        let ghp = Fake.github("ghp", seed: 1)
        #expect(redactor.redact("export GITHUB_TOKEN=\(ghp)") == "export GITHUB_TOKEN=[REDACTED:github_token]")
        #expect(redactor.redact("{\"password\": \"hunter2\"}") == "{\"password\": \"[REDACTED:password]\"}")
        #expect(redactor.redact("git clone https://deploy:Sup3r!@git.example.com/a.git")
            == "git clone https://deploy:[REDACTED:password]@git.example.com/a.git")
        #expect(redactor.redact("curl -H 'Authorization: Bearer abcdef0123456789abcdef' https://x")
            == "curl -H 'Authorization: Bearer [REDACTED:bearer_token]' https://x")
        // The comma after the token is the sentence's.
        #expect(redactor.redact("sent Authorization: Bearer abcdef0123456789abcdef, then the hook failed")
            == "sent Authorization: Bearer [REDACTED:bearer_token], then the hook failed")
        #expect(redactor.redact("mysql -uroot -pS3cret db") == "mysql -uroot -p[REDACTED:password] db")
        #expect(redactor.redact("curl -u admin:pw1234567 https://x") == "curl -u admin:[REDACTED:password] https://x")
        #expect(redactor.redact("  password: correct horse # note\n") == "  password: [REDACTED:password] # note\n")
    }

    @Test func privateKeyBlockSpanningLines() {
        let key = Fake.privateKey("RSA", lines: 20, seed: 7)
        let text = "before\n\(key)\nafter"
        #expect(redactor.redact(text) == "before\n[REDACTED:private_key]\nafter")
        let findings = redactor.findings(text)
        #expect(findings == [Finding(kind: "private_key", line: 2, column: 1)])
    }

    @Test func truncatedPrivateKeyIsRedactedToTheEnd() {
        let key = Fake.privateKey("OPENSSH", lines: 4, seed: 9)
        let truncated = String(key.prefix(150))
        #expect(redactor.redact("x\n" + truncated) == "x\n[REDACTED:private_key]")
    }

    @Test func findingsReportLinesAndColumns() {
        let text = """
            # config
            DB_PASSWORD=hunter2
            nothing here
            café: 1
              api_key: "\(Fake.opaque(24, seed: 3))"
            é token=\(Fake.jwt(seed: 4))
            """
        let findings = redactor.findings(text)
        #expect(findings == [
            Finding(kind: "password", line: 2, column: 13),
            Finding(kind: "api_key", line: 5, column: 13),
            Finding(kind: "jwt", line: 6, column: 9),
        ])
        #expect(findings.map(\.description) == ["2:13: password", "5:13: api_key", "6:9: jwt"])
        #expect(redactor.findings(redactor.redact(text)).isEmpty)
    }

    @Test func valueRules() {
        // Small integers, booleans, words that stand for a secret, references, paths.
        for text in ["TOKEN=3600", "PASSWORD=true", "password: null", "token: $GH_TOKEN", "token: %TOKEN%",
                     "password=%(db_password)s", "PASSWORD_FILE=/run/secrets/pw", "PASSWORD=changeit",
                     "API_KEY=xxxxxxxx", "token = token", "password: newPassword"] {
            #expect(redactor.redact(text) == text, "\(text)")
        }
        // A longer number, a path that looks random, and a short word are secrets after a strong name.
        #expect(redactor.redact("PIN_PASSWORD=12345678") == "PIN_PASSWORD=[REDACTED:password]")
        #expect(redactor.redact("AWS_SECRET_ACCESS_KEY=/K7MDENG/bPxRfiCY3XAMPLEKEY")
            == "AWS_SECRET_ACCESS_KEY=[REDACTED:aws_secret_key]")
        #expect(redactor.redact("password=abc") == "password=[REDACTED:password]")
        // Weak names need a random-looking value.
        #expect(redactor.redact("STRIPE_KEY=live") == "STRIPE_KEY=live")
        #expect(redactor.redact("STRIPE_KEY=\(Fake.opaque(32, seed: 5))") == "STRIPE_KEY=[REDACTED:secret]")
    }

    @Test func aCurlUserWithoutAPasswordIsKept() {
        // `-u admin` has no `:`; the password range was built before that was checked, and trapped.
        for text in ["curl -u admin https://jenkins.example.com/api/json", "curl --user admin", "curl -u=admin", "curl -u sk_test_abc…"] {
            #expect(redactor.redact(text) == text)
            #expect(redactor.findings(text).isEmpty)
        }
        #expect(redactor.redact("curl -u admin: https://x") == "curl -u admin: https://x")
    }

    @Test func oddUnicodeDoesNotCrash() {
        let inputs = [
            "", "=", ":", "-", "-----BEGIN ", "-----BEGIN RSA PRIVATE KEY-----", "eyJ", "eyJhbGciOiJIUzI1NiJ9.",
            "password", "password=", "password:", "\"password\":", "https://", "https://@", "https://:@",
            "AKIA", "ghp_", "-p", "mysql -p", "curl -u", "curl --user", "<password>", "<password>x",
            "пароль=секрет password=Sécrét-ü token: 🔑🔑🔑", "👩‍👩‍👧‍👦 DB_PASSWORD=🦄unicorn🦄 done",
            "e\u{301}\u{301}\u{301} secret=\u{0}\u{0}", "\u{FEFF}API_KEY=\u{200B}abc\u{200B}",
            String(decoding: [0xFF, 0xFE, 0x3D, 0xC3, 0x28, 0xE2, 0x82], as: UTF8.self) + " password=\u{FFFD}x",
        ]
        for text in inputs {
            let out = redactor.redact(text)
            _ = redactor.findings(text)
            #expect(redactor.redact(out) == out)
        }
        #expect(redactor.redact("👩‍👩‍👧‍👦 DB_PASSWORD=🦄unicorn🦄 done") == "👩‍👩‍👧‍👦 DB_PASSWORD=[REDACTED:password] done")
        // Random bytes, including invalid UTF-8 (repaired by String), never crash.
        var state: UInt64 = 42
        for _ in 0..<300 {
            var bytes: [UInt8] = []
            for _ in 0..<200 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let r = UInt8(truncatingIfNeeded: state >> 56)
                // Bias towards the bytes the scanner cares about.
                let interesting: [UInt8] = Array("=:-@/\"'\\ \nAKIAghp_eyJ.password".utf8)
                bytes.append(r < 128 ? interesting[Int(r) % interesting.count] : r)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let out = redactor.redact(text)
            _ = redactor.findings(text)
            _ = redactor.redact(out)
        }
    }

    @Test func oneMegabyteCompletes() {
        var text = ""
        var i = 0
        while text.utf8.count < 1_000_000 {
            text += "line \(i): build step finished in 12ms, output at /tmp/out-\(i).log, key: value-\(i)\n"
            if i % 500 == 0 { text += "export GITHUB_TOKEN=\(Fake.github("ghp", seed: UInt64(i)))\n" }
            i += 1
        }
        let clock = ContinuousClock()
        var out = ""
        let elapsed = clock.measure { out = redactor.redact(text) }
        print("redacting \(text.utf8.count) bytes took \(elapsed)")
        #expect(out.contains("[REDACTED:github_token]"))
        #expect(!out.contains("ghp_"))
        #expect(elapsed < .seconds(10))
        // Pathological single lines stay fast: many assignments, many unterminated quotes, many
        // context-dependent flags.
        let huge = String(repeating: "a=b ", count: 250_000)
        #expect(redactor.redact(huge) == huge)
        let quotes = String(repeating: "password: \"x1", count: 20_000)
        let flags = String(repeating: "mysql -p ", count: 25_000)
        let headers = String(repeating: "Authorization: the ", count: 12_000)
        let lineClock = ContinuousClock()
        let lineElapsed = lineClock.measure {
            #expect(redactor.redact(quotes).hasPrefix("password: \"[REDACTED:password]"))
            #expect(redactor.redact(flags) == flags)
            #expect(redactor.redact(headers) == headers)
        }
        print("pathological 200 KB lines took \(lineElapsed)")
        #expect(lineElapsed < .seconds(10))
        let quoted = "password: \"" + String(repeating: "x1", count: 20_000)
        #expect(redactor.redact(quoted) == "password: \"[REDACTED:password]")
    }

    @Test func cleanTextIsFast() {
        let text = String(repeating: "The build ran `swift test` in 3.2s: 41 tests passed, see docs/ARCHITECTURE.md for details.\n", count: 110)
        #expect(text.utf8.count >= 10_000)
        let clock = ContinuousClock()
        let rounds = 200
        var same = true
        let elapsed = clock.measure {
            for _ in 0..<rounds where redactor.redact(text) != text { same = false }
        }
        print("clean 10 KB text: \(elapsed / rounds) per redact (debug build unless -c release)")
        #expect(same)
    }

    @Test func entropy() {
        #expect(shannonEntropy("") == 0)
        #expect(shannonEntropy("aaaa") == 0)
        #expect(abs(shannonEntropy("abcd") - 2) < 1e-9)
        #expect(abs(shannonEntropy("0123456789abcdef") - 4) < 1e-9)
        #expect(shannonEntropy(Substring(Fake.opaque(64, seed: 1))) > 4.5)
        #expect(shannonEntropy("password") < 3)
    }
}

@Suite("Redactor: named values")
struct NamedValueTests {
    let redactor = Redactor()

    @Test func aSecretNameRedactsItsValue() {
        #expect(redactor.redact("Hunter2Secret9", named: "password") == "[REDACTED:password]")
        #expect(redactor.redact("correct horse battery", named: "db_password") == "[REDACTED:password]")
        #expect(redactor.redact("9f8e7d6c5b4a39281706f5e4d3c2b1a0", named: "api_key") == "[REDACTED:api_key]")
    }

    @Test func aHarmlessNameKeepsItsValue() {
        #expect(redactor.redact("abc1234", named: "sha") == "abc1234")
        #expect(redactor.redact("github-mcp-server", named: "component") == "github-mcp-server")
        #expect(redactor.redact("3600", named: "token_expiry_seconds") == "3600")
        #expect(redactor.redact("", named: "password") == "")
    }

    @Test func vendorFormatsAreRedactedUnderAnyName() {
        let ghp = Fake.github("ghp", seed: 3)
        #expect(redactor.redact("rotate \(ghp) today", named: "note") == "rotate [REDACTED:github_token] today")
        #expect(redactor.redact("say \"\(ghp)\"", named: "quote\"d") == "say \"[REDACTED:github_token]\"")
    }
}
