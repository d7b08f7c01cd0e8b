import ArgumentParser
import MemoryCore
import MemoryModel
import MemoryStore

struct DecisionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decisions",
        abstract: "What did we decide? Decisions across all sessions.",
        subcommands: [Search.self]
    )

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "search", abstract: "Search decisions (decision, rationale, alternatives).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "What the decision was about; empty lists the latest.") var query: String = ""
        @Option(name: .long, help: "Only decisions of this project.") var project: String?
        @Option(name: .long, help: "Only decisions about this component (repeatable).") var component: [String] = []
        @Option(name: .long, help: "From (ISO 8601 or a duration ago like 30d).") var since: String?
        @Option(name: .long, help: "At most this many.") var limit: Int = AnswerLimit.decisions.defaultValue

        func run() throws {
            try run(json: global.json) {
                guard limit > 0 else { throw MemoryModel.ValidationError("--limit must be positive") }
                let from = try since.map { try parseTime($0, what: "--since") }
                let (_, queries) = try IndexAccess.queries(global)
                for c in component { try Identifier.validateComponent(c) }
                let answer = queries.decisions(query, project: project, components: Set(component), since: from, limit: limit)
                if global.json {
                    Output.json(answer.json)
                    return
                }
                if answer.hits.isEmpty { Output.line(query.isEmpty ? "no decisions recorded yet" : "no decisions match \(JSONValue.quoted(query))") }
                for (d, _) in answer.hits {
                    Output.line("\(Output.bold(d.decision)) \(Output.dim(d.timestamp.day + " · " + d.id))")
                    if !d.rationale.isEmpty { Output.line("  because \(d.rationale)") }
                    if !d.alternatives.isEmpty { Output.line("  instead of: \(d.alternatives.joined(separator: "; "))") }
                    if let s = d.sessionID { Output.line(Output.dim("  session \(s)")) }
                }
            }
        }
    }
}
