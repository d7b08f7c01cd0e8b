import Foundation
import MemoryIndex
import MemoryModel
import MemoryStore

/// Search, decisions and correlation: answered from the `MemoryIndex` (BM25, causal correlation) once it
/// is open, and by reading the notes until then.
extension MemoryService {
    public struct SearchHit: Sendable {
        public var kind: String
        public var id: String
        public var score: Double
        public var title: String
        public var timestamp: Timestamp
        public var record: JSONValue
    }

    /// Terms of a query or a text: lowercase words of letters and digits, plus hyphenated names whole.
    static func terms(_ text: String) -> [String] {
        var out: [String] = []
        for word in text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) {
            let w = word.trimmingCharacters(in: CharacterSet(charactersIn: "-_."))
            guard !w.isEmpty else { continue }
            out.append(w)
            if w.contains(where: { $0 == "-" || $0 == "_" || $0 == "." }) {
                out += w.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." }).map(String.init)
            }
        }
        return out
    }

    /// How well `text` matches every query term: 0 when a term is missing, else more for more occurrences.
    static func score(_ terms: [String], in text: String) -> Double {
        let hay = text.lowercased()
        var total = 0.0
        for t in Set(terms) {
            var n = 0
            var range = hay.startIndex..<hay.endIndex
            while let r = hay.range(of: t, range: range) {
                n += 1
                range = r.upperBound..<hay.endIndex
                if n >= 10 { break }
            }
            if n == 0 { return 0 }
            total += 1 + log(Double(n))
        }
        return total
    }

    func noteIDs(_ top: String) -> [String] {
        let fm = FileManager.default
        var ids: [String] = []
        let root = store.root + "/" + top
        for year in ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted() where year.count == 4 {
            for month in ((try? fm.contentsOfDirectory(atPath: "\(root)/\(year)")) ?? []).sorted() where month.count == 2 {
                for name in ((try? fm.contentsOfDirectory(atPath: "\(root)/\(year)/\(month)")) ?? []) where name.hasSuffix(".md") {
                    let id = String(name.dropLast(3))
                    if Identifier.isSafeName(id, maxLength: 128) { ids.append(id) }
                }
            }
        }
        return ids
    }

    public nonisolated func searchDecisions(_ query: String, limit: Int) async throws -> [(Decision, Double)] {
        guard let index = index.current() else { return try await scanDecisions(query, limit: limit) }
        let q = SearchQuery(query, kinds: [.decision], order: query.isEmpty ? .newestFirst : .relevance, limit: limit)
        return index.search(q).hits.compactMap { h in h.decision.map { ($0, h.score) } }
    }

    public nonisolated func search(_ query: String, kinds: Set<String>, limit: Int) async throws -> [SearchHit] {
        guard let index = index.current() else { return try await scanSearch(query, kinds: kinds, limit: limit) }
        let q = SearchQuery(query, kinds: Set(kinds.compactMap(DocumentKind.init(name:))), order: .relevance, limit: limit)
        return index.search(q).hits.compactMap { h in
            let record: JSONValue
            if let e = h.event { record = e.json } else if let d = h.decision { record = d.json } else if let s = h.session { record = s.json } else { return nil }
            return SearchHit(kind: h.kind.description, id: h.id, score: (h.score * 1000).rounded() / 1000, title: h.title,
                             timestamp: h.timestamp, record: record)
        }
    }

    func scanDecisions(_ query: String, limit: Int) throws -> [(Decision, Double)] {
        let terms = MemoryService.terms(query)
        var hits: [(Decision, Double)] = []
        for id in noteIDs("decisions") {
            guard let d = try? store.decision(id: id) else { continue }
            let text = ([d.decision, d.decision, d.rationale, d.context, d.consequences] + d.alternatives + d.components).joined(separator: "\n")
            let s = terms.isEmpty ? 1 : MemoryService.score(terms, in: text)
            if s > 0 { hits.append((d, s)) }
        }
        hits.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.timestamp > $1.0.timestamp }
        return Array(hits.prefix(limit))
    }

    /// Decisions, sessions and events matching every term, best first. Events are read from the last
    /// `eventDays` days only.
    func scanSearch(_ query: String, kinds: Set<String>, limit: Int, eventDays: Int64 = 90) throws -> [SearchHit] {
        let terms = MemoryService.terms(query)
        guard !terms.isEmpty else { return [] }
        var hits: [SearchHit] = []
        if kinds.isEmpty || kinds.contains("decision") {
            for (d, s) in try scanDecisions(query, limit: Int.max) {
                hits.append(SearchHit(kind: "decision", id: d.id, score: s, title: d.decision, timestamp: d.timestamp, record: d.json))
            }
        }
        if kinds.isEmpty || kinds.contains("session") {
            for id in noteIDs("sessions") {
                guard let s = try? store.session(id: id) else { continue }
                let text = ([s.currentTask, s.currentTask, s.summary] + s.blockers + s.nextSteps + s.todoList.map(\.text) + s.activeFiles)
                    .joined(separator: "\n")
                let score = MemoryService.score(terms, in: text)
                if score > 0 {
                    hits.append(SearchHit(kind: "session", id: s.id, score: score, title: s.currentTask, timestamp: s.startedAt, record: s.json))
                }
            }
        }
        if kinds.isEmpty || kinds.contains("event") {
            var f = MemoryStore.TimelineFilter()
            f.since = Timestamp.now().adding(seconds: -eventDays * 86400)
            f.limit = Int.max
            for e in try store.timeline(f).events {
                let text = "\(e.description)\n\(e.description)\n\(e.type)\n\(e.components.joined(separator: " "))\n\(e.details.json)"
                let score = MemoryService.score(terms, in: text)
                if score > 0 {
                    hits.append(SearchHit(kind: "event", id: e.id, score: score, title: e.description, timestamp: e.timestamp, record: e.json))
                }
            }
        }
        hits.sort { $0.score != $1.score ? $0.score > $1.score : $0.timestamp > $1.timestamp }
        return Array(hits.prefix(limit))
    }

    // MARK: Correlation

    public struct Correlation: Sendable {
        public var probableCause: (event: TimelineEvent, score: Double, reasons: [String])?
        public var related: [(event: TimelineEvent, score: Double, reasons: [String])]
        public var start: Timestamp
        public var end: Timestamp
        public var symptomComponents: [String]
        /// From the index: how sure, in words, and the causal chain behind the cause (root first).
        public var confidence: String?
        public var explanation: String?
        public var chain: [TimelineEvent] = []
    }

    /// The probable cause of a symptom. `end` is when the symptom started (nil: the index finds the
    /// onset from the latest episode of incidents; the scan uses now).
    public nonisolated func correlate(symptom: String, timeframe requested: Int64, end: Timestamp?, components: [String], limit: Int) async throws -> Correlation {
        // Longer than ten years means "everything": the memory does not go back further.
        let timeframe = min(max(requested, 1), 10 * 366 * 86400)
        guard let index = index.current() else {
            return try await scanCorrelate(symptom: symptom, timeframe: timeframe, end: end ?? .now(), components: components, limit: limit)
        }
        let text = components.isEmpty ? symptom : symptom + " " + components.joined(separator: " ")
        let r = index.correlate(CorrelationRequest(text, at: end, window: timeframe, limit: limit + 1))
        func scored(_ s: ScoredEvent) -> (event: TimelineEvent, score: Double, reasons: [String]) {
            (s.event, (s.score * 1000).rounded() / 1000, s.signals.filter { $0.value > 0 }.map(\.reason))
        }
        let cause = r.probableCause.map(scored)
        let related = r.related.filter { $0.event.id != cause?.event.id }.prefix(limit).map(scored)
        return Correlation(probableCause: cause, related: Array(related), start: r.onset.adding(seconds: -timeframe), end: r.onset,
                           symptomComponents: r.components, confidence: r.confidence.rawValue, explanation: r.explanation, chain: r.chain)
    }

    /// Event types that change something, and so can cause a symptom.
    static let changeTypes: Set<String> = [
        "deployment", "config_change", "git_commit", "merge", "scale", "scaling", "rollback", "infrastructure_change",
        "sync", "upgrade", "release", "migration", "secret_rotation", "restart",
    ]

    /// The probable cause of a symptom within `timeframe` seconds before `end`: events are scored by time
    /// proximity, overlap with the components the symptom names, words in common, severity, and whether
    /// they changed something (a deployment, a commit, a config change).
    func scanCorrelate(symptom: String, timeframe: Int64, end: Timestamp, components: [String], limit: Int) throws -> Correlation {
        let start = end.adding(seconds: -timeframe)
        var f = MemoryStore.TimelineFilter()
        f.since = start
        f.until = end
        f.limit = Int.max
        let events = try store.timeline(f).events
        let lower = symptom.lowercased()
        let terms = Set(MemoryService.terms(symptom).filter { $0.count >= 3 })
        var named = Set(components)
        for e in events {
            for c in e.components where !named.contains(c) {
                let lc = c.lowercased()
                if lower.contains(lc) || terms.contains(where: { $0.count >= 4 && $0.contains("-") && lc.hasPrefix($0) }) {
                    named.insert(c)
                }
            }
        }
        let window = Double(max(timeframe, 1) * 1000)
        var scored: [(event: TimelineEvent, score: Double, reasons: [String])] = []
        for e in events {
            var score = 0.0
            var reasons: [String] = []
            let age = Double(end.milliseconds - e.timestamp.milliseconds)
            score += max(0, 1 - age / window) * 0.5
            let overlap = e.components.filter(named.contains)
            if !overlap.isEmpty {
                score += 1.0
                reasons.append("affects \(overlap.joined(separator: ", "))")
            }
            if MemoryService.changeTypes.contains(e.type) {
                score += 0.3
                reasons.append("is a \(e.type)")
            }
            let words = Set(MemoryService.terms(e.description))
            let common = terms.intersection(words).count
            if common > 0 {
                score += 0.2 * Double(min(common, 3))
                reasons.append("mentions \(common) word\(common == 1 ? "" : "s") of the symptom")
            }
            if e.severity >= .error { score += 0.1 }
            if overlap.isEmpty && common == 0 && !named.isEmpty { score *= 0.25 }
            if score > 0.05 { scored.append((e, (score * 1000).rounded() / 1000, reasons)) }
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.event.timestamp > $1.event.timestamp }
        // The cause is a change; among changes that touch the symptom's components, the best scored.
        let cause = scored.first { MemoryService.changeTypes.contains($0.event.type) && (named.isEmpty || $0.event.components.contains(where: named.contains)) }
            ?? scored.first { MemoryService.changeTypes.contains($0.event.type) }
        let related = scored.filter { $0.event.id != cause?.event.id }.prefix(limit)
        return Correlation(probableCause: cause, related: Array(related), start: start, end: end, symptomComponents: named.sorted())
    }
}
