import ArgumentParser
import MemoryIndex
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
        @Option(name: .long, help: "At most this many.") var limit: Int = 10

        func run() throws {
            try run(json: global.json) {
                var q = try QueryOptions.build(text: query, types: ["decision"], components: component, since: nil, until: nil,
                                               sources: [], severity: nil, limit: limit, order: query.isEmpty ? "newest" : "relevance")
                q.project = project
                let (_, index) = try IndexAccess.open(global)
                let results = index.search(q)
                if global.json {
                    Output.json(.object([("decisions", .array(results.hits.map(\.json))), ("freshness", results.freshness.json)]))
                    return
                }
                if results.hits.isEmpty { Output.line("no decisions match \(JSONValue.quoted(query))") }
                for hit in results.hits {
                    guard let d = hit.decision else { Output.line(HitText.line(hit)); continue }
                    Output.line("\(Output.bold(d.decision)) \(Output.dim(d.timestamp.day + " · " + d.id))")
                    if !d.rationale.isEmpty { Output.line("  because \(d.rationale)") }
                    if !d.alternatives.isEmpty { Output.line("  instead of: \(d.alternatives.joined(separator: "; "))") }
                    if let s = d.sessionID { Output.line(Output.dim("  session \(s) · \(hit.location)")) }
                }
            }
        }
    }
}
