import Testing
@testable import MemoryModel

@Suite struct FrontMatterTests {
    let note = """
    ---
    session_id: sess-1
    # a comment the human wrote
    reviewer: dana   # inline comment
    current_task: Fix it
    custom_list:
      - one
      - two
    started_at: 2026-01-19T10:00:00Z
    ---
    # Title

    Hand-written prose.
    """

    @Test func setReplacesOnlyThatKeyAndKeepsEverythingElseByteForByte() throws {
        var doc = try FrontMatterDocument.split(note, path: "n.md")
        doc.set("current_task", raw: "current_task: Fix it properly\n")
        doc.set("new_key", raw: "new_key: 1\n")
        let expected = note
            .replacingOccurrences(of: "current_task: Fix it\n", with: "current_task: Fix it properly\n")
            .replacingOccurrences(of: "started_at: 2026-01-19T10:00:00Z\n", with: "started_at: 2026-01-19T10:00:00Z\nnew_key: 1\n")
        #expect(doc.text == expected)
        #expect(doc.keys == ["session_id", "reviewer", "current_task", "custom_list", "started_at", "new_key"])
    }

    @Test func valuesDecodeInOrder() throws {
        let doc = try FrontMatterDocument.split(note, path: "n.md")
        let values = try doc.values(path: "n.md")
        #expect(values.map(\.0) == ["session_id", "reviewer", "current_task", "custom_list", "started_at"])
        #expect(values[3].1 == .array([.string("one"), .string("two")]))
    }

    @Test func noteWithoutFrontMatterIsAllBody() throws {
        let doc = try FrontMatterDocument.split("# Just prose\n", path: "p.md")
        #expect(doc.entries.isEmpty)
        #expect(doc.text == "# Just prose\n")
    }

    /// Where the front matter ends and the body begins, for every way a note can end; `text` gives the
    /// note back byte for byte (a BOM aside).
    @Test func theBodyStartsAfterTheClosingLineWhateverTheEnding() throws {
        let cases: [(String, keys: [String], body: String)] = [
            ("---\na: 1\n---\nbody\n", ["a"], "body\n"),
            ("---\na: 1\n---\n", ["a"], ""),
            ("---\na: 1\n---", ["a"], ""),
            ("---\na: 1\n...\nafter dots", ["a"], "after dots"),
            ("---\r\na: 1\r\n---\r\nline one\r\nline two", ["a"], "line one\r\nline two"),
            ("\u{FEFF}---\na: 1\n---\n\n# Title\n\n---\nnot front matter\n", ["a"], "\n# Title\n\n---\nnot front matter\n"),
            ("---\n---\nempty front matter", [], "empty front matter"),
            ("no front matter\n---\n", [], "no front matter\n---\n"),
            ("", [], ""),
        ]
        for (text, keys, body) in cases {
            let doc = try FrontMatterDocument.split(text, path: "n.md")
            #expect(doc.keys == keys, "\(text.debugDescription)")
            #expect(doc.body == body, "\(text.debugDescription): \(doc.body.debugDescription)")
            if !keys.isEmpty, !text.hasPrefix("\u{FEFF}"), !text.contains("\r"), !text.contains("...") {
                #expect(doc.text == text || doc.text == text + "\n", "\(text.debugDescription) → \(doc.text.debugDescription)")
            }
        }
        #expect(throws: NoteError.self) { try FrontMatterDocument.split("---\na: 1\n", path: "n.md") }
        #expect(throws: NoteError.self) { try FrontMatterDocument.split("---", path: "n.md") }
    }

