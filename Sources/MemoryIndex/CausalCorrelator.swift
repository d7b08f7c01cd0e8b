import MemoryModel

/// The correlator: ranks the events before a symptom's onset as its possible causes.
///
/// Signals, each with a reason a person can check:
/// - time: proximity to the onset (not to now); only events before the onset can be causes;
/// - component: the symptom's own components (named loosely in the symptom, or taken from the symptom
///   events), then their declared dependencies (`.cmem/components.yaml`), then the same namespace;
/// - change: deployments and configuration changes are causes, restarts and incidents are effects
///   (except on a dependency, where a failure is a cause);
/// - text: BM25 similarity between the symptom and the event;
/// - history: a past incident on the same component whose recorded cause was this kind of change;
/// - chains: `caused_by`, shared commit SHAs (a commit and its deployment) and a change followed by
///   failures of the same component are one story, reported by its root (the commit, the change).
/// When nothing plausible exists (no related component, no explicit link) the answer says so.
public struct CausalCorrelator: Sendable {
    public struct Weights: Sendable, Equatable {
        public var component = 3.0
        public var change = 1.5
        public var time = 2.0
        public var text = 1.0
        public var history = 1.0
        public var explicit = 5.0
        public var chain = 1.0
        /// Seconds before the onset at which time proximity has halved.
        public var timeScale = 3600.0
        public init() {}
    }

    public var weights = Weights()
    public init() {}

    struct Candidate {
        var facts: EventFacts
        var signals: [Signal] = []
        var score = 0.0
        var componentValue = 0.0
        var textValue = 0.0
        var explicit = false
        var inWindow = true
        var componentReason = ""
    }

