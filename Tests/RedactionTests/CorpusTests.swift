import Redaction
import TestSupport
import Testing

@Suite("Redaction corpus")
struct CorpusTests {
    let redactor = Redactor()

    @Test func corpusIsLargeEnough() {
        #expect(Corpus.secrets.count >= 60)
        #expect(Corpus.lookAlikes.count >= 60)
    }

    @Test func recallAndFalsePositiveRate() {
        var missed: [String] = []
        for c in Corpus.secrets {
            let out = redactor.redact(c.text)
            if c.secrets.contains(where: { out.contains($0) }) || !out.contains("[REDACTED:\(c.kind)]") {
                missed.append("\(c.text)\n  -> \(out)")
            }
        }
        var flagged: [String] = []
        for text in Corpus.lookAlikes {
            let out = redactor.redact(text)
            if out != text { flagged.append("\(text)\n  -> \(out)") }
        }
        let recall = Double(Corpus.secrets.count - missed.count) / Double(Corpus.secrets.count)
        let falsePositiveRate = Double(flagged.count) / Double(Corpus.lookAlikes.count)
        print("redaction corpus: \(Corpus.secrets.count) secrets, recall \(recall * 100)%; "
            + "\(Corpus.lookAlikes.count) look-alikes, false-positive rate \(falsePositiveRate * 100)%")
        #expect(missed.isEmpty, "missed:\n\(missed.joined(separator: "\n"))")
        #expect(flagged.isEmpty, "wrongly redacted:\n\(flagged.joined(separator: "\n"))")
        #expect(recall == 1.0)
        #expect(falsePositiveRate == 0)
    }

    @Test func secretsAreFoundByFindings() {
        for c in Corpus.secrets {
            let findings = redactor.findings(c.text)
            #expect(findings.contains { $0.kind == c.kind }, "\(c.text)")
        }
    }

    @Test func lookAlikesHaveNoFindings() {
        for text in Corpus.lookAlikes {
            #expect(redactor.findings(text).isEmpty, "\(text)")
        }
    }

    @Test func redactingTwiceEqualsRedactingOnce() {
        for text in Corpus.secrets.map(\.text) + Corpus.lookAlikes {
            let once = redactor.redact(text)
            #expect(redactor.redact(once) == once, "\(once)")
            #expect(redactor.findings(once).isEmpty, "\(once)")
        }
    }

    @Test func theWholeCorpusAsOneText() {
        let all = Corpus.secrets.map(\.text).joined(separator: "\n")
        let out = redactor.redact(all)
        for c in Corpus.secrets {
            for secret in c.secrets { #expect(!out.contains(secret), "\(secret)") }
        }
        let lookAlikes = Corpus.lookAlikes.joined(separator: "\n")
        #expect(redactor.redact(lookAlikes) == lookAlikes)
    }
}
