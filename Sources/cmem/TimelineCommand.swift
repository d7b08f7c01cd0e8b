import ArgumentParser
import MemoryModel
import MemoryStore

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "List events in time order, filtered by time, type, component, source and severity."
    )
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "From (ISO 8601 or a duration ago like 24h).") var since: String?
    @Option(name: .long, help: "Until (ISO 8601; a bare date means the end of that day).") var until: String?
    @Option(name: .long, help: "Only this type (repeatable).") var type: [String] = []
    @Option(name: .long, help: "Only events affecting this component (repeatable).") var component: [String] = []
    @Option(name: .long, help: "Only from this source (repeatable).") var source: [String] = []
    @Option(name: .long, help: "At least this severity.") var severity: String?
    @Option(name: .long, help: "At most this many events (the latest ones without --since).") var limit: Int = 100
    @Flag(name: .long, help: "Read the range's day files back from git history, where retention rolled them into summaries (needs --since).")
    var fromHistory = false

    func run() throws {
        try run(json: global.json) {
            guard limit > 0 else { throw MemoryModel.ValidationError("--limit must be positive") }
            var filter = MemoryStore.TimelineFilter()
            filter.since = try since.map { try parseTime($0, what: "--since") }
            if let until {
                let t = try parseTime(until, what: "--until")
                // A bare date means the whole of that day.
                filter.until = until.count == 10 ? t.adding(seconds: 86400).adding(seconds: 0).addingMilliseconds(-1) : t
            }
            filter.types = Set(type)
            filter.components = Set(component)
            filter.sources = Set(source)
            if let severity {
                guard let s = Severity(lenient: severity) else { throw MemoryModel.ValidationError("--severity \(severity) is not one of info, warning, error, critical") }
                filter.minSeverity = s
            }
            let store = try global.openStore()
            var events: [TimelineEvent]
            var warnings: [NoteError]
            if fromHistory {
                guard filter.since != nil else { throw MemoryModel.ValidationError("--from-history needs --since") }
                filter.limit = limit
                let found = try store.historicalTimeline(filter)
                if global.json {
                    Output.json(.object([
                        ("events", .array(found.events.map(\.json))), ("warnings", .array(found.warnings.map(\.json))),
                        ("from_history", .array(found.days.map { .object([("day", .string($0.day)), ("path", .string($0.path)), ("commit", .string($0.commit))]) })),
                    ]))
                } else {
                    for w in found.warnings { Output.warn(w.description) }
                    for e in found.events { Output.line(TimelineText.line(e)) }
                    let commits = Set(found.days.map { String($0.commit.prefix(7)) }).sorted()
                    Output.line(Output.dim("(\(found.days.count) day files read from history: \(commits.joined(separator: ", ")))"))
                }
                return
            }
            // Months retention rolled up answer from their summaries: say so, and where the detail is.
            let summarised = store.summaries(from: filter.since, to: filter.until)
            if filter.since == nil {
                filter.limit = Int.max
                (events, warnings) = try store.timeline(filter)
                events = Array(events.suffix(limit))
            } else {
                filter.limit = limit
                (events, warnings) = try store.timeline(filter)
            }
            if global.json {
                Output.json(.object([("events", .array(events.map(\.json))), ("warnings", .array(warnings.map(\.json))),
                                     ("summarised", .array(summarised.map { note in
                                         .object([("month", .string(note.summary.month)), ("summary", .string(note.path)),
                                                  ("events", .number(Double(note.summary.events))),
                                                  ("detail", .array(Array(Set(note.summary.days.map(\.detail))).sorted().map(JSONValue.string)))])
                                     }))]))
            } else {
                for w in warnings { Output.warn(w.description) }
                for e in events { Output.line(TimelineText.line(e)) }
                for note in summarised {
                    let commits = Set(note.summary.days.map { String($0.detail.prefix(7)) }).sorted()
                    Output.line(Output.dim("(\(note.summary.month) is summarised in \(note.path): \(note.summary.events) events, of which only "
                        + "incidents, errors and critical events are listed here; every event is in \(commits.joined(separator: ", ")): --from-history)"))
                }
            }
        }
    }
}

extension Timestamp {
    func addingMilliseconds(_ ms: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds + ms) }
}
