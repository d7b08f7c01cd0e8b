import Testing
@testable import MemoryModel

@Suite struct JSONValueTests {
    @Test func roundTripsWithOrderAndEscapes() throws {
        let text = #"{"b": 1, "a": [true, null, "x\"y\\z\n\u0001é😀"], "c": {"d": 2.5}}"#
        let value = try JSONValue.parse(text)
        #expect(value.json == #"{"b": 1, "a": [true, null, "x\"y\\z\n\u0001é😀"], "c": {"d": 2.5}}"#)
        #expect(try JSONValue.parse(value.json) == value)
    }

    @Test func surrogatePairsDecode() throws {
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func nestingBombIsAnErrorNotACrash() {
        let bomb = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(bomb) }
    }

    @Test func rejectsMalformed() {
        for bad in ["{", "{\"a\" 1}", "[1,]x", "\"unterminated", "{\"a\":1}}", "nul", "\"\u{01}\""] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONValue.parse(bad) }
        }
    }

    @Test func quotedOutputIsValidYAMLAndHidesControlCharacters() throws {
        let nasty = "line1\nline2\u{0}\u{7}\u{2028}end"
        let quoted = JSONValue.quoted(nasty)
        #expect(!quoted.contains("\n"))
        #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 })
        let back = try YAMLSafety.mapping("k: \(quoted)\n", path: "t", lineOffset: 0)
        #expect(back.first?.1 == .string(nasty))
    }
}
