import MemoryModel

/// "What caused this?": a symptom in words, optionally when it started.
public struct CorrelationRequest: Sendable, Equatable {
    public var symptom: String
    /// When the symptom started. Without it, the onset is the first event of the latest matching episode
    /// of incidents, health changes, restarts or anomalies.
    public var at: Timestamp?
    /// How far before the onset to look for causes, in seconds.
    public var window: Int64
    public var limit: Int
    /// The present, for finding the latest episode (default: the wall clock). Tests and scenarios set it.
    public var now: Timestamp?

    public init(_ symptom: String, at: Timestamp? = nil, window: Int64 = 86_400, limit: Int = 10, now: Timestamp? = nil) {
        self.symptom = symptom
        self.at = at
        self.window = window
        self.limit = limit
        self.now = now
    }
}

/// One piece of evidence, with a reason a person can check.
public struct Signal: Sendable, Equatable {
    public var name: String
    /// The signal's contribution to the score.
    public var value: Double
    public var reason: String

    public init(name: String, value: Double, reason: String) {
        self.name = name
        self.value = value
        self.reason = reason
    }
}

/// An event ranked as a possible cause, with its score and the signals that make it up.
public struct ScoredEvent: Sendable {
    public var event: TimelineEvent
    public var path: String
    public var line: Int
    public var score: Double
    /// The score is the product of these values (relation × prior × time × evidence).
    public var signals: [Signal]
    /// The rest of this candidate's chain, oldest first: the deploy that shipped a commit, the failures
    /// of what a change touched. The event itself is the chain's root.
    public var chain: [TimelineEvent]
    /// How the event relates to the symptom: itself, named, dependency, infrastructure, host, mentions,
    /// word, namespace, dependent, sibling, unrelated.
    public var relation: String?

    public init(event: TimelineEvent, path: String, line: Int, score: Double, signals: [Signal], chain: [TimelineEvent] = [],
                relation: String? = nil) {
        self.event = event
        self.path = path
        self.line = line
        self.score = score
        self.signals = signals
        self.chain = chain
        self.relation = relation
    }

    /// "deployment of github-mcp-server 37 min before onset; same component; changed image"
    public var summary: String { signals.map(\.reason).joined(separator: "; ") }
    public var location: String { "\(path):\(line)" }
}

public struct CorrelationResult: Sendable {
    public enum Confidence: String, Sendable, Comparable {
        case low, medium, high
        var rank: Int { self == .low ? 0 : self == .medium ? 1 : 2 }
        public static func < (a: Confidence, b: Confidence) -> Bool { a.rank < b.rank }
    }

    public var symptom: String
    /// The components the symptom is about (matched from its words, and from the symptom events).
    public var components: [String]
    public var onset: Timestamp
    /// The event the onset was taken from, when it was not given.
    public var onsetEvent: TimelineEvent?
    /// nil when nothing plausible exists: better no answer than noise.
    public var probableCause: ScoredEvent?
    /// The causal chain behind the probable cause, root first (the commit, then its deployment).
    public var chain: [TimelineEvent]
    /// Every ranked event, best first (the probable cause, when there is one, comes first).
    public var related: [ScoredEvent]
    public var confidence: Confidence
    public var explanation: String
    /// How many events before the onset were considered.
    public var candidatesConsidered: Int
    public var freshness: Freshness
    /// Changes to what the symptom involves after the onset: the response (a rollback, a fix), never a cause.
    public var response: [ScoredEvent]
    /// The symptom's classes of trouble, as read from its words and its events ("crash", "imagePull").
    public var troubles: [String]

    public init(symptom: String, components: [String], onset: Timestamp, onsetEvent: TimelineEvent?, probableCause: ScoredEvent?,
                chain: [TimelineEvent], related: [ScoredEvent], confidence: Confidence, explanation: String,
                candidatesConsidered: Int, freshness: Freshness, response: [ScoredEvent] = [], troubles: [String] = []) {
        self.response = response
        self.troubles = troubles
        self.symptom = symptom
        self.components = components
        self.onset = onset
        self.onsetEvent = onsetEvent
        self.probableCause = probableCause
        self.chain = chain
        self.related = related
        self.confidence = confidence
        self.explanation = explanation
        self.candidatesConsidered = candidatesConsidered
        self.freshness = freshness
    }
}

extension MemoryIndex {
    /// Finds the probable cause of a symptom and the related events, ranked, with reasons.
    public func correlate(_ request: CorrelationRequest) -> CorrelationResult {
        CausalCorrelator().correlate(request, in: self)
    }
}

