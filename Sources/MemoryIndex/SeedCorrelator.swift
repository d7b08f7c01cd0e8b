import MemoryModel

/// The seed project's scorer, kept as a baseline to measure the correlator against. For each event in the
/// window before *now*: recency against now (`1 / (1 + hours ago)`), plus the share of the symptom's
/// components it names (components written out in full in the symptom), plus 0.2 for a deployment or a
/// configuration change. It knows nothing of onsets, dependencies, chains or "no cause".
public struct SeedCorrelator: Sendable {
    public init() {}

    public func correlate(_ r: CorrelationRequest, in index: MemoryIndex) -> CorrelationResult {
        let snap = index.snapshot
        let now = (r.now ?? r.at ?? Timestamp.now()).milliseconds
        let window = max(60, r.window) * 1000
        let lower = " " + Tokenizer.words(r.symptom).joined(separator: " ") + " "
        let components = snap.componentNames().filter { lower.contains(" " + Tokenizer.words($0).joined(separator: " ") + " ") }
        let wanted = Set(components)
        var scored: [(DocAddress, Double, [Signal])] = []
        for a in snap.eventsInWindow(since: now - window, until: now + 1) {
            let f = snap.facts(a)
            let hours = Double(now - f.ts) / 3_600_000
            var signals = [Signal(name: "recency", value: 1 / (1 + hours), reason: "\(durationText(Int64(hours * 3600))) before now")]
            if !wanted.isEmpty {
                let overlap = Double(f.components.filter(wanted.contains).count) / Double(wanted.count)
                if overlap > 0 { signals.append(Signal(name: "component", value: overlap, reason: "names \(components.joined(separator: ", "))")) }
            }
            if f.type == "deployment" || f.type == "config_change" {
                signals.append(Signal(name: "change", value: 0.2, reason: f.type))
            }
            scored.append((a, signals.reduce(0) { $0 + $1.value }, signals))
        }
        scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : snap.facts($0.0).ts > snap.facts($1.0).ts }
        var related: [ScoredEvent] = []
        for (a, score, signals) in scored.prefix(max(1, r.limit)) {
            guard let e = snap.event(at: a, root: index.repositoryPath) else { continue }
            let (path, line) = snap.location(a)
            related.append(ScoredEvent(event: e, path: path, line: line, score: score, signals: signals))
        }
        return CorrelationResult(symptom: r.symptom, components: components, onset: Timestamp(milliseconds: now), onsetEvent: nil,
                                 probableCause: related.first, chain: related.first.map { [$0.event] } ?? [], related: related,
                                 confidence: .medium, explanation: related.first.map { "Highest seed score: \($0.event.id)" } ?? "No events",
                                 candidatesConsidered: scored.count, freshness: index.freshness)
    }
}
