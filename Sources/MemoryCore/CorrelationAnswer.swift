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
            ("symptom_classes", .array(result.troubles.map { .string($0) })),
            ("probable_cause", result.probableCause.map(CorrelationAnswer.scored) ?? .null),
            ("related_events", .array(related.map(CorrelationAnswer.scored))),
            ("confidence", .string(result.confidence.rawValue)),
            ("explanation", .string(result.explanation)),
            ("chain", .array(result.chain.map(\.json))),
            ("response", .array(result.response.map(CorrelationAnswer.scored))),
            ("candidates_considered", .number(Double(result.candidatesConsidered))),
            ("index", AnswerJSON.freshness(result.freshness)),
        ])
    }

    /// An event with its score, its reasons (each a sentence to check against the timeline), the signals
    /// behind them (the score is their product), its relation to the symptom, the rest of its chain and
    /// where it is written.
    static func scored(_ s: ScoredEvent) -> JSONValue {
        guard case var .object(pairs) = s.event.json else { return s.event.json }
        // The event's fields stay at the top (as before) and are also under `event`, as the scorer reads them.
        pairs.append(("event", s.event.json))
        pairs.append(("score", .number(AnswerJSON.rounded(s.score))))
        if let relation = s.relation { pairs.append(("relation", .string(relation))) }
        pairs.append(("reasons", .array(s.signals.map { .string($0.reason) })))
        pairs.append(("chain", .array(s.chain.map(\.json))))
        pairs.append(("signals", .array(s.signals.map {
            .object([("name", .string($0.name)), ("value", .number(AnswerJSON.rounded($0.value))), ("reason", .string($0.reason))])
        })))
        pairs.append(("location", .string(s.location)))
        return .object(pairs)
    }
}
