import Foundation
import Logging
import MemoryModel
import MemoryStore

/// Issue 5: the Claude Code hooks, each timed from process start to exit, fed the real payloads
/// (`Tests/ClaudeHooksTests/Fixtures/`) on stdin, on a copy of the largest imported repository.
///
/// The copy is made to look like a live repository rather than a fresh import: every session note gets a
/// new modification time (as after a clone or a pull, so no lookup can lean on mtimes), and the three days
/// before today get full-size day files (the corpus's last days, dates shifted), so the handoff reads as
/// many recent events as a busy repository has.
///
/// Each cycle is one Claude Code conversation in a project: session-start (startup) with a new Claude
/// session id, user-prompt, `toolCalls` post-tool-use calls (Bash, Edit, Read, Write, a failed Bash), pre-compact,
/// session-start (compact), session-end. The next cycle's session-start must print the previous cycle's
/// handoff. A last, long conversation measures post-tool-use on a session holding the most actions a note keeps.
enum HooksBench {
    static let postToolUseTarget = 0.020
    static let sessionStartTarget = 0.060
    static let toolCalls = 8

    static func run(_ env: BenchEnvironment, events: Int, runs: Int) throws {
        let fixtures = try fixturesDirectory(env)
        let (seed, _) = try env.repository(events: events)
        let repo = "\(env.workDir)/hooks-\(events)"
        try prepare(seed: seed, copy: repo)

        let projectParent = "\(env.workDir)/hooks-projects"
        let project = "\(projectParent)/vault-ui"
        try? FileManager.default.removeItem(atPath: projectParent)
        // A real code repository, in which someone else commits between the conversations: the handoff's
        // "since you left" reads them.
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        try Run.shell("git init -q -b main && echo start > README.md && git add -A && git -c user.name=Dev -c user.email=dev@example.com commit -q -m start",
                      cwd: project)
        let transcript = "\(projectParent)/transcript.jsonl"
        try FileManager.default.copyItem(atPath: fixtures + "/transcript_factorial.jsonl", toPath: transcript)

        let runner = try HookProcess(cmem: env.cmem, repo: repo, scratch: "\(env.workDir)/hooks-io")
        let payloads = try Payloads(fixtures: fixtures, project: project, transcript: transcript)
        let cycles = max(3, min(runs, 50))
        let tag = String(getpid())

        var floor = Timing()
        for _ in 0..<max(10, min(runs, 30)) {
            floor.add(try runner.time(["--version"], stdin: ""))
        }

        var firstStart = OneRun()
        var start = Timing(), prompt = Timing(), post = Timing(), preCompact = Timing(), compact = Timing(), end = Timing()
        var previousTask: String?
        var lastHandoff = ""
        var commitsShown = 0
        for cycle in 0...cycles {
            let claude = "bench-\(tag)-\(cycle)"
            let subject = "probe: tune the vault-ui readiness probe \(cycle)"
            try Run.shell("echo \(cycle) >> k8s-probe.txt && git add -A && git -c user.name=Alice -c user.email=alice@example.com commit -q -m '\(subject)'",
                          cwd: project)
            let s = try runner.hook("session-start", payloads.sessionStart(claude, source: "startup"))
            if let previousTask {
                guard s.stdout.contains(previousTask) else {
                    throw BenchError(message: "session-start of cycle \(cycle) did not print the handoff of the previous session (\(previousTask)); it printed:\n\(s.stdout)")
                }
                // Counted rather than required, so that a cmem without "since you left" can be measured too.
                if s.stdout.contains(subject) { commitsShown += 1 }
                start.add(s)
                lastHandoff = s.stdout
            } else {
                firstStart = OneRun(seconds: s.seconds, cpu: s.cpu)
            }
            if cycle == cycles { break }

            let task = "Cycle \(cycle): fix the vault-ui readiness probe \(tag)"
            prompt.add(try runner.hook("user-prompt", payloads.prompt(claude, task + "\nthe pod restarts under load")))
            for call in 0..<toolCalls {
                post.add(try runner.hook("post-tool-use", payloads.toolCall(claude, cycle: cycle, call: call)))
            }
            preCompact.add(try runner.hook("pre-compact", payloads.plain("claude_hook_pre_compact.json", claude)))
            let c = try runner.hook("session-start", payloads.sessionStart(claude, source: "compact"))
            guard c.stdout.contains(task) else {
                throw BenchError(message: "session-start (compact) did not re-inject what pre-compact saved; it printed:\n\(c.stdout)")
            }
            compact.add(c)
            end.add(try runner.hook("session-end", payloads.plain("claude_hook_session_end.json", claude)))
            previousTask = task
        }

        // A long conversation: post-tool-use on a note holding the most actions a session keeps.
        let longClaude = "bench-\(tag)-long"
        _ = try runner.hook("session-start", payloads.sessionStart(longClaude, source: "startup"))
        _ = try runner.hook("user-prompt", payloads.prompt(longClaude, "A long conversation \(tag)"))
        var long = Timing()
        let measured = max(10, min(runs, 50))
        for call in 0..<(HookHandlerLimits.maxActions + measured) {
            let r = try runner.hook("post-tool-use", payloads.bash(longClaude, "make check TARGET=\(call)", failed: false))
            if call >= HookHandlerLimits.maxActions { long.add(r) }
        }
        let longActions = try actionCount(repo: repo, claude: longClaude)
        // The same hook when the call records nothing new (a file already read): no write, no commit.
        var unchanged = Timing()
        let readAgain = try payloads.file(longClaude, tool: "Read", shape: "Read", path: "README.md")
        _ = try runner.hook("post-tool-use", readAgain)
        for _ in 0..<measured { unchanged.add(try runner.hook("post-tool-use", readAgain)) }

        // What one committed write costs in this repository, in process: the floor of any hook that writes.
        let write = try commitCost(repo: repo, runs: max(10, min(runs, 30)))

        var report = Report()
        report.add("repository", "\(events) events, \(try count(repo, "sessions")) session notes, \(try count(repo, "decisions")) decisions",
                   "session notes touched (as after a clone); the 3 days before today hold full-size day files")
        report.add("cmem binary", env.cmem)
        report.add("process-start floor: cmem --version p50", floor.describe(), "")
        report.add("session-start (startup, prints the handoff with what changed since) p50", start.describe(),
                   "target ≤ \(ms(sessionStartTarget)) " + verdict(start.wall.p50, sessionStartTarget))
        report.add("session-starts that showed the commit made since the previous session", "\(commitsShown) of \(start.wall.values.count)")
        report.add("session-start, first session of a new project (after a clone: every note read once)",
                   "\(ms(firstStart.seconds)) wall, \(ms(firstStart.cpu)) CPU")
        report.add("session-start (compact, re-injects the snapshot) p50", compact.describe())
        report.add("user-prompt p50", prompt.describe())
        report.add("post-tool-use p50 (Bash, Edit, Read, Write, failed Bash)", post.describe(),
                   "\(post.wall.values.count) calls; target ≤ \(ms(postToolUseTarget)) " + verdict(post.wall.p50, postToolUseTarget))
        report.add("post-tool-use p50, session holding \(longActions) actions", long.describe(),
                   "target ≤ \(ms(postToolUseTarget)) " + verdict(long.wall.p50, postToolUseTarget))
        report.add("post-tool-use p50 recording nothing new (Read of a file already read: no write, no commit)", unchanged.describe(),
                   "the difference to the row above is rendering the note, the atomic write and the commit")
        report.add("pre-compact p50 (summary, handoff file, snapshot)", preCompact.describe())
        report.add("session-end p50 (summary, handoff file, ended)", end.describe())
        report.add("one-note write + commit, in process p50", "\(ms(write.p50)) wall", "p90 \(ms(write.p90)); part of every hook that writes")
        report.add("handoff printed by the last session-start", "\(lastHandoff.count) characters",
                   "≈ \(lastHandoff.count / 4) tokens; \(lastHandoff.split(separator: "\n").filter { $0.hasPrefix("- ") }.count) list items")
        report.print(title: "Claude Code hooks, \(events) events (issue 5)")
    }

