import Foundation
import MemoryModel
import Testing
import TestSupport

/// The memory opened as an Obsidian vault: built through the real binary the way people and agents fill
/// it (CLI and hook sessions, decisions, a `caused_by` chain, two collector rounds, a postmortem a person
/// wrote), then every `[[link]]` in every note is resolved as Obsidian resolves it.
@Suite("the memory as a vault, end to end")
struct VaultEndToEndTests {
    final class Vault {
        let dir = TestSupport.TemporaryDirectory("cmem-vault")
        var repo: String { dir.file("memory") }
        var project: String { dir.file("demo") }
        var home: String { dir.file("home") }

        init() throws {
            try FileManager.default.createDirectory(atPath: project + "/.git", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            try expect("init", repo)
        }

        func cmem(_ args: [String], stdin: String? = nil) throws -> ProcessResult {
            try CMemBinary.run(args, repo: repo, cwd: project, stdin: stdin.map { Data($0.utf8) },
                               environment: ["HOME": home, "CMEM_LOG_LEVEL": "error"])
        }

        @discardableResult
        func expect(_ args: String..., stdin: String? = nil) throws -> String {
            let r = try cmem(Array(args), stdin: stdin)
            guard r.status == 0 else { throw ValidationError("cmem \(args) failed (\(r.status)): \(r.stderr)\(r.stdout)") }
            return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func json(_ args: String...) throws -> JSONValue {
            let r = try cmem(Array(args) + ["--json"])
            guard r.status == 0 else { throw ValidationError("cmem \(args) failed (\(r.status)): \(r.stderr)\(r.stdout)") }
            return try JSONValue.parse(r.stdout)
        }

        func write(_ relative: String, _ text: String) throws {
            let full = repo + "/" + relative
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }

        func read(_ relative: String) throws -> String { try String(contentsOfFile: repo + "/" + relative, encoding: .utf8) }

        func hook(_ event: String, _ payload: [(String, JSONValue)]) throws {
            let base: [(String, JSONValue)] = [("session_id", .string("claude-1")), ("cwd", .string(project)),
                                               ("transcript_path", .string(dir.file("none.jsonl")))]
            let r = try cmem(["hook", event], stdin: JSONValue.object(base + payload).json)
            guard r.status == 0 else { throw ValidationError("hook \(event) failed: \(r.stderr)") }
        }

        /// Every Markdown file of the vault (not `.git`), repository-relative.
        func notes() -> [String] {
            var out: [String] = []
            let e = FileManager.default.enumerator(atPath: repo)
            while let f = e?.nextObject() as? String {
                if f.hasPrefix(".git/") || f == ".git" { e?.skipDescendants(); continue }
                if f.hasSuffix(".md") { out.append(f) }
            }
            return out.sorted()
        }
    }

    /// The `[[…]]` links of a note as Obsidian sees them: not in fenced code or inline code.
    static func links(in text: String) -> [String] {
        var out: [String] = []
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inFence.toggle(); continue }
            if inFence { continue }
            // Inline code spans are dropped: the text between pairs of backticks.
            let pieces = line.split(separator: "`", omittingEmptySubsequences: false)
            let visible = pieces.enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined(separator: " ")
            var rest = Substring(visible)
            while let open = rest.range(of: "[["), let close = rest.range(of: "]]", range: open.upperBound..<rest.endIndex) {
                out.append(String(rest[open.upperBound..<close.lowerBound]))
                rest = rest[close.upperBound...]
            }
        }
        return out
    }

