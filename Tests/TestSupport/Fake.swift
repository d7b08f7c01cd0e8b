// Fake credentials in real formats. They are generated rather than written out, so no secret-shaped
// literal sits in the source (push protection) and every value is deterministic.

public enum Fake {
    public static let alnum = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    public static let upperDigits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    public static let base64URL = alnum + ["-", "_"]
    public static let base64 = alnum + ["+", "/"]
    public static let hex = Array("0123456789abcdef")
    public static let digits = Array("0123456789")

    /// `count` characters from `alphabet`, pseudo-random from `seed` (splitmix64).
    public static func string(_ count: Int, _ alphabet: [Character] = alnum, seed: UInt64) -> String {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678
        var out = ""
        for _ in 0..<count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            out.append(alphabet[Int(z % UInt64(alphabet.count))])
        }
        return out
    }

    public static func github(_ prefix: String, seed: UInt64) -> String { prefix + "_" + string(36, seed: seed) }
    public static func githubFineGrained(seed: UInt64) -> String {
        "github" + "_pat_" + string(22, seed: seed) + "_" + string(59, seed: seed + 1)
    }
    public static func gitlab(seed: UInt64) -> String { "gl" + "pat-" + string(20, base64URL, seed: seed) }
    public static func slack(_ prefix: String, seed: UInt64) -> String {
        "xo" + prefix + "-" + string(12, digits, seed: seed) + "-" + string(13, digits, seed: seed + 1) + "-"
            + string(24, seed: seed + 2)
    }
    public static func slackApp(seed: UInt64) -> String {
        "xa" + "pp-1-A" + string(10, upperDigits, seed: seed) + "-" + string(13, digits, seed: seed + 1) + "-"
            + string(64, hex, seed: seed + 2)
    }
    public static func slackWebhookPath(seed: UInt64) -> String {
        "T" + string(8, upperDigits, seed: seed) + "/B" + string(10, upperDigits, seed: seed + 1) + "/"
            + string(24, seed: seed + 2)
    }
    public static func stripe(_ prefix: String, seed: UInt64) -> String { prefix + "_" + string(24, seed: seed) }
    public static func google(seed: UInt64) -> String { "AI" + "za" + string(35, base64URL, seed: seed) }
    public static func awsKeyID(_ prefix: String, seed: UInt64) -> String { prefix + string(16, upperDigits, seed: seed) }
    public static func awsSecret(seed: UInt64) -> String { string(40, base64, seed: seed) }
    public static func jwt(seed: UInt64) -> String {
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + "." + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUiLCJpYXQiOjE1MTYyMzkwMjJ9"
            + "." + string(43, base64URL, seed: seed)
    }
    public static func anthropic(seed: UInt64) -> String { "sk-" + "ant-api03-" + string(93, base64URL, seed: seed) + "AA" }
    public static func openAI(seed: UInt64) -> String { "sk-" + "proj-" + string(48, base64URL, seed: seed) }
    public static func npm(seed: UInt64) -> String { "np" + "m_" + string(36, seed: seed) }
    public static func huggingFace(seed: UInt64) -> String { "h" + "f_" + string(34, seed: seed) }
    public static func docker(seed: UInt64) -> String { "dckr" + "_pat_" + string(27, base64URL, seed: seed) }
    public static func pypi(seed: UInt64) -> String { "pypi-" + "AgEIcHlwaS5vcmc" + string(60, base64URL, seed: seed) }
    public static func opaque(_ count: Int = 40, seed: UInt64) -> String { string(count, seed: seed) }
    public static func hexString(_ count: Int, seed: UInt64) -> String { string(count, hex, seed: seed) }

    /// A PEM private key block with `lines` lines of base64 body.
    public static func privateKey(_ label: String, lines: Int = 6, separator: String = "\n", indent: String = "", seed: UInt64) -> String {
        let head = label.isEmpty ? "" : label + " "
        var out = indent + "-----BEGIN " + head + "PRIVATE KEY-----" + separator
        for i in 0..<lines { out += indent + string(64, base64, seed: seed + UInt64(i)) + separator }
        out += indent + "-----END " + head + "PRIVATE KEY-----"
        return out
    }

    /// The first body line of a key made by `privateKey` with the same seed.
    public static func privateKeyLine(seed: UInt64) -> String { string(64, base64, seed: seed) }
}
