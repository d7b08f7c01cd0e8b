import ArgumentParser
import Foundation
import MemoryCore
import MemoryModel
import MemoryStore

struct EventCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Record a timeline event, or show one with its causes and effects.",
        subcommands: [Record.self, Show.self]
    )
}

extension EventCommand {
    struct Record: ParsableCommand {
        // Named explicitly: a derived name costs a reflection pass over the whole binary at start-up.
        static let configuration = CommandConfiguration(commandName: "record", abstract: "Record an event in its day's timeline; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "deployment, config_change, git_commit, pod_restart, scaling, health_change, incident, …") var type: String?
        @Option(name: .long, help: "Where it came from: argocd, k8s, github, manual, …") var source: String = Request.defaultSource
        @Option(name: .long, help: "An affected component (repeatable).") var component: [String] = []
        @Option(name: .long, help: "info | warning | error | critical") var severity: String = Request.defaultSeverity
        @Option(name: .long, help: "What happened.") var description: String?
        @Option(name: .long, help: "Details as a JSON object, e.g. '{\"sha\":\"abc123\"}'.") var details: String?
        @Option(name: .long, help: "The id of the event that caused this one.") var causedBy: String?
        @Option(name: .long, help: "When it happened (ISO 8601; default now).") var time: String?
        @Option(name: .long, help: "Use this id instead of a new one (recording the same id twice adds nothing).") var id: String?

        @Option(name: .long, help: ArgumentHelp(
            "A JSON payload as KEDA, the layer activator, an agent or Phoenix sends it (docs/SOURCES.md); - reads stdin.",
            valueName: "file"))
        var from: String?

        func validate() throws {
            if from != nil {
                if type != nil || description != nil || !component.isEmpty || details != nil {
                    throw ArgumentParser.ValidationError("--from takes everything from the payload; leave out --type, --description, --component and --details")
                }
            } else if type == nil || description == nil {
                throw ArgumentParser.ValidationError("give --type and --description, or --from with a source payload")
            }
        }

        func run() throws {
            if let from {
                try Self.recordPayload(from, repo: global.repo, json: global.json)
                return
            }
            guard let type, let description else { return }
            try Self.record(Request(repo: global.repo, json: global.json, type: type, source: source, components: component,
                                    severity: severity, description: description, details: details, causedBy: causedBy,
                                    time: time, id: id))
        }

        /// A source's payload (or a generic event in the REST shape) from a file or stdin, mapped by the core's
        /// `SourceEvents` exactly as `POST /memory/timeline/events` maps it.
        static func recordPayload(_ path: String, repo: String?, json: Bool) throws {
            try reportingErrors(json: json) {
                let data: Data
                if path == "-" {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    guard let d = FileManager.default.contents(atPath: path) else {
                        throw MemoryModel.ValidationError("--from \(path): no such file, or it cannot be read")
                    }
                    data = d
                }
                guard data.count <= 1 << 20 else { throw MemoryModel.ValidationError("--from \(path) is over 1 MiB") }
                let payload: JSONValue
                do { payload = try JSONValue.parse(String(decoding: data, as: UTF8.self), maxDepth: 32) } catch {
                    throw MemoryModel.ValidationError("--from \(path) is not valid JSON: \(error)")
                }
                let events: [TimelineEvent]
                do { events = try SourceEvents.events(payload) } catch let e as MemoryModel.ValidationError {
                    throw MemoryModel.ValidationError("--from \(path): \(e.message)")
                }
                let writes = events.isEmpty ? [] : try GlobalOptions.openStore(repo: repo).recordEvents(events)
                if json {
                    Output.json(RecordedEvents(writes: writes, ignored: events.isEmpty ? RecordedEvents.nothingWorthKeeping : nil).json)
                } else if writes.isEmpty {
                    Output.line("nothing recorded: the payload reports nothing worth keeping")
                } else {
                    for w in writes { Output.line(w.event.id) }
                }
            }
        }

        /// The command's arguments as plain values, so that FastPath can run it without ArgumentParser.
        struct Request {
            static let defaultSource = "manual"
            static let defaultSeverity = "info"
            var repo: String?
            var json = false
            var type: String
            var source = defaultSource
            var components: [String] = []
            var severity = defaultSeverity
            var description: String
            var details: String?
            var causedBy: String?
            var time: String?
            var id: String?
        }

        static func record(_ r: Request) throws {
            try reportingErrors(json: r.json) {
                guard let sev = Severity(lenient: r.severity) else {
                    throw MemoryModel.ValidationError("--severity \(r.severity) is not one of info, warning, error, critical")
                }
                let when = try r.time.map { try parseTime($0, what: "--time") } ?? .now()
                var detailValue = JSONValue.object([])
                if let details = r.details {
                    do { detailValue = try JSONValue.parse(details, maxDepth: 32) } catch {
                        throw MemoryModel.ValidationError("--details is not valid JSON: \(error)")
                    }
                }
                let event = TimelineEvent(id: r.id ?? Identifier.make(.event, at: when), timestamp: when, type: r.type, source: r.source,
                                          description: r.description, details: detailValue, causedBy: r.causedBy,
                                          components: r.components, severity: sev)
                let store = try GlobalOptions.openStore(repo: r.repo)
                let result = try store.recordEvents([event])
                if r.json {
                    Output.json(RecordedEvents(writes: result).json)
                } else {
                    Output.line(event.id)
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an event with the event that caused it and the events it caused.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The event id.") var id: String

        func run() throws {
            try run(json: global.json) {
                try Identifier.validate(id, what: "event id")
                let (_, queries) = try IndexAccess.queries(global)
                guard let detail = queries.event(id: id) else { throw StoreError.notFound(kind: "event", id: id) }
                let (event, cause, caused) = (detail.event, detail.causedBy, detail.caused)
                if global.json {
                    Output.json(detail.json)
                } else {
                    Output.line(TimelineText.line(event))
                    if let d = event.details.isEmptyObject ? nil : event.details { Output.line("  details: \(d.json)") }
                    if let cause { Output.line("  caused by: " + TimelineText.line(cause)) }
                    else if let c = event.causedBy { Output.line("  caused by: \(c) (not found)") }
                    for e in caused { Output.line("  caused: " + TimelineText.line(e)) }
                }
            }
        }
    }
}

enum TimelineText {
    static func line(_ e: TimelineEvent) -> String {
        let comps = e.components.isEmpty ? "" : " [" + e.components.joined(separator: ", ") + "]"
        return "\(Output.dim(e.timestamp.iso8601)) \(Output.severity(e.severity)) \(Output.bold(e.type))\(comps) \(oneLine(e.description)) \(Output.dim(e.id))"
    }

    static func oneLine(_ s: String) -> String {
        String(s.map { $0.isNewline ? " " : $0 })
    }
}