/// What an event type says about causes, worked out once per type name.
struct TypeInfo {
    /// A symptom (an effect): incidents, health changes, restarts, anomalies, alerts.
    var isSymptom: Bool
    /// How likely an event of this type is to be a cause: changes are, symptoms are not.
    var prior: Double
    /// Which member of a chain to report: the change's content (commit, config) before its rollout.
    var rootRank: Int

    init(_ type: String) {
        let t = Array(type.lowercased().utf8)
        func has(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard w.count <= t.count else { return false }
            for i in 0...(t.count - w.count) where t[i..<(i + w.count)].elementsEqual(w) { return true }
            return false
        }
        isSymptom = ["incident", "health", "restart", "anomaly", "alert", "crash", "error", "outage", "oom", "fail", "degrad"].contains(where: has)
        if isSymptom {
            prior = 0
        } else if ["deploy", "rollout", "rollback", "release", "config", "flag", "migration", "secret", "upgrade"].contains(where: has) {
            prior = 1
        } else if has("commit") || has("merge") || has("pull_request") {
            prior = 0.6
        } else if has("scal") {
            prior = 0.35
        } else {
            prior = 0.2
        }
        if has("commit") || has("config") || has("merge") || has("flag") { rootRank = 3 }
        else if prior >= 1 { rootRank = 2 }
        else if prior > 0 { rootRank = 1 }
        else { rootRank = 0 }
    }
}

/// Event types that are symptoms (effects) rather than changes.
func isSymptomType(_ type: String) -> Bool { TypeInfo(type).isSymptom }


/// The columns of one event, read once for scoring.
struct EventFacts {
    var address: DocAddress
    var ts: Int64
    var type: String
    var info: TypeInfo
    var components: [String]
    var namespace: String?
    var shas: [UInt32]
    var idHash: UInt64
    var causedBy: UInt64
    /// The severity code (0 info … 3 critical).
    var severity: UInt8
}

/// Strings of the snapshot's segments, made once per id: a correlation reads the same few types,
/// components and namespaces thousands of times.
final class FactReader {
    let snap: Snapshot
    private var strings: [[UInt32: String]]
    private var types: [String: TypeInfo] = [:]

    init(_ snap: Snapshot) {
        self.snap = snap
        strings = Array(repeating: [:], count: snap.segments.count)
    }

    func string(_ s: Int, _ id: UInt32) -> String {
        if let v = strings[s][id] { return v }
        let v = snap.segments[s].string(id)
        strings[s][id] = v
        return v
    }

    func info(_ type: String) -> TypeInfo {
        if let t = types[type] { return t }
        let t = TypeInfo(type)
        types[type] = t
        return t
    }

    func facts(_ a: DocAddress) -> EventFacts {
        let seg = snap.segments[a.segment]
        let d = a.doc
        let ns = seg.group[d]
        let type = string(a.segment, seg.type[d])
        return EventFacts(address: a, ts: seg.ts[d], type: type, info: info(type),
                          components: seg.componentRange(d).map { string(a.segment, seg.components[$0]) },
                          namespace: ns == noString ? nil : string(a.segment, ns),
                          shas: seg.shaRange(d).map { seg.shas[$0] }, idHash: seg.idHash[d], causedBy: seg.causedBy[d],
                          severity: seg.severity[d])
    }
}

extension Snapshot {
    func facts(_ a: DocAddress) -> EventFacts { FactReader(self).facts(a) }

    /// BM25 scores for `text` of the events in `[since, until)`: per segment, the first document of the
    /// range and a dense array of scores from it.
    func textScoreArrays(_ text: String, since: Int64, until: Int64) -> TextScores {
        let terms = weightedTerms(text)
        var out = TextScores(ranges: [], scores: [])
        var q = SearchQuery(text, kinds: [.event])
        q.since = Timestamp(milliseconds: since)
        q.until = Timestamp(milliseconds: until)
        for s in segments.indices {
            let f = ResolvedFilter(q, segment: segments[s])
            var scores = [Float](repeating: 0, count: max(0, f.docs.count))
            let lo = f.docs.lowerBound
            if !terms.isEmpty {
                forEachMatch(s, terms: terms, filter: f, requireAll: false) { d, score in scores[d - lo] = score }
            }
            out.ranges.append(f.docs)
            out.scores.append(scores)
        }
        return out
    }

}

/// Dense text scores over a time range of each segment.
struct TextScores {
    var ranges: [Range<Int>]
    var scores: [[Float]]

    subscript(_ a: DocAddress) -> Float {
        guard a.segment < ranges.count, ranges[a.segment].contains(a.doc) else { return 0 }
        return scores[a.segment][a.doc - ranges[a.segment].lowerBound]
    }

    var max: Float { scores.compactMap { $0.max() }.max() ?? 0 }
}

/// Describes a duration before the onset: "37 min", "5 h 10 min", "2 days".
func durationText(_ seconds: Int64) -> String {
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
