import ArgumentParser
import MemoryCore
import MemoryIndex
import MemoryModel
import MemoryStore

struct ComponentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "component",
        abstract: "The event history of one component, newest first."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The component, e.g. github-mcp-server.") var name: String
    @Option(name: .long, help: "From (ISO 8601 or a duration ago like 7d).") var since: String?
    @Option(name: .long, help: "At most this many events.") var limit: Int = AnswerLimit.componentHistory.defaultValue

    func run() throws {
        try run(json: global.json) {
            try Identifier.validateComponent(name)
            guard limit > 0 else { throw MemoryModel.ValidationError("--limit must be positive") }
            let from = try since.map { try parseTime($0, what: "--since") }
            let (_, queries) = try IndexAccess.queries(global)
            let history = queries.componentHistory(name, since: from, limit: limit)
            let index = queries.index
            if global.json {
                Output.json(history.json)
                return
            }
            // Newest first for a person reading from the top.
            let events = history.events.reversed()
            if events.isEmpty {
                let known = index.componentNames().filter { $0.contains(name) || name.contains($0) }.prefix(5)
                Output.line("no events for \(name)" + (known.isEmpty ? "" : "; did you mean \(known.joined(separator: ", "))?"))
            }
            for e in events { Output.line(TimelineText.line(e)) }
        }
    }
}