    public func correlate(_ r: CorrelationRequest, in index: MemoryIndex) -> CorrelationResult {
        let snap = index.snapshot
        let reader = FactReader(snap)
        let freshness = index.freshness
        let catalog = ComponentCatalog.load(root: index.repositoryPath)
        let matcher = ComponentMatcher(known: snap.componentNames(), catalog: catalog)
        let matches = matcher.match(r.symptom)
        let reference = (r.at ?? r.now ?? Timestamp.now()).milliseconds
        let window = max(60, r.window) * 1000

        // 1. The symptom events: the latest episode of incidents, health changes, restarts or anomalies on
        //    the named components (or, with no component named, matching the words).
        let searchFrom = r.at != nil ? reference - 2 * 3_600_000 : reference - 30 * 86_400_000
        let searchTo = reference + (r.at != nil ? 10 * 60_000 : 0) + 1
        let matchNames = Set(matches.map(\.name))
        // With components named, the symptom events are found by component and only they are scored
        // for text; with none, the text finds them.
        var symptomTerms = snap.weightedTerms(r.symptom)
        var symptomText = TextScores(ranges: [], scores: [])
        if matchNames.isEmpty { symptomText = snap.textScoreArrays(r.symptom, since: searchFrom, until: searchTo) }
        var symptomEvents: [(facts: EventFacts, rank: Double)] = []
        var maxText = Double(symptomText.max)
        var rawText: [(Int, Float)] = []
        for (s, seg) in snap.segments.enumerated() {
            var typeIDs: [UInt32] = []
            for t in seg.strings(usedAs: .type) where reader.info(t).isSymptom { if let id = seg.stringID(t) { typeIDs.append(id) } }
            let compIDs = matchNames.compactMap { seg.stringID($0) }
            guard !typeIDs.isEmpty else { continue }
            for d in seg.lowerBound(time: searchFrom)..<seg.lowerBound(time: searchTo)
            where seg.kind[d] == DocumentKind.event.rawValue && typeIDs.contains(seg.type[d]) && snap.isLive(s, d) {
                let a = DocAddress(segment: s, doc: d)
                var onComponent = false
                for c in seg.componentRange(d) where compIDs.contains(seg.components[c]) { onComponent = true; break }
                if matchNames.isEmpty {
                    let t = maxText > 0 ? Double(symptomText[a]) / maxText : 0
                    if t > 0 { symptomEvents.append((reader.facts(a), t)) }
                } else if onComponent {
                    let f = reader.facts(a)
                    let strength = f.components.compactMap { c in matches.first { $0.name == c }?.strength }.max() ?? 0
                    rawText.append((symptomEvents.count, snap.score(a, terms: symptomTerms)))
                    symptomEvents.append((f, strength))
                }
            }
        }
        if !rawText.isEmpty {
            maxText = Double(rawText.map(\.1).max() ?? 0)
            if maxText > 0 { for (i, t) in rawText { symptomEvents[i].rank += Double(t) / maxText } }
        }
        symptomTerms = []
        symptomEvents.sort { $0.facts.ts < $1.facts.ts }
        var anchor: EventFacts?
        if let top = symptomEvents.map(\.rank).max() {
            anchor = symptomEvents.last { $0.rank >= 0.5 * top }?.facts
            if r.at != nil { anchor = symptomEvents.last { $0.rank >= 0.5 * top && $0.facts.ts <= reference + 10 * 60_000 }?.facts }
        }

        // 2. The components the symptom is about.
        var components: [String]
        let strong = matches.filter { $0.strength >= 0.8 }.map(\.name)
        if !strong.isEmpty {
            components = strong
        } else if let anchor {
            let shared = anchor.components.filter(matchNames.contains)
            components = shared.isEmpty ? (matches.isEmpty ? anchor.components : matches.map(\.name)) : shared
        } else {
            components = matches.map(\.name)
        }
        let componentSet = Set(components)
        var namespace = components.lazy.compactMap { catalog.components[$0]?.namespace }.first
        if namespace == nil { namespace = anchor?.namespace }

        // 3. The onset: given, or the first event of the anchor's episode (gaps of at most two hours).
        var onset = reference
        var episode = Set<DocAddress>()
        if r.at == nil, let anchor {
            onset = anchor.ts
            episode.insert(anchor.address)
            let related = symptomEvents.filter { !Set($0.facts.components).isDisjoint(with: componentSet.isEmpty ? Set(anchor.components) : componentSet) }
            var i = related.lastIndex { $0.facts.address == anchor.address } ?? -1
            while i > 0, onset - related[i - 1].facts.ts <= 2 * 3_600_000 {
                i -= 1
                onset = related[i].facts.ts
                episode.insert(related[i].facts.address)
            }
        } else if r.at != nil {
            for e in symptomEvents where e.facts.ts >= reference && !Set(e.facts.components).isDisjoint(with: componentSet) {
                episode.insert(e.facts.address)
            }
        }
        let onsetEvent = anchor.flatMap { r.at == nil ? snap.event(at: symptomEvents.first { episode.contains($0.facts.address) && $0.facts.ts == onset }?.facts.address ?? $0.address, root: index.repositoryPath) : snap.event(at: $0.address, root: index.repositoryPath) }

        // 4. Candidates: events before the onset, within the window.
        let from = onset - window
        // (Every episode event is at or after the onset, so none is a candidate.)
        var candidates: [Candidate] = snap.eventsInWindow(since: from, until: onset).map { Candidate(facts: reader.facts($0)) }
        let considered = candidates.count

        // What the symptom events say caused them.
        var namedCauses = Set<UInt64>()
        for a in episode {
            let c = snap.segments[a.segment].causedBy[a.doc]
            if c != 0 { namedCauses.insert(c) }
        }
        if let anchor, anchor.causedBy != 0 { namedCauses.insert(anchor.causedBy) }

        // Dependencies and the history of the symptom's components.
        var dependencies: [String: String] = [:] // dependency -> the symptom component that needs it
        var dependents: [String: String] = [:]
        for c in components {
            for d in catalog.dependencies(of: c) { dependencies[d] = c }
            for d in catalog.dependents(of: c) { dependents[d] = c }
        }
        let history = pastCauses(snap, components: componentSet, before: from)

        // 5. Signals. Text similarity leaves out the words of the component names (the component signal
        //    already counts them): "github-mcp crash looping" compares on "crash looping".
        var nameWords = Set<String>()
        for c in components { nameWords.formUnion(Tokenizer.words(c)) }
        for m in matches { nameWords.formUnion(Tokenizer.words(m.name)) }
        let symptomWords = Tokenizer.words(r.symptom).filter { !nameWords.contains($0) }
        let text = snap.textScoreArrays(symptomWords.joined(separator: " "), since: from, until: onset)
        let maxCandidateText = Double(text.max)
        func score(_ c: inout Candidate) {
            let f = c.facts
            var signals: [Signal] = []
            let dt = Double(onset - f.ts) / 1000
            let proximity = 1 / (1 + max(0, dt) / weights.timeScale)
            let what = f.components.isEmpty ? f.type : "\(f.type) of \(f.components.joined(separator: ", "))"
            signals.append(Signal(name: "time", value: weights.time * proximity,
                                  reason: "\(what) \(durationText(Int64(dt))) before onset"))
            var comp = 0.0
            var reason = ""
            if let same = f.components.first(where: componentSet.contains) {
                comp = 1
                reason = matches.contains { $0.name == same && $0.strength >= 0.8 } || strong.isEmpty ? "same component (\(same))" : "same component"
            } else if let dep = f.components.first(where: { dependencies[$0] != nil }) {
                comp = 0.55
                reason = "\(dependencies[dep]!) depends on \(dep) (\(ComponentCatalog.path))"
            } else if let dep = f.components.first(where: { dependents[$0] != nil }) {
                comp = 0.2
                reason = "\(dep) depends on \(dependents[dep]!)"
            } else if let ns = namespace, f.namespace == ns {
                comp = 0.25
                reason = "same namespace (\(ns))"
            } else if let weak = f.components.compactMap({ c in matches.first { $0.name == c } }).first {
                comp = weak.strength * 0.8
                reason = "matches the symptom's words (\(weak.name))"
            }
            c.componentValue = comp
            c.componentReason = reason
            if comp > 0 { signals.append(Signal(name: "component", value: weights.component * comp, reason: reason)) }
            var prior = f.info.prior
            if prior == 0, comp >= 0.5, comp < 1 { prior = 0.8 } // a dependency failing is a cause
            if prior > 0 { signals.append(Signal(name: "change", value: weights.change * prior, reason: f.type)) }
            if maxCandidateText > 0, case let t = text[f.address], t > 0 {
                c.textValue = Double(t) / maxCandidateText
                signals.append(Signal(name: "text", value: weights.text * c.textValue, reason: "shares words with the symptom"))
            }
            if comp >= 0.5, let past = history[f.type] {
                signals.append(Signal(name: "history", value: weights.history,
                                      reason: "a past incident on \(past.component) (\(past.day)) was caused by a \(f.type)"))
            }
            if namedCauses.contains(f.idHash) {
                c.explicit = true
                signals.append(Signal(name: "caused_by", value: weights.explicit, reason: "the symptom names it as its cause (caused_by)"))
            }
            c.signals = signals
            c.score = signals.reduce(0) { $0 + $1.value }
        }
        for i in candidates.indices { score(&candidates[i]) }

        // 6. Chains: shared commit SHAs and caused_by (reaching back before the window), and a change
        //    followed within two hours by failures of the same component.
        let chainFrom = onset - max(window, 14 * 86_400_000)
        var keys = Set<UInt32>()
        var wantedIDs = Set<UInt64>()
        for c in candidates where c.componentValue > 0 || c.explicit {
            keys.formUnion(c.facts.shas)
            if c.facts.causedBy != 0 { wantedIDs.insert(c.facts.causedBy) }
        }
        wantedIDs.formUnion(namedCauses)
        if !keys.isEmpty || !wantedIDs.isEmpty {
            for (s, seg) in snap.segments.enumerated() {
                for d in seg.lowerBound(time: chainFrom)..<seg.lowerBound(time: from) where seg.kind[d] == DocumentKind.event.rawValue {
                    let a = DocAddress(segment: s, doc: d)
                    // Candidates (in the window) are already in; episode events are after the onset.
                    guard seg.ts[d] < from, snap.isLive(s, d) else { continue }
                    var hit = wantedIDs.contains(seg.idHash[d])
                    if !hit { for k in seg.shaRange(d) where keys.contains(seg.shas[k]) { hit = true; break } }
                    if hit {
                        var extra = Candidate(facts: reader.facts(a))
                        extra.inWindow = false
                        score(&extra)
                        candidates.append(extra)
                    }
                }
            }
        }
        var parent = Array(candidates.indices)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        var linkReason: [Int: [String]] = [:] // member -> why it is linked
        func union(_ a: Int, _ b: Int, _ why: String, on member: Int) {
            let ra = find(a), rb = find(b)
            if ra != rb { parent[ra] = rb }
            linkReason[member, default: []].append(why)
        }
        var bySha: [UInt32: [Int]] = [:]
        var byID: [UInt64: Int] = [:]
        for (i, c) in candidates.enumerated() {
            for k in c.facts.shas { bySha[k, default: []].append(i) }
            byID[c.facts.idHash] = i
        }
        for (_, members) in bySha where members.count > 1 {
            let sorted = members.sorted { candidates[$0].facts.ts < candidates[$1].facts.ts }
            func describe(_ i: Int) -> String {
                let f = candidates[i].facts
                let when = durationText((onset - f.ts) / 1000) + " before onset"
                let t = f.type.lowercased()
                if t.contains("deploy") || t.contains("rollout") || t.contains("release") { return "deployed \(when) (\(snap.event(at: f.address, root: index.repositoryPath)?.id ?? f.type))" }
                return "same commit as the \(f.type) \(when)"
            }
            for m in sorted.dropFirst() {
                let first = sorted[0]
                union(first, m, describe(m), on: first)
                union(first, m, describe(first), on: m)
            }
        }
        for (i, c) in candidates.enumerated() where c.facts.causedBy != 0 {
            if let j = byID[c.facts.causedBy] { union(i, j, "caused \(c.facts.type) \(durationText((onset - c.facts.ts) / 1000)) before onset", on: j) }
        }
        var byComponent: [String: [Int]] = [:]
        for (i, c) in candidates.enumerated() where c.componentValue > 0 { for comp in c.facts.components { byComponent[comp, default: []].append(i) } }
        for (_, members) in byComponent {
            let changes = members.filter { candidates[$0].facts.info.prior >= 0.6 }
            let failures = members.filter { candidates[$0].facts.info.isSymptom }
            for f in failures {
                let ft = candidates[f].facts.ts
                // The latest change before the failure, within two hours, explains it.
                if let x = changes.filter({ candidates[$0].facts.ts < ft && ft - candidates[$0].facts.ts <= 2 * 3_600_000 })
                    .max(by: { candidates[$0].facts.ts < candidates[$1].facts.ts }) {
                    union(x, f, "followed by \(candidates[f].facts.type) of \(candidates[f].facts.components.first ?? "") \(durationText((ft - candidates[x].facts.ts) / 1000)) later", on: x)
                }
            }
        }

        // 7. Groups: scored by their best member, reported by their root.
        var groups: [Int: [Int]] = [:]
        for i in candidates.indices { groups[find(i), default: []].append(i) }
        struct Group {
            var members: [Int]
            var root: Int
            var score: Double
            var plausible: Bool
            var explicit: Bool
        }
        var ranked: [Group] = []
        for (_, members) in groups {
            let best = members.map { candidates[$0].score }.max()!
            let linked = members.count > 1
            let root: Int
            if members.count == 1 {
                root = members[0]
            } else {
                let memberSet = Set(members)
                func causedWithin(_ i: Int) -> Bool {
                    let c = candidates[i].facts.causedBy
                    return c != 0 && byID[c].map(memberSet.contains) == true
                }
                root = members.min { a, b in
                    let ca = candidates[a], cb = candidates[b]
                    let aCaused = causedWithin(a), bCaused = causedWithin(b)
                    if aCaused != bCaused { return !aCaused }
                    let ra = ca.facts.info.rootRank, rb = cb.facts.info.rootRank
                    if ra != rb { return ra > rb }
                    return ca.facts.ts < cb.facts.ts
                }!
            }
            let explicit = members.contains { candidates[$0].explicit }
            // Plausible: on the symptom's component or a dependency, named by the symptom, or (weaker
            // relations) a change whose text matches the symptom well.
            let plausible = explicit || members.contains { candidates[$0].componentValue >= 0.5 && candidates[$0].inWindow }
                || members.contains {
                    let c = candidates[$0]
                    return c.componentValue > 0 && c.inWindow && c.textValue >= 0.5 && c.facts.info.prior >= 0.6
                }
            let hasChange = members.contains { candidates[$0].facts.info.prior > 0 || candidates[$0].componentValue < 1 }
            ranked.append(Group(members: members, root: root, score: best + (linked ? weights.chain : 0),
                                plausible: plausible && (hasChange || explicit), explicit: explicit))
        }
        ranked.sort { a, b in
            if a.plausible != b.plausible { return a.plausible }
            if a.score != b.score { return a.score > b.score }
            return candidates[a.root].facts.ts > candidates[b.root].facts.ts
        }

        // 8. The answer.
        let root = index.repositoryPath
        func scored(_ i: Int, groupScore: Double?, group: Group?) -> ScoredEvent? {
            let c = candidates[i]
            guard let e = snap.event(at: c.facts.address, root: root) else { return nil }
            let (path, line) = snap.location(c.facts.address)
            var signals = c.signals
            if let k = signals.firstIndex(where: { $0.name == "change" }) { signals[k].reason = changeReason(e) }
            if let k = signals.firstIndex(where: { $0.name == "text" }) {
                let shared = sharedWords(symptomWords.joined(separator: " "), e.description)
                if !shared.isEmpty { signals[k].reason = "shares words with the symptom: \(shared.joined(separator: ", "))" }
            }
            var score = c.score
            if let groupScore, let group, group.members.count > 1 {
                let whys = group.members.filter { $0 != i }.compactMap { linkReason[$0] }.flatMap { $0 } + (linkReason[i] ?? [])
                let reason = Array(Set(whys)).sorted().first ?? "part of the same change"
                signals.append(Signal(name: "chain", value: groupScore - c.score, reason: reason))
                score = groupScore
            }
            return ScoredEvent(event: e, path: path, line: line, score: score, signals: signals)
        }
        var related: [ScoredEvent] = []
        var probable: ScoredEvent?
        var chain: [TimelineEvent] = []
        for (gi, g) in ranked.enumerated() where related.count < max(1, r.limit) {
            guard let head = scored(g.root, groupScore: g.score, group: g) else { continue }
            if gi == 0 && g.plausible {
                probable = head
                chain = g.members.sorted { candidates[$0].facts.ts < candidates[$1].facts.ts }
                    .filter { candidates[$0].facts.info.prior > 0 || candidates[$0].explicit || $0 == g.root }
                    .compactMap { snap.event(at: candidates[$0].facts.address, root: root) }
                if chain.count < 2 { chain = [head.event] }
            }
            related.append(head)
            for m in g.members.sorted(by: { candidates[$0].score > candidates[$1].score }) where m != g.root && related.count < max(1, r.limit) {
                if let s = scored(m, groupScore: nil, group: nil) { related.append(s) }
            }
        }
        var confidence = CorrelationResult.Confidence.low
        if let first = ranked.first, first.plausible {
            let second = ranked.dropFirst().first { $0.plausible }?.score ?? 0
            if first.explicit || (first.score >= 6 && first.score - second >= 0.75) {
                confidence = .high
            } else if first.score >= 4.5 {
                confidence = .medium
            }
        }
        let windowText = durationText(window / 1000)
        let about = components.isEmpty ? "the symptom" : components.joined(separator: ", ")
        let explanation: String
        if let p = probable {
            explanation = "Probable cause: \(p.event.type) \(p.event.id) \"\(TimelineDay.headline(p.event))\" (\(p.summary))."
        } else if considered == 0 {
            explanation = "No events in the \(windowText) before the onset: nothing to blame."
        } else {
            explanation = "No plausible cause among the \(considered) events in the \(windowText) before the onset: nothing changed on \(about), its dependencies or its namespace."
        }
        return CorrelationResult(symptom: r.symptom, components: components, onset: Timestamp(milliseconds: onset),
                                 onsetEvent: onsetEvent, probableCause: probable, chain: probable == nil ? [] : chain,
                                 related: related, confidence: confidence, explanation: explanation,
                                 candidatesConsidered: considered, freshness: freshness)
    }

