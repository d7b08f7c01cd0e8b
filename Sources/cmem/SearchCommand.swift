import ArgumentParser
import MemoryCore
import MemoryIndex
import MemoryModel
import MemoryStore

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Full-text search (BM25) over events, decisions, sessions and the Markdown notes people write, with exact filters."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "What to look for.") var query: String
    @Option(name: .long, help: "decision | session | event | note (repeatable).") var kind: [String] = []
    @Option(name: .long, help: "Only documents naming this component (repeatable).") var component: [String] = []
    @Option(name: .long, help: "From (ISO 8601 or a duration ago like 7d).") var since: String?
    @Option(name: .long, help: "Until, inclusive (ISO 8601; a bare date means the end of that day).") var until: String?
    @Option(name: .long, help: "Only events from this source (repeatable).") var source: [String] = []
    @Option(name: .long, help: "At least this severity (events).") var severity: String?
    // `--type` is the event type, as in `cmem timeline`, REST and MCP; `--event-type` its older name here.
    @Option(name: [.customLong("type"), .customLong("event-type")], help: "Only this event type (repeatable).") var eventType: [String] = []
    @Option(name: .long, help: "Only this session and its decisions.") var session: String?
    @Option(name: .long, help: "Only sessions and decisions of this project.") var project: String?
    @Option(name: .long, help: "relevance | newest | oldest") var order: String = "relevance"
    @Option(name: .long, help: "At most this many results.") var limit: Int = AnswerLimit.search.defaultValue

    func run() throws {
        try run(json: global.json) {
            if let k = eventType.first(where: { DocumentKind(name: $0) != nil }) {
                throw MemoryModel.ValidationError("--type \(k) is an event type filter, as in `cmem timeline`; for the kind of document use --kind \(k)")
            }
            guard query.contains(where: { !$0.isWhitespace }) else { throw MemoryModel.ValidationError("a query is required: the words to look for") }
            for c in component { try Identifier.validateComponent(c) }
            var q = try QueryOptions.build(text: query, types: kind, components: component, since: since, until: until,
                                           sources: source, severity: severity, limit: limit, order: order)
            q.eventTypes = Set(eventType)
            q.session = session
            q.project = project
            let (_, queries) = try IndexAccess.queries(global)
            let answer = queries.search(q)
            let results = answer.results
            if global.json {
                Output.json(answer.json)
                return
            }
            if results.hits.isEmpty { Output.line("no matches for \(JSONValue.quoted(query))") }
            for hit in results.hits { Output.line(HitText.line(hit)) }
            let count = results.totalMatches.map { "\(Plural.count($0, "match", "matches")) · " } ?? ""
            Output.line(Output.dim("\(count)index at \(results.freshness.summary)"))
        }
    }
}

enum QueryOptions {
    static func build(text: String, types: [String], components: [String], since: String?, until: String?, sources: [String],
                      severity: String?, limit: Int, order: String) throws -> SearchQuery {
        guard limit > 0 else { throw MemoryModel.ValidationError("--limit must be positive") }
        var kinds = Set<DocumentKind>()
        for t in types {
            guard let k = DocumentKind(name: t) else {
                throw MemoryModel.ValidationError("--kind \(t) is not one of decision, session, event, note")
            }
            kinds.insert(k)
        }
        guard let o = SearchQuery.Order(name: order) else { throw MemoryModel.ValidationError("--order \(order) is not one of relevance, newest, oldest") }
        var q = SearchQuery(text, kinds: kinds, sources: Set(sources), components: Set(components), order: o, limit: limit)
        q.since = try since.map { try parseTime($0, what: "--since") }
        q.include(through: try until.map { try Timestamp.parse($0, what: "--until", endOfDay: true) })
        if let severity {
            guard let s = Severity(lenient: severity) else { throw MemoryModel.ValidationError("--severity \(severity) is not one of info, warning, error, critical") }
            q.severities = SearchQuery.severities(atLeast: s)
        }
        return q
    }
}

enum HitText {
    static func line(_ hit: SearchHit) -> String {
        let score = hit.score > 0 ? String(format: "%.2f ", hit.score) : ""
        return "\(Output.dim(score))\(Output.bold(hit.kind.description)) \(Output.dim(hit.timestamp.iso8601)) \(TimelineText.oneLine(hit.title)) \(Output.dim(hit.location))"
    }
}
