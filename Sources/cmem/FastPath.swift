import ArgumentParser
import ClaudeHooks
import Foundation

/// The commands that run most often, parsed without ArgumentParser: `event record` (the collector, git
/// hooks and scripts) and the Claude Code hooks (every tool call). ArgumentParser builds the argument set
/// of every command by reflection on each start, 2 to 3 ms of a 15 ms budget, before a byte is written.
///
/// Only the plain case is taken here: known long options, each once (unless repeatable), with values that
/// do not start with `-`. Anything else, such as `--help`, a short flag, a missing or dash-led value, an
/// unknown option or a positional argument, leaves the command to ArgumentParser, which parses and
/// reports exactly as before. So this path can only ever accept what ArgumentParser would accept the same
/// way; CLITests run the same command lines both ways and compare what was written.
enum FastPath {
    /// Set in the environment to send every command through ArgumentParser (the tests compare the two).
    static let disableVariable = "CMEM_ARGUMENT_PARSER"

    /// Runs the command and exits when it is one of the hot commands in its plain form; returns otherwise.
    static func runIfPlain(_ arguments: [String]) {
        guard arguments.count >= 3, getenv(disableVariable) == nil else { return }
        let rest = arguments[3...]
        switch (arguments[1], arguments[2]) {
        case ("event", "record"):
            guard let request = recordRequest(rest) else { return }
            finish { try EventCommand.Record.record(request) }
        case ("hook", let name):
            guard let event = HookEvent(rawValue: name) else { return }
            let budgeted = [HookEvent.sessionStart, .preCompact, .sessionEnd].contains(event)
            guard let options = LongOptions(rest, values: budgeted ? ["repo", "budget"] : ["repo"], flags: ["json"])
            else { return }
            var budget: Int?
            if let text = options.value("budget") {
                guard let n = Int(text) else { return }
                budget = n
            }
            finish { runClaudeHook(event, repo: options.value("repo"), budget: budget) }
        default:
            return
        }
    }

    static func recordRequest(_ arguments: ArraySlice<String>) -> EventCommand.Record.Request? {
        guard let o = LongOptions(arguments,
                                  values: ["repo", "type", "source", "component", "severity", "description", "details",
                                           "caused-by", "time", "id"],
                                  repeatable: ["component"], flags: ["json"]),
              let type = o.value("type"), let description = o.value("description") else { return nil }
        var r = EventCommand.Record.Request(type: type, description: description)
        r.repo = o.value("repo")
        r.json = o.flags.contains("json")
        r.source = o.value("source") ?? r.source
        r.components = o.all("component")
        r.severity = o.value("severity") ?? r.severity
        r.details = o.value("details")
        r.causedBy = o.value("caused-by")
        r.time = o.value("time")
        r.id = o.value("id")
        return r
    }

    /// Runs the command and exits with its status, as ArgumentParser's `exit(withError:)` would.
    private static func finish(_ body: () throws -> Void) -> Never {
        // Only when logging was asked for: the hooks run with a silent logger of their own, and setting up
        // cmem's costs more than this path saves.
        if environment("CMEM_LOG_LEVEL") != nil { Log.logger.trace("arguments parsed by FastPath") }
        do {
            try body()
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            FileHandle.standardError.write(Data("cmem: error: \(error)\n".utf8))
            exit(1)
        }
        exit(0)
    }
}

/// `--name value`, `--name=value` and `--flag`, for the names given and nothing else.
struct LongOptions {
    /// In the order given. (Arrays, not a dictionary or sets: a handful of names, and the first use of
    /// each generic collection type costs a conformance search of the whole binary, more than the parse.)
    private var values: [(name: String, value: String)] = []
    private(set) var flags: [String] = []

    /// Nil when the arguments hold anything else, a name twice (unless repeatable), or a value that is
    /// empty or starts with `-`: those are ArgumentParser's to judge.
    init?(_ arguments: ArraySlice<String>, values valueNames: [String], repeatable: [String] = [], flags flagNames: [String]) {
        var i = arguments.startIndex
        while i < arguments.endIndex {
            let argument = arguments[i]
            i += 1
            guard argument.hasPrefix("--"), argument.count > 2 else { return nil }
            let body = argument.dropFirst(2)
            let name: String
            var value: String?
            if let eq = body.firstIndex(of: "=") {
                name = String(body[..<eq])
                value = String(body[body.index(after: eq)...])
            } else {
                name = String(body)
            }
            if flagNames.contains(name) {
                guard value == nil, !flags.contains(name) else { return nil }
                flags.append(name)
                continue
            }
            guard valueNames.contains(name), repeatable.contains(name) || !values.contains(where: { $0.name == name }) else { return nil }
            if value == nil {
                guard i < arguments.endIndex else { return nil }
                value = arguments[i]
                i += 1
            }
            guard let v = value, let first = v.first, first != "-" else { return nil }
            values.append((name, v))
        }
    }

    func value(_ name: String) -> String? { values.last { $0.name == name }?.value }

    func all(_ name: String) -> [String] { values.filter { $0.name == name }.map(\.value) }
}