    /// Types of the recorded causes of past failures of these components: (type -> one example).
    private func pastCauses(_ snap: Snapshot, components: Set<String>, before: Int64) -> [String: (component: String, day: String)] {
        var out: [String: (String, String)] = [:]
        guard !components.isEmpty else { return out }
        let from = before - 365 * 86_400_000
        for (s, seg) in snap.segments.enumerated() {
            let ids = Set(components.compactMap { seg.stringID($0) })
            guard !ids.isEmpty else { continue }
            for d in seg.lowerBound(time: from)..<seg.lowerBound(time: before) where seg.causedBy[d] != 0 && snap.isLive(s, d) {
                var on: String?
                for c in seg.componentRange(d) where ids.contains(seg.components[c]) { on = seg.string(seg.components[c]); break }
                guard let component = on, TypeInfo(seg.string(seg.type[d])).isSymptom else { continue }
                // The cause: usually shortly before its effect.
                let target = seg.causedBy[d]
                var found: String?
                for (s2, seg2) in snap.segments.enumerated() {
                    for d2 in seg2.lowerBound(time: seg.ts[d] - 30 * 86_400_000)..<seg2.lowerBound(time: seg.ts[d] + 1)
                    where seg2.idHash[d2] == target && snap.isLive(s2, d2) {
                        found = seg2.string(seg2.type[d2])
                        break
                    }
                    if found != nil { break }
                }
                if let type = found, out[type] == nil {
                    out[type] = (component, Timestamp(milliseconds: seg.ts[d]).day)
                }
            }
        }
        return out
    }
}

