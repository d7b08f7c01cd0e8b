import ArgumentParser
import Foundation
import MemoryCore
import MemoryModel
import MemoryStore

/// Every subcommand names itself: ArgumentParser otherwise derives each name from the type's name at
/// start-up, a runtime type lookup per command, paid by every `cmem` process (hooks included).
struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Start, update and end working sessions; show where we left off.",
        subcommands: [Start.self, Decide.self, Action.self, Update.self, End.self, Current.self, Show.self, List.self]
    )
}

/// Options for commands that act on a session: an explicit --session, else the project's current one.
struct SessionTarget: ParsableArguments {
    @Option(name: .long, help: "The session (default: the current session of the project of --cwd).")
    var session: String?

    @Option(name: .long, help: "The working directory that selects the project (default: the current directory).")
    var cwd: String?

    /// The session a write goes to, by the core's rule: --session when given, else the project's active
    /// session (an ended one is written only when named).
    func resolve(_ memory: Memory) throws -> String {
        try memory.targetSession(id: session, cwd: cwd ?? FileManager.default.currentDirectoryPath)
    }
}

extension SessionCommand {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a session; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "What this session is about.") var task: String = ""
        @Option(name: .long, help: "The working directory that selects the project (default: the current directory).") var cwd: String?

        func run() throws {
            try run(json: global.json) {
                let memory = try global.openMemory()
                let session = try memory.startSession(task: task, cwd: cwd ?? FileManager.default.currentDirectoryPath)
                if global.json { Output.json(session.json) } else { Output.line(session.id) }
            }
        }
    }

    struct Decide: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "decide", abstract: "Record a decision, with its rationale and the alternatives considered.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: SessionTarget
        @Argument(help: "The decision, e.g. \"Use init container\".") var decision: String
        @Option(name: .long, help: "Why.") var rationale: String = ""
        @Option(name: .long, help: "An alternative considered (repeatable).") var alternative: [String] = []
        @Option(name: .long, help: "The problem being decided.") var context: String = ""
        @Option(name: .long, help: "What follows from it.") var consequences: String = ""
        @Option(name: .long, help: "A component it concerns (repeatable).") var component: [String] = []

        func run() throws {
            try run(json: global.json) {
                let memory = try global.openMemory()
                let d = try memory.decide(session: try target.resolve(memory), decision: decision, rationale: rationale,
                                          alternatives: alternative, context: context, consequences: consequences,
                                          components: component)
                if global.json { Output.json(d.json) } else { Output.line(d.id) }
            }
        }
    }

    struct Action: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "action", abstract: "Record an action: a command run, a file read or edited.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: SessionTarget
        @Option(name: .long, help: "command | read | edit | write | note") var kind: String = "command"
        @Option(name: .long, help: "Exit status, for commands.") var exitCode: Int?
        @Argument(help: "The command line or the file path.") var detail: String

        func run() throws {
            try run(json: global.json) {
                let action = SessionAction(kind: kind, detail: detail, exitCode: exitCode)
                try action.validate()
                let memory = try global.openMemory()
                let s = try memory.record(action, session: try target.resolve(memory))
                if global.json { Output.json(s.json) } else { Output.line("recorded \(kind) in \(s.id)") }
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Add todos, blockers, next steps and files; change the task or summary.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: SessionTarget
        @Option(name: .long, help: "Set the current task.") var task: String?
        @Option(name: .long, help: "Set the progress summary.") var summary: String?
        @Option(name: .long, help: "Add a todo (repeatable).") var todo: [String] = []
        @Option(name: .long, help: "Mark a todo done, by its text (repeatable).") var done: [String] = []
        @Option(name: .long, help: "Add a blocker (repeatable).") var blocker: [String] = []
        @Option(name: .long, help: "Remove a blocker, by its text (repeatable).") var unblock: [String] = []
        @Option(name: .long, help: "Add a next step (repeatable).") var next: [String] = []
        @Option(name: .long, help: "Add a file touched (repeatable).") var file: [String] = []

        func run() throws {
            try run(json: global.json) {
                var change = SessionChange()
                change.task = task
                change.summary = summary
                change.addTodos = todo
                change.doneTodos = done
                change.addBlockers = blocker
                change.removeBlockers = unblock
                change.addNextSteps = next
                change.addFiles = file
                try change.validate()
                let memory = try global.openMemory()
                let s = try memory.change(session: try target.resolve(memory), change)
                if global.json { Output.json(s.json) } else { Output.line("updated \(s.id)") }
            }
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "end", abstract: "End a session with a summary of where things stand.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: SessionTarget
        @Option(name: .long, help: "Where things stand.") var summary: String?

        func run() throws {
            try run(json: global.json) {
                var change = SessionChange()
                change.summary = summary
                change.end = true
                try change.validate()
                let memory = try global.openMemory()
                let s = try memory.change(session: try target.resolve(memory), change)
                if global.json { Output.json(s.json) } else { Output.line("ended \(s.id)") }
            }
        }
    }

    struct Current: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "current",
            abstract: "Where we left off: the project's most recent session, if active or ended within the window.",
            discussion: "The project's active session, else the one that ended last. With none, says how to start one (exit 0)."
        )
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "The working directory that selects the project (default: the current directory).") var cwd: String?
        @Option(name: .long, help: "How recent the session must be (default from config: 24h).") var window: String?

        func run() throws {
            try run(json: global.json) {
                let memory = try global.openMemory()
                let directory = cwd ?? FileManager.default.currentDirectoryPath
                let secs = try window.map { try DurationText.seconds($0, what: "--window") }
                guard let answer = try memory.currentSession(cwd: directory, window: secs) else {
                    let none = memory.noCurrentSession(cwd: directory, window: secs)
                    if global.json {
                        Output.json(none.json)
                    } else {
                        Output.line(none.message.prefix(1).uppercased() + none.message.dropFirst()
                            + ". Start one with `cmem session start --task \"…\"`, or let the Claude Code hooks start one (`cmem claude install`).")
                    }
                    return
                }
                if global.json { Output.json(answer.json) } else { Output.line(SessionText.render(answer, store: memory.store)) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Sessions, newest first (best first with words), of one project or all (GET /memory/sessions)."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Words the sessions must contain; empty lists the latest.") var query: String = ""
        @Option(name: .long, help: "Only sessions of this project.") var project: String?
        @Option(name: .long, help: "At most this many.") var limit: Int = AnswerLimit.sessions.defaultValue

        func run() throws {
            try run(json: global.json) {
                guard limit > 0 else { throw MemoryModel.ValidationError("--limit must be positive") }
                let (_, queries) = try IndexAccess.queries(global)
                let answer = queries.sessions(query, project: project, limit: limit)
                if global.json {
                    Output.json(answer.json)
                    return
                }
                if answer.results.hits.isEmpty { Output.line(query.isEmpty ? "no sessions yet" : "no sessions match \(JSONValue.quoted(query))") }
                for hit in answer.results.hits {
                    guard let s = hit.session else { Output.line(HitText.line(hit)); continue }
                    let state = s.isActive ? "active" : "ended"
                    Output.line("\(Output.dim(s.startedAt.iso8601)) \(Output.bold(s.id)) \(s.project) · \(state) · "
                        + TimelineText.oneLine(s.currentTask.isEmpty ? s.summary : s.currentTask))
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one session.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The session id.") var id: String

        func run() throws {
            try run(json: global.json) {
                let memory = try global.openMemory()
                let answer = try memory.session(id: id)
                if global.json { Output.json(answer.json) } else { Output.line(SessionText.render(answer, store: memory.store)) }
            }
        }
    }
}

/// "Here's where we left off", as text for a person.
enum SessionText {
    /// The session, then what changed since the one before it (the JSON's `since_previous`).
    static func render(_ answer: SessionAnswer, store: MemoryStore) -> String {
        var out = render(answer.session, store: store)
        guard let since = answer.since, !since.isEmpty else { return out }
        out += "\n" + Output.bold("Since \(since.previousSession) (\(since.from.iso8601) to \(since.to.iso8601)):")
        for c in since.commits { out += "\n  - commit \(c.line)" }
        if since.commitsTruncated { out += "\n  - and more commits" }
        for e in since.events {
            let severity = e.severity >= .warning ? " (\(e.severity.rawValue))" : ""
            out += "\n  - \(e.timestamp.day) \(e.timestamp.timeOfDay) \(e.type)\(severity) \(e.components.first ?? e.source): \(HandoffBuilder.clip(e.description, 160))"
        }
        for d in since.decisions { out += "\n  - decision: \(HandoffBuilder.clip(d.decision, 200))" + Output.dim(" [\(d.id)]") }
        return out
    }

    static func render(_ s: Session, store: MemoryStore) -> String {
        var out = Output.bold("Session \(s.id)") + " · \(s.project) · " + (s.isActive ? "active" : "ended \(s.endedAt!.iso8601)") + "\n"
        if !s.currentTask.isEmpty { out += "Task: \(s.currentTask)\n" }
        if !s.summary.isEmpty { out += "Summary: \(s.summary)\n" }
        if !s.decisions.isEmpty {
            out += "Decisions:\n"
            for id in s.decisions {
                if let d = try? store.lookupDecision(id: id) {
                    out += "  - \(d.decision)" + (d.rationale.isEmpty ? "" : " — \(d.rationale)") + Output.dim(" [\(id)]") + "\n"
                } else {
                    out += "  - \(id)\n"
                }
            }
        }
        let open = s.todoList.filter(\.isOpen)
        // As the handoff marks them: `[~]` in progress.
        if !open.isEmpty { out += "Todo:\n" + open.map { "  - [\($0.status == "in_progress" ? "~" : " ")] \($0.text)\n" }.joined() }
        if !s.blockers.isEmpty { out += "Blockers:\n" + s.blockers.map { "  - \($0)\n" }.joined() }
        if !s.nextSteps.isEmpty { out += "Next steps:\n" + s.nextSteps.map { "  - \($0)\n" }.joined() }
        if !s.activeFiles.isEmpty { out += "Files: " + s.activeFiles.joined(separator: ", ") + "\n" }
        if let last = s.actions.last { out += "Last action: \(last.kind) \(last.detail)\n" }
        return String(out.dropLast())
    }
}
