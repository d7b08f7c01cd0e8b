/// Removes secrets from text before anything is written to memory.
///
/// Everything captured from tool input, commands, prompts, transcripts or summaries goes through
/// `redact(_:)`. A secret value becomes `[REDACTED:kind]` and the text around it stays, so the line
/// still reads: `export GITHUB_TOKEN=[REDACTED:github_token]`. Redacting is idempotent.
///
/// Kinds: `aws_access_key`, `aws_secret_key`, `github_token`, `gitlab_token`, `slack_token`,
/// `slack_webhook`, `discord_webhook`, `stripe_key`, `google_api_key`, `google_oauth_token`,
/// `anthropic_api_key`, `openai_api_key`, `npm_token`, `pypi_token`, `huggingface_token`,
/// `docker_token`, `sendgrid_api_key`, `vault_token`, `private_key`, `jwt`, `bearer_token`,
/// `basic_auth`, `authorization`, `password`, `token`, `secret`, `api_key`, `credential`.
///
/// The scanner is hand-written over UTF-8 bytes: no regular expressions, no Foundation. A text
/// without secrets is scanned once and returned as it is, without allocating.
public struct Redactor: Sendable {
    public init() {}

    /// `text` with every secret replaced by `[REDACTED:kind]`.
    public func redact(_ text: String) -> String {
        replacingSecrets(in: text) { "[REDACTED:\($0)]" }
    }

    /// `name` with every secret replaced by `REDACTED-kind`: for the names cmem files things under
    /// (components, event types and sources, ids), which must still be names once redacted.
    public func redactName(_ name: String) -> String {
        replacingSecrets(in: name) { "REDACTED-\($0)" }
    }

    private func replacingSecrets(in text: String, with replacement: (String) -> String) -> String {
        var text = text
        let redacted: String? = text.withUTF8 { bytes in
            let matches = Self.scan(bytes)
            guard !matches.isEmpty else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + matches.count * 24)
            var position = 0
            for m in matches {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<m.start]))
                out.append(contentsOf: replacement(m.kind.label).utf8)
                position = m.end
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position...]))
            return String(decoding: out, as: UTF8.self)
        }
        return redacted ?? text
    }

    /// Where the secrets in `text` are, for the pre-commit guard (`file:line: kind`). Text that was
    /// already redacted has no findings.
    public func findings(_ text: String) -> [Finding] {
        var text = text
        return text.withUTF8 { bytes in
            var findings: [Finding] = []
            var line = 1
            var lineStart = 0
            var position = 0
            for m in Self.scan(bytes) {
                while position < m.start {
                    if bytes[position] == 0x0A {
                        line += 1
                        lineStart = position + 1
                    }
                    position += 1
                }
                // Column in Unicode scalars: count the bytes that start one.
                var column = 1
                for k in lineStart..<m.start where bytes[k] & 0xC0 != 0x80 { column += 1 }
                findings.append(Finding(kind: m.kind.label, line: line, column: column))
            }
            return findings
        }
    }

    /// The matches in `bytes`, sorted and merged: overlapping matches become one covering both.
    /// The merged kind is that of the match covering the other (a Digest header holding an AWS key
    /// id is an `authorization`), or, for equal or crossing ranges, the more specific one (a
    /// `GITHUB_TOKEN=` value that is a `ghp_` token is a `github_token`).
    static func scan(_ bytes: Bytes) -> [Match] {
        var scanner = Scanner(bytes)
        scanner.scan()
        var matches = scanner.matches
        guard matches.count > 1 else { return matches }
        matches.sort { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
        var merged: [Match] = []
        merged.reserveCapacity(matches.count)
        for m in matches {
            if var last = merged.last, m.start < last.end {
                let lastCovers = last.start <= m.start && last.end >= m.end
                let mCovers = m.start <= last.start && m.end >= last.end
                if last.kind == .privateKey || m.kind == .privateKey {
                    last.kind = .privateKey  // a key block says more than any name around it
                } else if lastCovers && mCovers {
                    if m.kind.priority > last.kind.priority { last.kind = m.kind }
                } else if mCovers {
                    last.kind = m.kind
                } else if !lastCovers, m.kind.priority > last.kind.priority {
                    last.kind = m.kind
                }
                last.start = min(last.start, m.start)
                last.end = max(last.end, m.end)
                merged[merged.count - 1] = last
            } else {
                merged.append(m)
            }
        }
        return merged
    }
}

/// A secret found in a text: what it is and where it starts (both 1-based; the column counts
/// Unicode scalars).
public struct Finding: Sendable, Equatable, CustomStringConvertible {
    public let kind: String
    public let line: Int
    public let column: Int

    public init(kind: String, line: Int, column: Int) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    /// `line:column: kind`
    public var description: String { "\(line):\(column): \(kind)" }
}

extension Redactor {
    /// `value` redacted as the value of a field called `name` (a JSON key, a YAML key): a secret is
    /// replaced whatever it looks like when the name says it is one (`password`, `api_key`), as in
    /// `password: "…"` in a file, and every secret format is replaced wherever it appears.
    ///
    /// Structured values (event details) lose the text around their values that the scanner reads names
    /// from, so the name is put back in front for the scan: `name: "value"`, a quoted literal.
    public func redact(_ value: String, named name: String) -> String {
        let plain = redact(value)
        guard !name.isEmpty, !plain.isEmpty,
              !name.utf8.contains(where: { $0 == 0x22 || $0 == 0x0A || $0 == 0x0D || $0 == 0x3A || $0 == 0x3D }),
              !plain.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 == 0x0A || $0 == 0x0D }) else { return plain }
        let prefix = name + ": \""
        let probe = prefix + plain + "\""
        let scanned = redact(probe)
        guard scanned != probe, scanned.hasPrefix(prefix), scanned.hasSuffix("\"") else { return plain }
        return String(scanned.dropFirst(prefix.count).dropLast())
    }
}