/// What kind of change an event is, in words: "changed image", "changed config REDIS_URL".
func changeReason(_ e: TimelineEvent) -> String {
    let d = e.description
    let lower = d.lowercased()
    let t = e.type.lowercased()
    if t.contains("deploy") || t.contains("rollout") || t.contains("release") {
        if lower.contains("rollback") { return "rolled back" }
        if lower.contains("image") { return "changed image" }
        if let r = lower.range(of: "revision ") {
            let rev = lower[r.upperBound...].prefix { $0.isLetter || $0.isNumber }
            return rev.isEmpty ? "changed revision" : "changed revision \(rev)"
        }
        return "deployed"
    }
    if t.contains("config") {
        let words = d.split(separator: " ")
        if let i = words.firstIndex(where: { $0 == "Changed" || $0 == "changed" }), i + 1 < words.count { return "changed config \(words[i + 1])" }
        if let i = words.firstIndex(of: "key"), i + 1 < words.count { return "changed config key \(words[i + 1])" }
        return "changed configuration"
    }
    if t.contains("commit") {
        let sha = (e.details["sha"]?.stringValue).map { String($0.prefix(7)) }
        return "commit\(sha.map { " " + $0 } ?? ""): \(TimelineDay.headline(e))"
    }
    if t.contains("scal") { return "scaled" }
    if isSymptomType(t) { return "\(e.type) of a dependency" }
    return e.type
}

/// The words two texts share (terms as the index sees them, at most five).
func sharedWords(_ a: String, _ b: String) -> [String] {
    let wa = Tokenizer.words(a).filter { $0.count >= 2 }
    let wb = Set(Tokenizer.words(b))
    var out: [String] = []
    for w in wa where wb.contains(w) && !out.contains(w) { out.append(w) }
    return Array(out.prefix(5))
}