    /// Wall time (process start to exit, as Claude Code waits for it) and CPU time of one hook's runs.
    struct Timing {
        var wall = Samples(), cpu = Samples()
        mutating func add(_ r: (stdout: String, seconds: Double, cpu: Double)) {
            wall.add(r.seconds)
            cpu.add(r.cpu)
        }
        func describe() -> String { "\(ms(wall.p50)) wall (p90 \(ms(wall.p90))), \(ms(cpu.p50)) CPU" }
    }

    struct OneRun {
        var seconds = 0.0, cpu = 0.0
    }

    static func verdict(_ value: Double, _ target: Double) -> String { value <= target ? "(met)" : "(NOT met)" }

    // MARK: The repository

    /// A fresh copy of `seed`, with fresh mtimes on the session notes and full days before today.
    static func prepare(seed: String, copy: String) throws {
        try? FileManager.default.removeItem(atPath: copy)
        try Run.program("/bin/cp", ["-a", seed, copy])
        try Run.shell("find '\(copy)/sessions' -name '*.md' -exec touch {} +")
        // The corpus's last full days become the three days before today.
        let days = try Run.shell("ls '\(copy)'/timeline/*/*/*.md | sort").split(separator: "\n").map(String.init)
        let full = days.filter { ((try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0) > 100_000 }
        let today = Timestamp.now()
        var shifted: [String] = []
        for (offset, source) in full.suffix(3).reversed().enumerated() {
            let from = String((source as NSString).lastPathComponent.prefix(10))
            let to = today.adding(seconds: -Int64(offset + 1) * 86400).day
            let target = "timeline/\(to.prefix(4))/\(to.dropFirst(5).prefix(2))/\(to).md"
            if FileManager.default.fileExists(atPath: copy + "/" + target) { continue }
            try FileManager.default.createDirectory(atPath: (copy + "/" + target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let compactFrom = from.replacingOccurrences(of: "-", with: ""), compactTo = to.replacingOccurrences(of: "-", with: "")
            try Run.shell("sed -e 's/\(from)/\(to)/g' -e 's/\(compactFrom)/\(compactTo)/g' '\(source)' > '\(copy)/\(target)'")
            shifted.append(target)
        }
        if !shifted.isEmpty {
            try Run.shell("git add -- \(shifted.map { "'\($0)'" }.joined(separator: " ")) && git -c core.hooksPath=/dev/null commit -q -m 'bench: recent days'", cwd: copy)
        }
    }

    static func count(_ repo: String, _ top: String) throws -> Int {
        Int(try Run.shell("find '\(repo)/\(top)' -name '*.md' | wc -l").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    static func actionCount(repo: String, claude: String) throws -> Int {
        let store = try MemoryStore(path: repo, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        guard let id = store.sessionID(claudeSession: claude) else { throw BenchError(message: "no session for \(claude)") }
        return try store.session(id: id).actions.count
    }

    /// One file written and committed through the store (lock, atomic write with fsync, libgit2 commit).
    static func commitCost(repo: String, runs: Int) throws -> Samples {
        let store = try MemoryStore(path: repo, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        var samples = Samples()
        for i in 0..<runs {
            samples.add(try Clock.time {
                try store.transaction { tx in
                    try tx.write("handoff/bench-commit-probe.md", "probe \(i)\n")
                    tx.describe("bench commit probe \(i)")
                }
            })
        }
        return samples
    }

    // MARK: Fixtures

    static func fixturesDirectory(_ env: BenchEnvironment) throws -> String {
        var candidates = [ProcessInfo.processInfo.environment["CMEM_BENCH_FIXTURES"] ?? ""]
        var dir = env.binDir
        for _ in 0..<5 {
            candidates.append(dir + "/Tests/ClaudeHooksTests/Fixtures")
            dir = (dir as NSString).deletingLastPathComponent
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/Tests/ClaudeHooksTests/Fixtures")
        guard let found = candidates.first(where: { !$0.isEmpty && FileManager.default.fileExists(atPath: $0 + "/claude_hook_session_start.json") }) else {
            throw BenchError(message: "Tests/ClaudeHooksTests/Fixtures not found; run cmem-bench from the source tree or set CMEM_BENCH_FIXTURES")
        }
        return found
    }

    /// The real payloads, with `session_id`, `cwd` and `transcript_path` pointing at the bench's own.
    struct Payloads {
        let fixtures: String
        let project: String
        let transcript: String
        let shapes: JSONValue

        init(fixtures: String, project: String, transcript: String) throws {
            self.fixtures = fixtures
            self.project = project
            self.transcript = transcript
            shapes = try Payloads.load(fixtures + "/claude_hook_tool_input_shapes_DERIVED.json")
        }

        static func load(_ path: String) throws -> JSONValue {
            try JSONValue.parse(String(contentsOfFile: path, encoding: .utf8))
        }

        func make(_ name: String, _ claude: String, _ overrides: [(String, JSONValue)] = []) throws -> String {
            guard case var .object(pairs) = try Payloads.load(fixtures + "/" + name) else { throw BenchError(message: "\(name) is not an object") }
            let all: [(String, JSONValue)] = [("session_id", .string(claude)), ("cwd", .string(project)), ("transcript_path", .string(transcript))] + overrides
            for (key, value) in all {
                if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
            }
            return JSONValue.object(pairs).json
        }

        func plain(_ name: String, _ claude: String) throws -> String { try make(name, claude) }

        func sessionStart(_ claude: String, source: String) throws -> String {
            try make("claude_hook_session_start.json", claude, [("source", .string(source))])
        }

        func prompt(_ claude: String, _ text: String) throws -> String {
            try make("claude_hook_user_prompt_submit_DERIVED.json", claude, [("prompt", .string(text))])
        }

        func bash(_ claude: String, _ command: String, failed: Bool) throws -> String {
            guard case var .object(input)? = shapes["Bash"] else { throw BenchError(message: "no Bash shape") }
            input[input.firstIndex { $0.0 == "command" }!].1 = .string(command)
            return try make(failed ? "claude_hook_post_tool_use_failure_bash.json" : "claude_hook_post_tool_use_bash_DERIVED.json",
                            claude, [("tool_input", .object(input))])
        }

        /// A tool shape from the derived shapes file, its `file_path` moved into the project.
        func file(_ claude: String, tool: String, shape: String, path: String) throws -> String {
            guard case var .object(input)? = shapes[shape] else { throw BenchError(message: "no \(shape) shape") }
            input[input.firstIndex { $0.0 == "file_path" }!].1 = .string(project + "/" + path)
            if tool == "Write" {
                input = [("file_path", .string(project + "/" + path)), ("content", .string("kind: Deployment\n"))]
            }
            return try make("claude_hook_post_tool_use_write.json", claude, [("tool_name", .string(tool)), ("tool_input", .object(input))])
        }

        /// The `call`th tool call of a conversation: a mix of reads, edits, writes and commands.
        func toolCall(_ claude: String, cycle: Int, call: Int) throws -> String {
            switch call % 8 {
            case 0: return try file(claude, tool: "Read", shape: "Read", path: "k8s/deployment.yaml")
            case 1: return try bash(claude, "kubectl -n vault logs deploy/vault-ui --tail=\(50 + cycle)", failed: false)
            case 2: return try file(claude, tool: "Edit", shape: "Edit", path: "k8s/deployment.yaml")
            case 3: return try file(claude, tool: "Read", shape: "Read", path: "src/server/routes-\(cycle).ts")
            case 4: return try bash(claude, "npm test -- --grep probe-\(cycle)", failed: true)
            case 5: return try file(claude, tool: "Write", shape: "Edit", path: "k8s/probe-\(cycle).yaml")
            case 6: return try file(claude, tool: "Edit", shape: "Edit", path: "src/server/routes-\(cycle).ts")
            default: return try bash(claude, "git diff --stat HEAD~\(cycle % 5 + 1)", failed: false)
            }
        }
    }

    /// Keeps the bench independent of the handler's internals while matching them.
    enum HookHandlerLimits { static let maxActions = 300 }
}

/// Runs `cmem hook …` the way Claude Code does: a new process, the payload on stdin, stdout captured,
/// timed from spawn to exit. A hook that failed still exits 0 but logs a line to `.git/cmem/hooks.log`;
/// any new line there fails the bench.
final class HookProcess {
    let cmem: String
    /// CPU time (user + system) of the last process run: unlike wall time, barely moved by other load.
    var lastCPU = 0.0
    let repo: String
    let scratch: String
    var log: String { repo + "/.git/cmem/hooks.log" }

    init(cmem: String, repo: String, scratch: String) throws {
        self.cmem = cmem
        self.repo = repo
        self.scratch = scratch
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        guard FileManager.default.isExecutableFile(atPath: cmem) else { throw BenchError(message: "\(cmem) is not an executable; build the cmem product or set CMEM_BIN") }
    }

    func hook(_ event: String, _ payload: String) throws -> (stdout: String, seconds: Double, cpu: Double) {
        let before = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
        let r = try time(["hook", event, "--repo", repo], stdin: payload)
        let after = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
        if after != before {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw BenchError(message: "cmem hook \(event) failed: \(text.split(separator: "\n").last ?? "")")
        }
        return r
    }

    func time(_ args: [String], stdin: String) throws -> (stdout: String, seconds: Double, cpu: Double) {
        let r = try Run.timed(cmem, args, stdin: stdin, scratch: scratch)
        lastCPU = r.cpu
        return r
    }
}
