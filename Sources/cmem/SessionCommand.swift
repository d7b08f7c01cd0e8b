import ArgumentParser
import Foundation
import MemoryModel
import MemoryStore

/// Every subcommand names itself: ArgumentParser otherwise derives each name from the type's name at
/// start-up, a runtime type lookup per command, paid by every `cmem` process (hooks included).
struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Start, update and end working sessions; show where we left off.",
        subcommands: [Start.self, Decide.self, Action.self, Update.self, End.self, Current.self, Show.self]
    )
}

/// Options for commands that act on a session: an explicit --session, else the project's current one.
struct SessionTarget: ParsableArguments {
    @Option(name: .long, help: "The session (default: the current session of the project of --cwd).")
    var session: String?

    @Option(name: .long, help: "The working directory that selects the project (default: the current directory).")
    var cwd: String?

    func resolve(_ store: MemoryStore) throws -> String {
        if let session { return session }
        let scope = ProjectScope.resolve(cwd: cwd ?? FileManager.default.currentDirectoryPath, scope: store.config.projectScope)
        guard let current = try store.currentSession(project: scope) else {
            throw CommandFailure(message: "no current session for project \(scope.name) (\(scope.root)); start one with `cmem session start --task …` or pass --session ID")
        }
        return current.id
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
                let store = try global.openStore()
                let session = try store.startSession(task: task, cwd: cwd ?? FileManager.default.currentDirectoryPath)
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
                let store = try global.openStore()
                let session = try target.resolve(store)
                let d = try store.recordDecision(sessionID: session, decision: decision, rationale: rationale,
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
                try Limits.checkToken(kind, what: "kind")
                try Limits.checkText(detail, what: "detail")
                let store = try global.openStore()
                let id = try target.resolve(store)
                let now = Timestamp.now()
                let s = try store.updateSession(id: id, message: "action \(kind)", at: now) { s, _ in
                    s.actions.append(Session.Action(time: now, kind: kind, detail: detail, exitCode: exitCode))
                    if kind == "edit" || kind == "write", !s.activeFiles.contains(detail) { s.activeFiles.append(detail) }
                    if kind == "read", !s.filesRead.contains(detail), !s.activeFiles.contains(detail) { s.filesRead.append(detail) }
                }
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
                for (values, what) in [(todo, "todo"), (done, "done"), (blocker, "blocker"), (unblock, "unblock"), (next, "next step"), (file, "file")] {
                    for v in values { try Limits.checkText(v, what: what) }
                }
                if let task { try Limits.checkText(task, what: "task") }
                if let summary { try Limits.checkText(summary, what: "summary") }
                let store = try global.openStore()
                let id = try target.resolve(store)
                let s = try store.updateSession(id: id, message: "update") { s, _ in
                    if let task { s.currentTask = task }
                    if let summary { s.summary = summary }
                    for t in todo where !s.todoList.contains(where: { $0.text == t }) { s.todoList.append(.init(text: t)) }
                    for t in done {
                        if let i = s.todoList.firstIndex(where: { $0.text == t }) { s.todoList[i].status = "done" }
                        else { s.todoList.append(.init(text: t, status: "done")) }
                    }
                    for b in blocker where !s.blockers.contains(b) { s.blockers.append(b) }
                    s.blockers.removeAll { unblock.contains($0) }
                    for n in next where !s.nextSteps.contains(n) { s.nextSteps.append(n) }
                    for f in file where !s.activeFiles.contains(f) { s.activeFiles.append(f) }
                }
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
                let store = try global.openStore()
                let id = try target.resolve(store)
                let s = try store.endSession(id: id, summary: summary)
                if global.json { Output.json(s.json) } else { Output.line("ended \(s.id)") }
            }
        }
    }

    struct Current: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "current",
            abstract: "Where we left off: the project's most recent session, if active or ended within the window.",
            discussion: "Prints nothing (and exits 0) when there is none."
        )
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "The working directory that selects the project (default: the current directory).") var cwd: String?
        @Option(name: .long, help: "How recent the session must be (default from config: 24h).") var window: String?

        func run() throws {
            try run(json: global.json) {
                let store = try global.openStore()
                let scope = ProjectScope.resolve(cwd: cwd ?? FileManager.default.currentDirectoryPath, scope: store.config.projectScope)
                let secs = try window.map { try DurationText.seconds($0, what: "--window") }
                guard let s = try store.currentSession(project: scope, window: secs) else {
                    if global.json { Output.json(.null) }
                    return
                }
                if global.json {
                    var decisions: [JSONValue] = []
                    for id in s.decisions { if let d = try? store.lookupDecision(id: id) { decisions.append(d.json) } }
                    guard case var .object(pairs) = s.json else { return }
                    pairs.append(("decision_records", .array(decisions)))
                    Output.json(.object(pairs))
                } else {
                    Output.line(SessionText.render(s, store: store))
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
                let store = try global.openStore()
                let s = try store.session(id: id)
                if global.json { Output.json(s.json) } else { Output.line(SessionText.render(s, store: store)) }
            }
        }
    }
}

/// "Here's where we left off", as text for a person.
enum SessionText {
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
        if !open.isEmpty { out += "Todo:\n" + open.map { "  - [ ] \($0.text)\n" }.joined() }
        if !s.blockers.isEmpty { out += "Blockers:\n" + s.blockers.map { "  - \($0)\n" }.joined() }
        if !s.nextSteps.isEmpty { out += "Next steps:\n" + s.nextSteps.map { "  - \($0)\n" }.joined() }
        if !s.activeFiles.isEmpty { out += "Files: " + s.activeFiles.joined(separator: ", ") + "\n" }
        if let last = s.actions.last { out += "Last action: \(last.kind) \(last.detail)\n" }
        return String(out.dropLast())
    }
}