    @Test func unclosedFrontMatterNamesFileAndLine() {
        #expect(throws: NoteError(path: "x.md", line: 1, message: "front matter opened with '---' is never closed")) {
            try FrontMatterDocument.split("---\na: 1\n", path: "x.md")
        }
    }

    @Test func brokenYAMLNamesTheLine() throws {
        let doc = try FrontMatterDocument.split("---\na: 1\nb: [unclosed\nc: 3\n---\n", path: "b.md")
        do {
            _ = try doc.values(path: "b.md")
            Issue.record("expected an error")
        } catch let error as NoteError {
            #expect(error.path == "b.md")
            #expect(error.line >= 3 && error.line <= 5, "line \(error.line)")
        }
    }

    @Test func anchorsAndAliasesAreRefusedBeforeDecoding() throws {
        let bomb = """
        ---
        a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]
        ---
        """
        let doc = try FrontMatterDocument.split(bomb, path: "bomb.md")
        #expect(throws: NoteError(path: "bomb.md", line: 2, message: "YAML anchors (&) are not allowed in notes; write the value out")) {
            try doc.values(path: "bomb.md")
        }
        let alias = try FrontMatterDocument.split("---\nx: 1\ny: *x\n---\n", path: "a.md")
        #expect(throws: NoteError.self) { try alias.values(path: "a.md") }
        for hidden in ["---\nx: &a 1\nl:\n  - *a\n---\n", "---\nx: &a 1\nl:\n  - - *a\n---\n", "---\nx: &a 1\nl: [1, *a]\n---\n",
                       "---\nx: &a 1\n? *a\n: 2\n---\n"] {
            let doc = try FrontMatterDocument.split(hidden, path: "h.md")
            #expect(throws: NoteError.self, "\(hidden)") { try doc.values(path: "h.md") }
        }
    }

    @Test func aStarOrAmpersandInsidePlainTextIsNotAnAlias() throws {
        // A captured shell command, as the post-tool-use hook writes it.
        let doc = try FrontMatterDocument.split("---\ndetail: git add -- *\nother: a -- &b\nq: what ?? *\n---\n", path: "cmd.md")
        let values = try doc.values(path: "cmd.md")
        #expect(values[0].1 == .string("git add -- *"))
        #expect(values[1].1 == .string("a -- &b"))
    }

    @Test func ampersandsInsideValuesAreFine() throws {
        let doc = try FrontMatterDocument.split("---\na: rock & roll\nb: \"*not an alias\"\nc: x*y\n---\n", path: "ok.md")
        let values = try doc.values(path: "ok.md")
        #expect(values.count == 3)
        #expect(values[1].1 == .string("*not an alias"))
    }

    @Test func duplicateKeysAreAnError() throws {
        let doc = try FrontMatterDocument.split("---\na: 1\na: 2\n---\n", path: "d.md")
        #expect(throws: NoteError.self) { try doc.values(path: "d.md") }
        // The error names the line where the key is given again, and the key.
        let nested = "---\nid: x\ntodo_list:\n  - text: a\n    status: done\n  - text: b\nsummary: one\nnext: []\nsummary: two\n---\n"
        do {
            _ = try FrontMatterDocument.split(nested, path: "n.md").values(path: "n.md")
            Issue.record("a key given twice was read")
        } catch let e as NoteError {
            #expect(e.line == 9 && e.message.contains("(summary)"), "\(e)")
        }
    }
}

@Suite struct YAMLWriterTests {
    @Test func everyScalarReadsBackAsTheSameString() throws {
        let samples = ["plain", "with: colon", "# hash", "a #b", "- dash", "true", "null", "~", "123", "1.5", "0x1F", " lead", "trail ",
                       "quote\"s", "it's", "[x]", "{y}", "multi\nline", "tab\tbed", "ünïcödé", "emoji 😀", "key:", "@at", "`tick`",
                       "%pct", "!bang", "&amp", "*star", "|pipe", ">gt", "2026-01-19T10:00:00Z", "", "yes", "No", "a, b", "x: y # z"]
        for s in samples {
            let yaml = YAMLWriter.entry("k", s)
            let values = try YAMLSafety.mapping(yaml, path: "w", lineOffset: 0)
            #expect(values.first?.1.stringValue == s || (s.isEmpty && values.first?.1 == .string("")), "\(s) -> \(yaml)")
        }
    }

    @Test func listsAndRecordsReadBack() throws {
        let yaml = YAMLWriter.list("l", ["a", "b: c", "- d"]) +
            YAMLWriter.records("r", [[("text", .string("x: y")), ("status", .string("pending")), ("n", nil)]])
        let values = try YAMLSafety.mapping(yaml, path: "w", lineOffset: 0)
        #expect(values[0].1 == .array([.string("a"), .string("b: c"), .string("- d")]))
        #expect(values[1].1 == .array([.object([("text", .string("x: y")), ("status", .string("pending"))])]))
    }
}
