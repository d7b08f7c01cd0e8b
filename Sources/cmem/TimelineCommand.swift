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
            if filter.since == nil {
                filter.limit = Int.max
                (events, warnings) = try store.timeline(filter)
                events = Array(events.suffix(limit))
            } else {
                filter.limit = limit
                (events, warnings) = try store.timeline(filter)
            }
            if global.json {
                Output.json(.object([("events", .array(events.map(\.json))), ("warnings", .array(warnings.map(\.json)))]))
            } else {
                for w in warnings { Output.warn(w.description) }
                for e in events { Output.line(TimelineText.line(e)) }
            }
        }
    }
}

extension Timestamp {
    func addingMilliseconds(_ ms: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds + ms) }
}
