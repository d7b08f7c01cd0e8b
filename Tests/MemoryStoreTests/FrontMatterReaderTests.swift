import Foundation
import Testing
import MemoryModel
@testable import MemoryStore
import TestSupport
import CmemFixtures

/// The one front-matter reader (`FrontMatterReader`), held to YAML as the reference answer:
/// - over a large corpus written by the store (the benchmark generator's sessions and decisions, imported,
///   and sessions full of text chosen to be awkward for YAML), every note takes the fast path (none pays for
///   Yams on a hot path) and reads exactly as YAML reads it;
/// - over the edits a human makes by hand, `values` gives what YAML gives, errors included.
@Suite struct FrontMatterReaderTests {
    static func yaml(_ text: String) throws -> [(String, JSONValue)] {
        try FrontMatterDocument.split(text, path: "n.md").values(path: "n.md")
    }

    static func same(_ a: [(String, JSONValue)], _ b: [(String, JSONValue)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// Every session and decision note under `root`, repository-relative.
    static func notes(in root: String) -> [String] {
        var found: [String] = []
        for top in ["sessions", "decisions"] {
            guard let walker = FileManager.default.enumerator(atPath: root + "/" + top) else { continue }
            while let p = walker.nextObject() as? String {
                if p.hasSuffix(".md") { found.append(top + "/" + p) }
            }
        }
        return found.sorted()
    }

    /// Pieces of text that YAML reads in more than one way when written plain; sessions are made of them.
    static let awkward = [
        "fix - *important* thing", "a, *b", "x [*y]", "&anchor-like", "*star", "see {a: 1}", "k: v", "a #b", "#c",
        "- dash", "? what", "yes", "No", "on", "null", "~", "007", "1e3", "-5", "+7", "0x1F", "0o17", ".5", "12:30",
        "trailing:", " lead", "tail ", "\"quoted\"", "'single'", "back\\slash", "tab\there", "multi\nline", "ünïcödé",
        "emoji 🚀", "NEL \u{85}", "LS \u{2028}", "ESC \u{1B}[0m", "%pct", "@at", "`tick`", "!bang", "|pipe", ">gt",
        "git add -- *", "a & b", "a * b", "cost: $5", "url https://x.example/a?b=c#d", "[ ]", "{ }", "],", "}",
    ]

    @Test func everyNoteTheStoreWritesTakesTheFastPathAndReadsAsYAML() throws {
        let f = try StoreFixture()
        // The benchmark generator's sessions and decisions, through the store's import.
        let generator = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../bench/gen_events.py").standardizedFileURL.path
        let stream = f.dir.file("corpus.jsonl")
        for seed in [3, 7] {
            let out = try ProcessRunner.run("/usr/bin/env", ["python3", generator, "--events", "4000", "--sessions", "300",
                                                            "--seed", "\(seed)", "--days", "20"])
            #expect(out.status == 0, "gen_events.py failed: \(out.stderr)")
            FileManager.default.createFile(atPath: stream, contents: Data(out.stdout.utf8))
            let handle = try #require(FileHandle(forReadingAtPath: stream))
            _ = try f.store.importJSONLines(from: handle, source: "corpus")
            try handle.close()
        }
        // Sessions written field by field from awkward text, as the hooks and the CLI write them.
        var rng = SplitMix64(seed: 42)
        func pick(_ n: Int) -> [String] { (0..<n).map { _ in Self.awkward[Int(rng.next() % UInt64(Self.awkward.count))] } }
        for i in 0..<60 {
            let s = try f.store.startSession(task: pick(2).joined(separator: " "), cwd: f.project)
            _ = try f.store.updateSession(id: s.id, message: "update \(i)") { s, _ in
                s.summary = pick(3).joined(separator: " ")
                s.activeFiles = pick(3)
                s.blockers = pick(2)
                s.nextSteps = pick(2)
                s.todoList = pick(2).map { .init(text: $0) }
                s.actions = pick(3).map { Session.Action(time: .now(), kind: "command", detail: $0, exitCode: Int(rng.next() % 3)) }
            }
            _ = try f.store.recordDecision(sessionID: s.id, decision: pick(2).joined(separator: " "), rationale: pick(1)[0],
                                           alternatives: pick(2))
            _ = try f.store.endSession(id: s.id, summary: pick(2).joined(separator: ", "))
        }

        let paths = Self.notes(in: f.root)
        #expect(paths.count > 600, "the corpus is smaller than meant: \(paths.count) notes")
        var declined: [String] = []
        for path in paths {
            let bytes = Array(try #require(FileManager.default.contents(atPath: f.root + "/" + path)))
            let text = try #require(String(validating: bytes, as: UTF8.self))
            let reference = try Self.yaml(text)
            guard let fast = FrontMatterReader.canonicalValues(bytes) else {
                declined.append(path)
                continue
            }
            #expect(Self.same(fast, reference), "\(path): the fast reader reads \(fast), YAML \(reference)")
            #expect(Self.same(try FrontMatterReader.values(bytes, path: path), reference))
        }
        #expect(declined.isEmpty, """
            \(declined.count) notes cmem wrote are left to YAML by the fast reader, as \(declined[0...].first ?? ""):
            \((try? f.read(declined.first ?? "")) ?? "")
            """)
    }

    /// What people write by hand: `values` answers as YAML does, value for value or error for error.
    @Test func handEditsReadAsYAMLReadsThem() throws {
        let base = "session_id: sess-20260101-000000-0000000001\nstarted_at: 2026-01-01T00:00:00Z\n"
        let cases = [
            "---\n\(base)summary: |\n  two\n  lines\n---\nbody\n",
            "---\n\(base)current_task: x # a comment\n---\n",
            "---\n\(base)decision: {a: 1, b: [2, 3]}\n---\n",
            "---\n\(base)rationale: 'single ''quoted'''\n---\n",
            "---\r\n\(base.replacingOccurrences(of: "\n", with: "\r\n"))summary: crlf\r\n---\r\nbody\r\n",
            "\u{FEFF}---\n\(base)summary: bom\n---\n",
            "---\n\(base)tags:\n- unindented\n- list\n---\n",
            "---\n\(base)blockers:\n    - deeper\n    - indent\n---\n",
            "---\n\(base)\"quoted key\": v\n---\n",
            "---\n\(base)summary: >\n  folded\n  text\n---\n",
            "---\n\(base)count: 1.5\nhex: 0x1F\noct: 0o17\n---\n",
            "---\n\(base)summary:\n---\n",
            "---\n\(base)...\nbody after dots\n",
            "no front matter at all\n",
            "---\n\(base)\n\n# a comment line\nsummary: after blank\n---\n",
            "---\n\(base)summary: tab\tinside\n---\n",
            // Refused by YAML, so by `values`, with the file and line.
            "---\n\(base)a: &x 1\nb: *x\n---\n",
            "---\n\(base)summary: one\nsummary: two\n---\n",
            "---\n\(base)summary: [unclosed\n---\n",
            "---\n\(base)summary: never closed\n",
        ]
        for text in cases {
            let bytes = Array(text.utf8)
            switch (Result { try Self.yaml(text) }, Result { try FrontMatterReader.values(bytes, path: "n.md") }) {
            case let (.success(reference), .success(read)):
                #expect(Self.same(read, reference), "reads \(read), YAML \(reference), for:\n\(text)")
            case let (.failure(reference), .failure(read)):
                #expect("\(reference)" == "\(read)", "another error than YAML's for:\n\(text)")
                #expect("\(read)".contains("n.md"), "the error does not name the file: \(read)")
            case let (reference, read):
                Issue.record("YAML: \(reference), the reader: \(read), for:\n\(text)")
            }
        }
    }
}
