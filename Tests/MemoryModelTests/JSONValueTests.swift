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

    /// A number a Double cannot hold is an error, never null or a rounded float (issue 19, item 13: REST
    /// stored 1e999999 as null and a 30-digit integer as 1.2345678901234568e+29).
    @Test func numbersThatCannotBeKeptAreRefused() throws {
        for bad in ["{\"x\": 1e999999}", "[-1e400]", "{\"id\": 123456789012345678901234567890}", "9007199254740993"] {
            let error = try #require(throws: JSONParseError.self, "\(bad)") { try JSONValue.parse(bad) }
            #expect(error.reason.contains("out of range") || error.reason.contains("cannot be kept exactly"), "\(error)")
        }
        #expect(try JSONValue.parse("9007199254740992") == .number(9007199254740992))
        #expect(try JSONValue.parse("123456789012345") == .number(123456789012345))
        #expect(try JSONValue.parse("1.5e300") == .number(1.5e300))
        // Documents cmem only reads are read as well as they can be.
        #expect(try JSONValue.parse("123456789012345678901234567890", exactIntegers: false) == .number(123456789012345678901234567890))
        #expect(throws: JSONParseError.self) { try JSONValue.parse("1e999999", exactIntegers: false) }
    }
}
