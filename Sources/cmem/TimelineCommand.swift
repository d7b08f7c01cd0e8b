import ArgumentParser
import MemoryCore
import MemoryModel
import MemoryStore

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "List events in time order, filtered by time, type, component, source and severity."
    )
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "From (ISO 8601 or a duration ago like 24h).") var since: String?
    @Option(name: .long, help: "Until, inclusive (ISO 8601; a bare date means the end of that day).") var until: String?
    @Option(name: .long, help: "Only this type (repeatable).") var type: [String] = []
    @Option(name: .long, help: "Only events affecting this component (repeatable).") var component: [String] = []
    @Option(name: .long, help: "Only from this source (repeatable).") var source: [String] = []
    @Option(name: .long, help: "At least this severity.") var severity: String?
    @Option(name: .long, help: "Only events containing these words.") var query: String?
    @Option(name: .long, help: "At most this many events (the latest ones without --since).") var limit: Int = AnswerLimit.timeline.defaultValue
    @Flag(name: .long, help: "Read the range's day files back from git history, where retention rolled them into summaries (needs --since).")
    var fromHistory = false

    func run() throws {
        try run(json: global.json) {
            guard limit > 0 else { throw MemoryModel.ValidationError("--limit must be positive") }
            var request = TimelineRequest(since: try since.map { try Timestamp.parse($0, what: "--since") },
                                          until: try until.map { try Timestamp.parse($0, what: "--until", endOfDay: true) }, limit: limit)
            request.types = Set(type)
            for c in component { try Identifier.validateComponent(c) }
            request.components = Set(component)
            request.sources = Set(source)
            request.text = query ?? ""
            if let severity {
                guard let s = Severity(lenient: severity) else { throw MemoryModel.ValidationError("--severity \(severity) is not one of info, warning, error, critical") }
                request.minSeverity = s
            }
            if fromHistory { return try readFromHistory(request) }
            let (_, queries) = try IndexAccess.queries(global)
            let answer = queries.timeline(request)
            if global.json {
                Output.json(answer.json)
                return
            }
            for e in answer.events { Output.line(TimelineText.line(e)) }
            if answer.truncated {
                Output.line(Output.dim("(more events match: --limit, --since or --until)"))
            }
            for m in answer.summarised {
                let commits = m.detail.map { String($0.prefix(7)) }
                Output.line(Output.dim("(\(m.month) is summarised in \(m.path): \(m.events) events, of which only deployments, config changes, "
                    + "incidents, errors and critical events are listed here; every event is in \(commits.joined(separator: ", ")): --from-history)"))
            }
            for m in answer.archived {
                Output.line(Output.dim("(\(m.month) was archived by retention: none of its events are in the working tree; "
                    + "they are in commit \(m.detail.prefix(7)): --from-history)"))
            }
        }
    }

    /// The range's day files as they were before retention rolled them up, read from git history.
    private func readFromHistory(_ request: TimelineRequest) throws {
        let found = try global.openMemory().historicalTimeline(request)
        if global.json {
            Output.json(found.json)
        } else {
            for w in found.warnings { Output.warn(w.description) }
            for e in found.events { Output.line(TimelineText.line(e)) }
            let commits = Set(found.days.map { String($0.commit.prefix(7)) }).sorted()
            Output.line(Output.dim("(\(found.days.count) day files read from history: \(commits.joined(separator: ", ")))"))
        }
    }
}

