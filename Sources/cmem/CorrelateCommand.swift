import ArgumentParser
import MemoryCore
import MemoryIndex
import MemoryModel
import MemoryStore

struct CorrelateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correlate",
        abstract: "What probably caused a symptom: the likely cause and related events, ranked, with reasons.",
        discussion: "The onset is where the symptom's episode of failures began (walking back from --at, or from the latest matching failure). Only earlier events can be causes; changes after it are shown as the response."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The symptom, e.g. \"github-mcp-server crash looping\".") var symptom: String
    @Option(name: .long, help: "When the symptom began (ISO 8601).") var at: String?
    @Option(name: .long, help: "How far back to look for causes: 24h, 7d, …") var window: String = "24h"
    @Option(name: .long, help: "At most this many related events.") var limit: Int = AnswerLimit.correlate.defaultValue

    func run() throws {
        try run(json: global.json) {
            guard !symptom.trimmingCharacters(in: .whitespaces).isEmpty else { throw MemoryModel.ValidationError("describe the symptom") }
            let seconds = try DurationText.seconds(window, what: "--window")
            guard seconds > 0 else { throw MemoryModel.ValidationError("--window must be longer than 0s") }
            guard limit > 0 else { throw MemoryModel.ValidationError("--limit must be positive") }
            let onset = try at.map { try parseTime($0, what: "--at") }
            let (_, queries) = try IndexAccess.queries(global)
            let answer = queries.correlate(CorrelationRequest(symptom, at: onset, window: seconds, limit: limit))
            let result = answer.result
            if global.json {
                Output.json(answer.json)
                return
            }
            Output.line("Symptom: \(result.symptom)" + (result.components.isEmpty ? "" : " [\(result.components.joined(separator: ", "))]"))
            Output.line("Onset: \(result.onset.iso8601)" + (result.onsetEvent.map { " (\($0.type): \(TimelineText.oneLine($0.description)))" } ?? ""))
            if let cause = result.probableCause {
                Output.line(Output.bold("Probable cause") + " (\(result.confidence.rawValue) confidence, score \(String(format: "%.2f", cause.score))):")
                Output.line("  " + TimelineText.line(cause.event))
                Output.line("  why: \(cause.summary)")
                if result.chain.count > 1 {
                    Output.line("  chain: " + result.chain.map { "\($0.type) \($0.id)" }.joined(separator: " → "))
                }
            } else {
                Output.line(Output.bold("No plausible cause found") + " (low confidence). \(result.explanation)")
            }
            let rest = answer.related
            if !rest.isEmpty {
                Output.line("Other candidates:")
                for r in rest {
                    Output.line("  \(String(format: "%.2f", r.score)) " + TimelineText.line(r.event) + Output.dim("  — \(r.summary)"))
                    for m in r.chain { Output.line(Output.dim("        ↳ \(m.type) \(m.id): \(TimelineText.oneLine(m.description))")) }
                }
            }
            if !result.response.isEmpty {
                Output.line("After the onset (the response, not causes):")
                for r in result.response { Output.line("  " + TimelineText.line(r.event) + Output.dim("  — \(r.summary)")) }
            }
            Output.line(Output.dim("\(Plural.count(result.candidatesConsidered, "event")) considered · index at \(result.freshness.summary)"))
        }
    }
}