    /// Why `link` (the text between `[[` and `]]`) written in `from` does not resolve, or nil when it
    /// does: the file by name anywhere in the vault (or by path), then the `#heading` or `#^block` in it.
    static func problem(_ link: String, from: String, notes: [String], read: (String) throws -> String) rethrows -> String? {
        let target = link.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        let file: String?
        if name.isEmpty {
            file = from
        } else if name.contains("/") {
            file = notes.first { $0 == name || $0 == name + ".md" }
        } else {
            file = notes.first { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension == name || ($0 as NSString).lastPathComponent == name }
        }
        guard let file else { return "no note named \(name)" }
        guard parts.count == 2 else { return nil }
        let sub = String(parts[1])
        let text = try read(file)
        if sub.hasPrefix("^") {
            let block = " " + sub
            return text.split(separator: "\n").contains { $0.hasSuffix(block) } ? nil : "no block \(sub) in \(file)"
        }
        let headings = text.split(separator: "\n").filter { $0.hasPrefix("#") }.map { $0.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces) }
        return headings.contains(sub) ? nil : "no heading \(sub) in \(file)"
    }

    @Test func everyLinkInEveryNoteResolves() throws {
        let v = try Vault()
        try v.write(".cmem/components.yaml", """
        components:
          useraccount:
            depends_on: [redis-cache, "[[icx-db]]"]
            namespace: perf-stg
            aliases: [accounts]
            paths: ["src/account/**"]

        """)
        // A session from the CLI, with a decision about a component.
        try v.expect("session", "start", "--task", "Fix the account service crash", "--cwd", v.project)
        try v.expect("session", "update", "--todo", "rotate the cert before friday", "--blocker", "registry is down", "--cwd", v.project)
        try v.expect("session", "decide", "Roll back useraccount to the last good image", "--rationale", "the new image crashes on start",
                     "--component", "useraccount", "--cwd", v.project)
        try v.expect("session", "end", "--cwd", v.project)
        // A session the Claude Code hooks started: titled from its first prompt.
        try v.hook("session-start", [("hook_event_name", .string("SessionStart")), ("source", .string("startup"))])
        try v.hook("user-prompt", [("hook_event_name", .string("UserPromptSubmit")), ("prompt", .string("Find out why valla scaled up overnight"))])
        // A chain: a deploy caused a crash, which caused an alert.
        let deploy = try v.expect("event", "record", "--type", "deployment", "--source", "argocd", "--component", "useraccount",
                                  "--description", "Synced useraccount to 4f2a91c", "--time", "2026-11-20T09:00:00Z")
        let crash = try v.expect("event", "record", "--type", "pod_restart", "--source", "kubernetes", "--component", "useraccount",
                                 "--severity", "error", "--description", "useraccount crashloops", "--caused-by", deploy,
                                 "--time", "2026-11-20T09:05:00Z")
        try v.expect("event", "record", "--type", "alert", "--source", "prometheus", "--component", "useraccount", "--component", "gateway",
                     "--severity", "critical", "--description", "login errors above 5%", "--caused-by", crash, "--time", "2026-11-20T09:07:00Z")
        // The write that first links a component starts its note: the link lands before any `cmem vault`.
        #expect(try v.read("components/gateway.md").contains("# gateway"))
        // Two collector rounds: the second finds useraccount unready.
        let scenario = try Scenario()
        for second in [false, true] {
            let round = try scenario.directory(second: second)
            try v.expect("collect", "--once", "--from-dir", round.path)
        }
        // A postmortem a person wrote at the root, linking into the vault.
        try v.write("Postmortem 2026-11-20.md", """
        # Postmortem: login outage

        The deploy [[2026-11-20#^\(Wikilink.blockID(ofEvent: deploy))|at 09:00]] broke [[useraccount]]; see [[Home]].

        ## Follow-ups
        Automate cert rotation with the operator.

        """)
        try v.expect("vault")

        // The component notes exist, each saying what it is, its state and its recent events.
        let account = try v.read("components/useraccount.md")
        #expect(account.contains("[[redis-cache]]") && account.contains("[[icx-db]]"))
        #expect(account.contains("deployment/perf-stg/useraccount"))
        #expect(account.contains("Synced useraccount to 4f2a91c"))
        #expect(account.contains("caused by [[2026-11-20#^\(Wikilink.blockID(ofEvent: deploy))]]"))
        #expect(account.contains("Roll back useraccount"))
        #expect(FileManager.default.fileExists(atPath: v.repo + "/components/gateway.md"))
        // The day note carries the block ids and the cause as a link.
        let day = try v.read("timeline/2026/11/2026-11-20.md")
        #expect(day.contains(" ^\(Wikilink.blockID(ofEvent: crash))\n"))
        #expect(day.contains("caused by [[2026-11-20#^\(Wikilink.blockID(ofEvent: deploy))]]"))
        // The home note links each part.
        let home = try v.read("Home.md")
        #expect(home.contains("**demo**") && home.contains("[[handoff/demo|handoff]]"))
        #expect(home.contains("Roll back useraccount"))
        #expect(home.contains("[[useraccount]]"))
        // The hook session is titled by its prompt, nowhere by its id.
        #expect(!v.notes().contains { (try? v.read($0))?.contains("# Session sess-") ?? false })

        // Every link resolves.
        let notes = v.notes()
        var checked = 0
        for note in notes {
            for link in VaultEndToEndTests.links(in: try v.read(note)) {
                checked += 1
                if let problem = try VaultEndToEndTests.problem(link, from: note, notes: notes, read: v.read) {
                    Issue.record("\(note): [[\(link)]] dangles: \(problem)")
                }
            }
        }
        #expect(checked > 20)

        // What a person adds to a component note or the home note survives the next refresh.
        try v.write("components/useraccount.md", account + "\nOwned by the identity team.\n")
        try v.write("Home.md", home.replacingOccurrences(of: "\n# Home\n", with: "\n# Home\n\nRead this first.\n"))
        try v.expect("event", "record", "--type", "deployment", "--source", "argocd", "--component", "useraccount",
                     "--description", "Synced useraccount to 77aa0be", "--time", "2026-11-20T10:00:00Z")
        try v.expect("vault")
        let after = try v.read("components/useraccount.md")
        #expect(after.contains("Synced useraccount to 77aa0be") && after.hasSuffix("\nOwned by the identity team.\n"))
        #expect(try v.read("Home.md").contains("\n# Home\n\nRead this first.\n"))
        #expect(try v.read("Home.md").contains("Synced useraccount to 77aa0be") == false) // not an incident: info
    }

    @Test func whatAPersonWroteIsSearchable() throws {
        let v = try Vault()
        try v.expect("session", "start", "--task", "Renew certificates", "--cwd", v.project)
        try v.expect("session", "update", "--todo", "schedule the quarterly cert rotation", "--cwd", v.project)
        let decision = try v.expect("session", "decide", "Use cert-manager", "--cwd", v.project)
        // Prose under a decision's `## Notes`.
        let path = try #require(v.notes().first { $0.hasPrefix("decisions/") && $0.hasSuffix("\(decision).md") })
        try v.write(path, try v.read(path) + "\nThe vendor's hardware tokens were ruled out early.\n")
        try v.write("runbooks/Database failover.md", "---\ntags: [runbook]\n---\n# Database failover\n\nIntro.\n\n## Promote the replica\nRun the patroni switchover first.\n")

        func hit(_ text: String) throws -> JSONValue? {
            guard case let .array(results)? = try v.json("search", text)["results"] else { return nil }
            return results.first
        }
        #expect(try hit("quarterly cert rotation")?["kind"]?.stringValue == "session")
        #expect(try hit("hardware tokens ruled out")?["kind"]?.stringValue == "decision")
        let note = try #require(try hit("patroni switchover"))
        #expect(note["kind"]?.stringValue == "note")
        #expect(note["location"]?.stringValue == "runbooks/Database failover.md:8")
        #expect(note["title"]?.stringValue == "Database failover › Promote the replica")
        // Editor state and cmem's own folders are not notes.
        try v.write(".obsidian/snippets/x.md", "quuxsnippetonly\n")
        try v.write("timeline/notes.md", "quuxtimelineonly\n")
        #expect(try hit("quuxsnippetonly") == nil)
        #expect(try hit("quuxtimelineonly") == nil)
        // A note found, then deleted, is gone from the answers.
        try FileManager.default.removeItem(atPath: v.repo + "/runbooks/Database failover.md")
        #expect(try hit("patroni switchover") == nil)
    }
}
