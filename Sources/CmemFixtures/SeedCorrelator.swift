import MemoryIndex
import MemoryModel

/// The seed project's scorer, kept as a baseline to measure the correlator against. For each event in the
/// window before *now*: recency against now (`1 / (1 + hours ago)`), plus the share of the symptom's
/// components it names (components written out in full in the symptom), plus 0.2 for a deployment or a
/// configuration change. It knows nothing of onsets, dependencies, chains or "no cause".
public struct SeedCorrelator: Sendable {
    public init() {}

    public func correlate(_ r: CorrelationRequest, in index: MemoryIndex) -> CorrelationResult {
        let now = (r.now ?? r.at ?? Timestamp.now()).milliseconds
        let window = max(60, r.window) * 1000
        let lower = " " + Self.words(r.symptom).joined(separator: " ") + " "
        let components = index.componentNames().filter { lower.contains(" " + Self.words($0).joined(separator: " ") + " ") }
        let wanted = Set(components)
        let events = index.indexedEvents(since: Timestamp(milliseconds: now - window), until: Timestamp(milliseconds: now + 1))
        var scored: [(Int, Double, [Signal])] = []
        for i in events.indices {
            let f = events[i]
            let hours = Double(now - f.timestamp.milliseconds) / 3_600_000
            var signals = [Signal(name: "recency", value: 1 / (1 + hours), reason: "\(Self.durationText(Int64(hours * 3600))) before now")]
            if !wanted.isEmpty {
                let overlap = Double(f.components.filter(wanted.contains).count) / Double(wanted.count)
                if overlap > 0 { signals.append(Signal(name: "component", value: overlap, reason: "names \(components.joined(separator: ", "))")) }
            }
            if f.type == "deployment" || f.type == "config_change" {
                signals.append(Signal(name: "change", value: 0.2, reason: f.type))
            }
            scored.append((i, signals.reduce(0) { $0 + $1.value }, signals))
        }
        scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : events[$0.0].timestamp > events[$1.0].timestamp }
        var related: [ScoredEvent] = []
        for (i, score, signals) in scored.prefix(max(1, r.limit)) {
            guard let (e, path, line) = events.record(at: i) else { continue }
            related.append(ScoredEvent(event: e, path: path, line: line, score: score, signals: signals))
        }
        return CorrelationResult(symptom: r.symptom, components: components, onset: Timestamp(milliseconds: now), onsetEvent: nil,
                                 probableCause: related.first, chain: related.first.map { [$0.event] } ?? [], related: related,
                                 confidence: .medium, explanation: related.first.map { "Highest seed score: \($0.event.id)" } ?? "No events",
                                 candidatesConsidered: scored.count, freshness: index.freshness)
    }

    /// The index tokenizer's rule (lowercased runs of ASCII letters, digits and non-ASCII bytes), so the
    /// baseline reads component names in a symptom the way the index does.
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current: [UInt8] = []
        for b in text.utf8 {
            var c = b
            if c &- 65 < 26 { c |= 0x20 }
            if c &- 97 < 26 || c &- 48 < 10 || c >= 0x80 {
                current.append(c)
            } else if !current.isEmpty {
                out.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { out.append(String(decoding: current, as: UTF8.self)) }
        return out
    }

    /// "37 min", "5 h 10 min", "2 days", as the correlator words its reasons.
    static func durationText(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        if s < 90 { return "\(s) s" }
        let minutes = (s + 30) / 60
        if minutes < 60 { return "\(minutes) min" }
        if minutes < 36 * 60 {
            let h = minutes / 60, m = minutes % 60
            return m == 0 || h >= 10 ? "\((minutes + 30) / 60) h" : "\(h) h \(m) min"
        }
        return "\((s + 43_200) / 86_400) days"
    }
}
