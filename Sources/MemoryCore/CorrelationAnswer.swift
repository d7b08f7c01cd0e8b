import MemoryIndex
import MemoryModel

/// "What probably caused X?": the index's causal correlation, one answer for every front end. The JSON is
/// docs/openapi.yaml's answer to POST /memory/timeline/correlate.
public struct CorrelationAnswer: Sendable {
    public var request: CorrelationRequest
    public var result: CorrelationResult

    /// Related events, the probable cause left out (it is shown on its own).
    public var related: [ScoredEvent] {
        Array(result.related.filter { $0.event.id != result.probableCause?.event.id }.prefix(request.limit))
    }

    public var json: JSONValue {
        .object([
            ("symptom", .string(request.symptom)),
            ("timeframe", .object([("start", .string(result.onset.adding(seconds: -request.window).iso8601)),
                                   ("end", .string(result.onset.iso8601))])),
            ("onset", .string(result.onset.iso8601)),
            ("onset_event", result.onsetEvent?.json ?? .null),
            ("symptom_components", .array(result.components.map { .string($0) })),
            ("probable_cause", result.probableCause.map(CorrelationAnswer.scored) ?? .null),
            ("related_events", .array(related.map(CorrelationAnswer.scored))),
            ("confidence", .string(result.confidence.rawValue)),
            ("explanation", .string(result.explanation)),
            ("chain", .array(result.chain.map(\.json))),
            ("candidates_considered", .number(Double(result.candidatesConsidered))),
            ("index", AnswerJSON.freshness(result.freshness)),
        ])
    }

    /// An event with its score, its reasons (each a sentence to check against the timeline), the signals
    /// behind them and where it is written.
    static func scored(_ s: ScoredEvent) -> JSONValue {
        guard case var .object(pairs) = s.event.json else { return s.event.json }
        pairs.append(("score", .number(AnswerJSON.rounded(s.score))))
        pairs.append(("reasons", .array(s.signals.filter { $0.value > 0 }.map { .string($0.reason) })))
        pairs.append(("signals", .array(s.signals.map {
            .object([("name", .string($0.name)), ("value", .number(AnswerJSON.rounded($0.value))), ("reason", .string($0.reason))])
        })))
        pairs.append(("location", .string(s.location)))
        return .object(pairs)
    }
}
