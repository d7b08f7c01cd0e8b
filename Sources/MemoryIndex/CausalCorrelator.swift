#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MemoryModel

/// The correlator: what probably caused a symptom, the way an SRE reads a timeline.
///
/// 1. Onset first. The symptom's own failures (on the component it names, or that its words match) are
///    found near the time asked about and walked back, through failures less than an hour apart, to where
///    the episode began. Only events before that onset can be causes; changes after it are the response.
/// 2. Each event before the onset gets `relation × prior × time × evidence`:
///    - relation: how directly it can reach the symptom (`Relation`): the component itself, components
///      and hosts the symptom's own events name, infrastructure the symptom's class runs on, declared
///      dependencies, namespace-wide changes, secondary mentions, the rest;
///    - prior: how often this kind of change causes this class of symptom (`SymptomProfile.classPriors`);
///    - time: `1 / (1 + ln(1 + Δt / scale))`, a scale per kind of change (minutes for a deploy, hours for
///      a commit, a day for a failed renewal);
///    - evidence: chains (a commit and the deploy that shipped its SHA, a change and the failures of what
///      it changed that followed), a past incident with the same kind of cause, a `caused_by`; a passing
///      run of the same tests after a commit exculpates it.
/// 3. A chain is one candidate, reported by its root. Below `threshold` nothing is a plausible cause;
///    the confidence is the margin to the next candidate.
public struct CausalCorrelator: Sendable {
    /// The least score of a plausible cause: a change on the failing component a day before clears it
    /// (1.0 × 1.0 × 0.2), a sibling's deploy minutes before does not (0.1 × 1.0 × 0.8).
    static let threshold = 0.15
    /// Failures of one component less than an hour apart are one episode (alerts, incidents and
    /// restarts of one outage are raised within minutes of each other).
    static let episodeGap: Int64 = 3_600_000
    /// How long after a change its failures (or passing tests) still belong to it.
    static let followUp: Int64 = 2 * 3_600_000

    public init() {}

    struct Candidate {
        var facts: EventFacts
        var relation = Relation.unrelated
        var relationWeight = Relation.unrelated.weight
        var relationReason = "unrelated component"
        var kind = ChangeKind.observation
        var prior = 0.0
        /// The symptom class whose table entry set the prior, if one did.
        var priorTrouble: SymptomProfile.Trouble?
        var proximity = 0.0
        var evidence: [Signal] = []
        var score = 0.0
        var text: String?
        var inWindow = true
        var explicit = false
    }

    public func correlate(_ r: CorrelationRequest, in index: MemoryIndex) -> CorrelationResult {
        let snap = index.snapshot
        let root = index.repositoryPath
        let reader = FactReader(snap)
        let catalog = index.componentCatalog
        let known = snap.componentNames()
        let matches = ComponentMatcher(known: known, catalog: catalog).match(r.symptom)
        let reference = (r.at ?? r.now ?? Timestamp.now()).milliseconds
        let window = max(60, r.window) * 1000
        let symptomWords = Tokenizer.words(r.symptom)

        // 1. The symptom's failures near the reference: by the component they are about (their first).
        let episode = findEpisode(r, snap: snap, reader: reader, matches: matches, symptomWords: symptomWords, reference: reference)
        let onset = episode.onset
        let subject = episode.subject
        let from = onset - window
        var episodeEvents: [TimelineEvent] = []
        for a in episode.members.prefix(12) { if let e = snap.event(at: a, root: root) { episodeEvents.append(e) } }
        let onsetEvent = episode.members.first.flatMap { snap.event(at: $0, root: root) }

        // 2. What the symptom and its events say: its classes of trouble, the components and hosts it names.
        let symptomText = ([r.symptom] + episodeEvents.map(\.description)).joined(separator: " \n ")
        let profile = SymptomProfile(text: symptomText)
        var named: [String: String] = [:] // component -> where it is named
        for m in matches where (m.strength >= 1 || matches.contains { subject.contains($0.name) }) && m.strength >= 0.8 && !subject.contains(m.name) {
            named[m.name] = "the symptom names \(m.name)"
        }
        for e in episodeEvents {
            for c in Self.componentsNamed(in: e.description, known: known) where !subject.contains(c) && named[c] == nil {
                named[c] = "the symptom's \(e.type) names \(c)"
            }
        }
        let hosts = Self.hosts(in: symptomText, known: Set(known))
        var dependencies: [String: String] = [:]
        var dependents: [String: String] = [:]
        for c in subject {
            for d in catalog.dependencies(of: c) { dependencies[d] = c }
            for d in catalog.dependents(of: c) { dependents[d] = c }
        }
        let infrastructure = known.compactMap { c in profile.infrastructure(c).map { (c, $0) } }
        // Many components of one kind ("one of ten registries") relate less each.
        let infraWeight = Relation.infrastructure.weight * min(1, 2 / Double(max(1, infrastructure.count)))
        let infraOf = Dictionary(infrastructure, uniquingKeysWith: { a, _ in a })
        // Distinctive words: in at most two component names, and not a role word ("api", "worker").
        var wordOwners: [String: Int] = [:]
        for c in known { for w in Set(Tokenizer.words(c)) { wordOwners[w, default: 0] += 1 } }
        var explained = Set<String>()
        for c in subject.union(named.keys) { explained.formUnion(Tokenizer.words(c)) }
        let distinctive = Set(symptomWords.filter { w in
            w.count >= 3 && !explained.contains(w) && !Self.roleWords.contains(w) && (1...2).contains(wordOwners[w] ?? 0)
        })
        let namespace = subject.lazy.compactMap { catalog.components[$0]?.namespace }.first
            ?? Self.usualNamespace(of: subject, snap: snap, reader: reader, from: from, to: onset)
        var hostDocs: [DocAddress: String] = [:]
        for h in hosts {
            let terms = snap.weightedTerms(Tokenizer.words(h).joined(separator: " "))
            var q = SearchQuery(kinds: [.event])
            q.since = Timestamp(milliseconds: from - 14 * 86_400_000)
            q.until = Timestamp(milliseconds: onset)
            for s in snap.segments.indices {
                snap.forEachMatch(s, terms: terms, filter: ResolvedFilter(q, segment: snap.segments[s]), requireAll: true) { d, _ in
                    hostDocs[DocAddress(segment: s, doc: d)] = h
                }
            }
        }
        // Events about another component whose words name the failing one, or one the symptom names: a
        // CronJob change of billing-worker that "hits billing-db", a pool size of profile-api "for account-db".
        var mentionDocs: [DocAddress: String] = [:]
        let mentionable = subject.union(named.keys).filter { name in
            let words = Tokenizer.words(name)
            return words.count >= 2 || (words.count == 1 && words[0].count >= 4 && !Self.roleWords.contains(words[0]))
        }
        for name in mentionable.sorted() {
            let words = Tokenizer.words(name)
            let terms = snap.weightedTerms(words.joined(separator: " "))
            var q = SearchQuery(kinds: [.event])
            q.since = Timestamp(milliseconds: from)
            q.until = Timestamp(milliseconds: onset)
            var found: [DocAddress] = []
            for s in snap.segments.indices {
                let own = snap.segments[s].stringID(name)
                snap.forEachMatch(s, terms: terms, filter: ResolvedFilter(q, segment: snap.segments[s]), requireAll: true) { d, _ in
                    if let own, snap.segments[s].componentRange(d).first.map({ snap.segments[s].components[$0] }) == own { return }
                    found.append(DocAddress(segment: s, doc: d))
                }
            }
            // The index matched the words anywhere (components, details); the description must name it whole.
            for a in found.prefix(200) where mentionDocs[a] == nil {
                guard let e = snap.event(at: a, root: root) else { continue }
                if Self.namesWhole(e.description, name) { mentionDocs[a] = name }
            }
        }
        var namedCauses = Set<UInt64>()
        for a in episode.members {
            let c = snap.segments[a.segment].causedBy[a.doc]
            if c != 0 { namedCauses.insert(c) }
        }
        let history = pastCauses(snap, components: subject, before: from)

        var distinctiveWord: [String: String?] = [:] // component -> its word the symptom names, read once each
        let unrelatedReason = "unrelated to \(subjectText(subject))"
        func relate(_ c: inout Candidate) {
            let f = c.facts
            var best: (Relation, Double, String) = (.unrelated, Relation.unrelated.weight, unrelatedReason)
            // The reason is worded only when the relation wins (thousands of candidates per answer).
            func offer(_ rel: Relation, _ weight: Double, _ why: @autoclosure () -> String) {
                if weight > best.1 { best = (rel, weight, why()) }
            }
            if let first = f.components.first {
                if subject.contains(first) { offer(.itself, Relation.itself.weight, "about \(first), the failing component") }
                if let why = named[first] { offer(.named, Relation.named.weight, why) }
                if let needs = dependencies[first] { offer(.dependency, Relation.dependency.weight, "\(needs) depends on \(first) (\(ComponentCatalog.path))") }
                if let t = infraOf[first] { offer(.infrastructure, infraWeight, "\(first) is infrastructure that \(Self.describe(t)) depend on") }
                for other in f.components.dropFirst() {
                    if subject.contains(other) { offer(.mentions, Relation.mentions.weight, "lists \(other), the failing component, among its components") }
                    if named[other] != nil { offer(.mentions, Relation.mentions.weight * 0.8, "lists \(other), which the symptom names") }
                }
                if distinctiveWord[first] == nil { distinctiveWord[first] = .some(Tokenizer.words(first).first(where: distinctive.contains)) }
                if let w = distinctiveWord[first] ?? nil {
                    offer(.word, Relation.word.weight, "\(first) shares the word \"\(w)\" with the symptom")
                }
                if let of = dependents[first] { offer(.dependent, Relation.dependent.weight, "\(first) depends on \(of)") }
                if let ns = namespace, f.namespace == ns { offer(.sibling, Relation.sibling.weight, "another component in namespace \(ns)") }
            } else if let ns = namespace, f.namespace == ns {
                offer(.namespaceWide, Relation.namespaceWide.weight, "a change to namespace \(ns) as a whole")
            }
            if let h = hostDocs[f.address] { offer(.host, Relation.host.weight, "names \(h), as the symptom does") }
            if let n = mentionDocs[f.address] {
                offer(.mentions, Relation.mentions.weight,
                      "its description names \(n), \(subject.contains(n) ? "the failing component" : "which the symptom names")")
            }
            if namedCauses.contains(f.idHash) {
                c.explicit = true
                offer(.named, Relation.named.weight, "the symptom names it as its cause (caused_by)")
            }
            c.relation = best.0
            c.relationWeight = best.1
            c.relationReason = best.2
        }

        // Events not read are classified by type and severity alone: once per pair.
        var kindByType: [String: ChangeKind] = [:]
        func classify(_ c: inout Candidate, deployedAfter: [String: Int64]) {
            let f = c.facts
            var kind: ChangeKind
            if let described = c.text {
                var text = described.lowercased()
                for comp in f.components.sorted(by: { $0.count > $1.count }) { text = text.replacingAll(comp.lowercased(), with: " ") }
                kind = ChangeKind.of(type: f.type, text: " " + text, severity: severity(code: f.severity))
            } else {
                let key = f.type + (f.severity >= 1 ? "!" : "")
                if let k = kindByType[key] {
                    kind = k
                } else {
                    kind = ChangeKind.of(type: f.type, text: " ", severity: severity(code: f.severity))
                    kindByType[key] = kind
                }
            }
            if kind == .commit, let first = f.components.first, (deployedAfter[first] ?? .min) <= f.ts { kind = .pendingCommit }
            c.kind = kind
            var (p, trouble) = profile.prior(kind)
            if kind == .failure && c.relation == .itself {
                p = 0.05
                trouble = nil
            }
            c.prior = p
            c.priorTrouble = trouble
            let dt = Double(max(0, onset - f.ts)) / 1000
            c.proximity = 1 / (1 + log(1 + dt / kind.timeScale))
            if let past = history[f.type], c.relation <= .dependency {
                c.evidence.append(Signal(name: "history", value: 1.5, reason: "a past incident on \(past.component) (\(past.day)) was caused by a \(f.type)"))
            }
            if c.explicit { c.evidence.append(Signal(name: "caused_by", value: 3, reason: "the symptom names it as its cause (caused_by)")) }
            c.score = c.relationWeight * c.prior * c.proximity * c.evidence.reduce(1) { $0 * $1.value }
        }

        // 3. Candidates: every event in the window before the onset. Only those that could clear the
        //    threshold (by relation and time, with the largest prior) are read from disk and classified.
        var candidates = snap.eventsInWindow(since: from, until: onset).map { Candidate(facts: reader.facts($0)) }
        let considered = candidates.count
        for i in candidates.indices { relate(&candidates[i]) }
        // The chain reaches back before the window: a commit deployed in it, a caused_by.
        var keys = Set<UInt32>()
        var keyed = Set<String>() // components whose changes carry those SHAs: only their older events can match
        // Loops over every candidate read fields in place: a copy of each (its strings and arrays retained)
        // in a dozen passes cost more than the passes themselves.
        for i in candidates.indices where candidates[i].relation <= .mentions && !candidates[i].facts.shas.isEmpty {
            let c = candidates[i]
            keys.formUnion(c.facts.shas)
            if let first = c.facts.components.first { keyed.insert(first) }
        }
        if !keys.isEmpty || !namedCauses.isEmpty {
            let keyedIDs = snap.segments.map { seg in Set(keyed.compactMap { seg.stringID($0) }) }
            for a in snap.eventsInWindow(since: onset - max(window, 14 * 86_400_000), until: from) {
                let seg = snap.segments[a.segment]
                var hit = namedCauses.contains(seg.idHash[a.doc])
                if !hit, let slot = seg.componentRange(a.doc).first, keyedIDs[a.segment].contains(seg.components[slot]) {
                    for k in seg.shaRange(a.doc) where keys.contains(seg.shas[k]) { hit = true; break }
                }
                guard hit else { continue }
                var extra = Candidate(facts: reader.facts(a))
                extra.inWindow = false
                relate(&extra)
                candidates.append(extra)
            }
        }
        var deployedAfter: [String: Int64] = [:] // component -> its latest deploy before the onset
        var deployTypes: [String: Bool] = [:]
        for i in candidates.indices {
            let type = candidates[i].facts.type
            let isDeploy = deployTypes[type] ?? { let d = Self.isDeployType(type); deployTypes[type] = d; return d }()
            guard isDeploy, let first = candidates[i].facts.components.first else { continue }
            deployedAfter[first] = max(deployedAfter[first] ?? .min, candidates[i].facts.ts)
        }
        let maxPrior = 1.5
        var order = candidates.indices.map { i -> (Int, Double) in
            let dt = Double(max(0, onset - candidates[i].facts.ts)) / 1000
            return (i, candidates[i].relationWeight * maxPrior / (1 + log(1 + dt / 86_400)))
        }
        order.sort { $0.1 > $1.1 }
        var reads = 0
        for (i, upper) in order {
            if upper >= Self.threshold && reads < 400 {
                candidates[i].text = snap.event(at: candidates[i].facts.address, root: root)?.description
                reads += 1
            }
            classify(&candidates[i], deployedAfter: deployedAfter)
        }

        // 4. Chains: shared commit SHAs, caused_by, and a change followed by failures of what it changed.
        var parent = Array(candidates.indices)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        func union(_ a: Int, _ b: Int) { let ra = find(a), rb = find(b); if ra != rb { parent[ra] = rb } }
        var linkReason: [Int: String] = [:]
        var bySha: [UInt32: [Int]] = [:]
        var byID: [UInt64: Int] = [:]
        for i in candidates.indices {
            // A rollback's SHA names code that ran before: the commit that wrote it is not what changed now.
            let kind = candidates[i].kind
            if (kind.isChange && kind != .rollback) || kind == .docsCommit { for k in candidates[i].facts.shas { bySha[k, default: []].append(i) } }
            byID[candidates[i].facts.idHash] = i
        }
        for (_, members) in bySha where members.count > 1 {
            let sorted = members.sorted { candidates[$0].facts.ts < candidates[$1].facts.ts }
            for m in sorted.dropFirst() {
                union(sorted[0], m)
                let f = candidates[m].facts
                let when = durationText((onset - f.ts) / 1000) + " before onset"
                linkReason[m] = Self.isDeployType(f.type) ? "deployed \(when) (\(f.type) of the same commit)" : "same commit as the \(f.type) \(when)"
            }
        }
        for i in candidates.indices where candidates[i].facts.causedBy != 0 {
            let c = candidates[i]
if let j = byID[c.facts.causedBy] {
                union(i, j)
                linkReason[i] = "caused the \(c.facts.type) \(durationText((onset - c.facts.ts) / 1000)) before onset (caused_by)"
            }
        }
        var failuresOf: [String: [Int]] = [:]
        for i in candidates.indices where candidates[i].kind == .failure && candidates[i].relation != .itself {
            let c = candidates[i]
if let first = c.facts.components.first { failuresOf[first, default: []].append(i) }
        }
        var followUps: [Int: [Int]] = [:] // change -> failures of what it changed, before the onset
        var changesOf: [String: [Int]] = [:] // component -> its changes
        for i in candidates.indices where candidates[i].kind.isChange && candidates[i].relation <= .dependent {
            let c = candidates[i]
if let first = c.facts.components.first, !subject.contains(first), failuresOf[first] != nil { changesOf[first, default: []].append(i) }
        }
        for (first, unsorted) in changesOf {
            let changes = unsorted.sorted { candidates[$0].facts.ts < candidates[$1].facts.ts }
            for f in failuresOf[first] ?? [] {
                let ft = candidates[f].facts.ts
                // A failure belongs to the latest change before it, within two hours.
                guard let i = changes.last(where: { candidates[$0].facts.ts < ft }), ft - candidates[i].facts.ts <= Self.followUp else { continue }
                union(i, f)
                followUps[i, default: []].append(f)
                linkReason[f] = "failed \(durationText((ft - candidates[i].facts.ts) / 1000)) after \(candidates[i].facts.type) of \(first)"
            }
        }
        // Exculpation: the same tests passing after a commit or deploy, before the onset.
        if profile.troubles.contains(.tests) {
            for i in candidates.indices where candidates[i].kind.isChange && candidates[i].relation == .itself {
                let c = candidates[i]
if let pass = candidates.first(where: { p in
                    p.kind == .agentRoutine && p.facts.components.first == c.facts.components.first && p.facts.ts > c.facts.ts
                        && (p.text ?? "").lowercased().includes("test") && (p.text ?? "").lowercased().includes("passed")
                }) {
                    candidates[i].evidence.append(Signal(name: "exculpated", value: 0.3,
                                                         reason: "tests passed \(durationText((pass.facts.ts - c.facts.ts) / 1000)) after it, before the onset"))
                    candidates[i].score *= 0.3
                }
            }
        }
        // A deploy whose rollout went Healthy and then ran clean for hours before the onset: bad deploys
        // break within minutes of their rollout.
        for i in candidates.indices where (candidates[i].kind == .deploy || candidates[i].kind == .registryChange)
            && candidates[i].relation == .itself && onset - candidates[i].facts.ts > Self.followUp {
            let c = candidates[i]
            if let ok = candidates.first(where: { h in
                h.facts.components.first == c.facts.components.first && h.facts.ts > c.facts.ts && h.facts.ts - c.facts.ts <= 15 * 60_000
                    && TypeInfo(h.facts.type).isSymptom && Self.saysHealthy(h.text)
            }) {
                let ran = durationText((onset - ok.facts.ts) / 1000)
                candidates[i].evidence.append(Signal(name: "exculpated", value: 0.5,
                                                     reason: "its rollout went Healthy \(durationText((ok.facts.ts - c.facts.ts) / 1000)) after it and ran \(ran) before the onset"))
                candidates[i].score *= 0.5
            }
        }
        // A rollback after failures of the same component is their remedy, even before this onset.
        for i in candidates.indices where candidates[i].kind == .rollback && candidates[i].relation == .itself {
            let c = candidates[i]
if let failed = candidates.last(where: { f in
                f.facts.components.first == c.facts.components.first && f.facts.ts < c.facts.ts && c.facts.ts - f.facts.ts <= Self.followUp
                    && f.facts.severity >= 1 && TypeInfo(f.facts.type).isSymptom
            }) {
                candidates[i].evidence.append(Signal(name: "remedy", value: 0.1,
                                                     reason: "it came \(durationText((c.facts.ts - failed.facts.ts) / 1000)) after a \(failed.facts.type) of the same component: a remedy"))
                candidates[i].score *= 0.1
            }
        }

        // 5. Groups: scored by their best member and their follow-ups, reported by their root.
        struct Group {
            var members: [Int]
            var root: Int
            var best: Int
            var score: Double
            var explicit: Bool
            var chainSignal: Signal?
        }
        var byRoot: [Int: [Int]] = [:]
        for i in candidates.indices { byRoot[find(i), default: []].append(i) }
        var groups: [Group] = []
        for (_, members) in byRoot {
            let best = members.max { candidates[$0].score < candidates[$1].score }!
            guard members.contains(where: { candidates[$0].inWindow }) else { continue }
            let root = members.count == 1 ? members[0] : members.min { a, b in
                let ka = candidates[a].kind.rootRank, kb = candidates[b].kind.rootRank
                return ka != kb ? ka > kb : candidates[a].facts.ts < candidates[b].facts.ts
            }!
            var score = candidates[best].score
            var chainSignal: Signal?
            let failures = members.reduce(0) { $0 + (followUps[$1]?.count ?? 0) }
            if failures > 0 {
                let factor = 1 + 0.25 * Double(min(2, failures))
                score *= factor
                let what = candidates[members.first { followUps[$0] != nil }!].facts.components.first ?? ""
                chainSignal = Signal(name: "chain", value: factor, reason: "followed by \(failures) failure\(failures == 1 ? "" : "s") of \(what) before the onset")
            } else if members.count > 1 {
                let why = members.filter { $0 != root }.compactMap { linkReason[$0] }.sorted().first ?? linkReason[root] ?? "part of the same change"
                chainSignal = Signal(name: "chain", value: 1, reason: why)
            }
            groups.append(Group(members: members, root: root, best: best, score: score,
                                explicit: members.contains { candidates[$0].explicit }, chainSignal: chainSignal))
        }
        // Equal scores and times are ordered by id: the same question gets the same answer, row for row.
        groups.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            let fa = candidates[a.root].facts, fb = candidates[b.root].facts
            return fa.ts != fb.ts ? fa.ts > fb.ts : fa.idHash < fb.idHash
        }

        /// Why a candidate's prior is what it is, worded only for the rows shown.
        func priorReason(_ c: Candidate) -> String {
            if c.kind == .failure && c.relation == .itself { return "an earlier failure of \(c.facts.components.first ?? "it") itself, not a change" }
            var why = Self.describe(c.kind)
            if let t = c.priorTrouble {
                why += c.prior >= c.kind.basePrior ? " (\(Self.describe(t)) point at it)" : " (\(Self.describe(t)) rarely come from it)"
            }
            return why
        }

        // 6. The answer: one row per candidate, its chain nested.
        func scored(_ g: Group) -> ScoredEvent? {
            let c = candidates[g.root], b = candidates[g.best]
            guard let e = snap.event(at: c.facts.address, root: root) else { return nil }
            let (path, line) = snap.location(c.facts.address)
            let what = b.facts.components.isEmpty ? b.facts.type : "\(b.facts.type) of \(b.facts.components.joined(separator: ", "))"
            var signals = [
                Signal(name: "relation", value: b.relationWeight, reason: b.relationReason),
                Signal(name: "change", value: b.prior, reason: priorReason(b)),
                Signal(name: "time", value: b.proximity, reason: "\(what) \(durationText((onset - b.facts.ts) / 1000)) before onset"),
            ]
            if b.kind.isChange, let detail = changeDetail(e, kind: c.kind) { signals[1].reason += (g.root == g.best ? ": " : " of ") + detail }
            signals += b.evidence
            if let s = g.chainSignal { signals.append(s) }
            let chain = g.members.filter { $0 != g.root }.sorted { candidates[$0].facts.ts < candidates[$1].facts.ts }
                .compactMap { snap.event(at: candidates[$0].facts.address, root: root) }
            return ScoredEvent(event: e, path: path, line: line, score: g.score, signals: signals, chain: chain, relation: b.relation.name)
        }
        var related: [ScoredEvent] = []
        var probable: ScoredEvent?
        var chain: [TimelineEvent] = []
        for (gi, g) in groups.enumerated() where related.count < max(1, r.limit) {
            guard let row = scored(g) else { continue }
            if gi == 0 && g.score >= Self.threshold {
                probable = row
                chain = g.members.sorted { candidates[$0].facts.ts < candidates[$1].facts.ts }
                    .filter { candidates[$0].kind.isChange || candidates[$0].explicit || $0 == g.root }
                    .compactMap { snap.event(at: candidates[$0].facts.address, root: root) }
                if chain.isEmpty { chain = [row.event] }
            }
            related.append(row)
        }
        var confidence = CorrelationResult.Confidence.low
        if let first = groups.first, first.score >= Self.threshold {
            let second = max(groups.dropFirst().first?.score ?? 0, Relation.unrelated.weight)
            let margin = first.score / second
            if first.explicit || (margin >= 2 && first.score >= 2 * Self.threshold) {
                confidence = .high
            } else if margin >= 1.3 {
                confidence = .medium
            }
        }

        // 7. The response: changes to what the symptom involves after the onset (remedies, not causes).
        var response: [ScoredEvent] = []
        let responseEnd = max(reference, onset) + Self.followUp
        for a in snap.eventsInWindow(since: onset, until: responseEnd) where response.count < 10 {
            var c = Candidate(facts: reader.facts(a))
            relate(&c)
            guard c.relation <= .mentions, !TypeInfo(c.facts.type).isSymptom, let e = snap.event(at: a, root: root) else { continue }
            c.text = e.description
            classify(&c, deployedAfter: [:])
            guard c.kind.isChange, c.kind != .pendingCommit else { continue }
            let after = durationText((c.facts.ts - onset) / 1000)
            let what = c.kind == .rollback ? "rolled back \(after) after the onset: a remedy, not a cause"
                : "\(c.facts.type) \(after) after the onset: part of the response, not a cause"
            let (path, line) = snap.location(a)
            response.append(ScoredEvent(event: e, path: path, line: line, score: 0,
                                        signals: [Signal(name: "response", value: 0, reason: what),
                                                  Signal(name: "relation", value: c.relationWeight, reason: c.relationReason)],
                                        relation: c.relation.name))
        }

        let windowText = durationText(window / 1000)
        let about = subject.isEmpty ? "the symptom" : subject.sorted().joined(separator: ", ")
        let explanation: String
        if let p = probable {
            explanation = "Probable cause: \(p.event.type) \(p.event.id) \"\(TimelineDay.headline(p.event))\" (\(p.summary))."
        } else if considered == 0 {
            explanation = "No events in the \(windowText) before the onset: nothing to blame."
        } else {
            explanation = "No plausible cause among the \(considered) events in the \(windowText) before the onset: nothing changed on \(about), what it depends on or what its symptom names."
        }
        return CorrelationResult(symptom: r.symptom, components: subject.sorted(), onset: Timestamp(milliseconds: onset),
                                 onsetEvent: onsetEvent, probableCause: probable, chain: probable == nil ? [] : chain,
                                 related: related, confidence: confidence, explanation: explanation,
                                 candidatesConsidered: considered, freshness: index.freshness, response: response,
                                 troubles: profile.troubles.map(\.rawValue).sorted())
    }

    // MARK: The episode

    struct Episode {
        var subject: Set<String>
        var onset: Int64
        /// The symptom's failures from the onset on, oldest first.
        var members: [DocAddress]
    }

    /// Finds the component that fails and where its episode of failures began. The subject is the
    /// component named first in the symptom that has failures near the reference; with no component
    /// named, the component of the failures the symptom's words match best.
    func findEpisode(_ r: CorrelationRequest, snap: Snapshot, reader: FactReader, matches: [ComponentMatcher.Match],
                     symptomWords: [String], reference: Int64) -> Episode {
        let searchFrom = reference - (r.at != nil ? 6 * 3_600_000 : 30 * 86_400_000)
        let searchTo = reference + 10 * 60_000 + 1
        let names = matches.map(\.name)
        var byComponent: [String: [(ts: Int64, address: DocAddress, serious: Bool)]] = [:]
        var textual: [(ts: Int64, address: DocAddress, serious: Bool, component: String, score: Float)] = []
        let text = names.isEmpty ? snap.textScoreArrays(r.symptom, since: searchFrom, until: searchTo) : TextScores(ranges: [], scores: [])
        for (s, seg) in snap.segments.enumerated() {
            var typeIDs: [UInt32] = []
            for t in seg.strings(usedAs: .type) where reader.info(t).isSymptom { if let id = seg.stringID(t) { typeIDs.append(id) } }
            guard !typeIDs.isEmpty else { continue }
            var compIDs: [UInt32: String] = [:]
            for n in names { if let id = seg.stringID(n) { compIDs[id] = n } }
            if !names.isEmpty && compIDs.isEmpty { continue }
            for d in seg.lowerBound(time: searchFrom)..<seg.lowerBound(time: searchTo)
            where seg.kind[d] == DocumentKind.event.rawValue && typeIDs.contains(seg.type[d]) && snap.isLive(s, d) {
                let range = seg.componentRange(d)
                guard let firstSlot = range.first else { continue }
                let a = DocAddress(segment: s, doc: d)
                let serious = seg.severity[d] >= 1
                if names.isEmpty {
                    let score = text[a]
                    if score > 0 { textual.append((seg.ts[d], a, serious, reader.string(s, seg.components[firstSlot]), score)) }
                } else if let name = compIDs[seg.components[firstSlot]] {
                    byComponent[name, default: []].append((seg.ts[d], a, serious))
                }
            }
        }
        // Asked about a time, the episode must reach it; asked about now, the latest episode counts.
        let nearFrom = r.at != nil ? reference - Self.episodeGap : searchFrom
        var subject: String?
        var failures: [(ts: Int64, address: DocAddress, serious: Bool)] = []
        if names.isEmpty {
            let top = textual.map(\.score).max() ?? 0
            let good = textual.filter { $0.score >= 0.5 * top && $0.ts >= nearFrom }
            let pool = good.contains { $0.serious } ? good.filter(\.serious) : good
            if let anchor = pool.max(by: { $0.ts < $1.ts }) {
                subject = anchor.component
                failures = textual.filter { $0.component == anchor.component }.map { ($0.ts, $0.address, $0.serious) }
            }
        } else {
            // Named first in the symptom wins among components that fail.
            func position(_ name: String) -> Int {
                let parts = Set(Tokenizer.words(name))
                return symptomWords.firstIndex { w in parts.contains(w) || parts.contains { p in p.count >= 4 && w.count >= 4 && (p.hasPrefix(w) || w.hasPrefix(p)) } } ?? Int.max
            }
            let strongest = matches.map(\.strength).max() ?? 0
            let failing = matches.filter { m in
                m.strength >= strongest - 0.3 && byComponent[m.name]?.contains { $0.serious && $0.ts >= nearFrom } == true
            }
            if let m = failing.min(by: { (position($0.name), -$0.strength) < (position($1.name), -$1.strength) }) {
                subject = m.name
                failures = byComponent[m.name] ?? []
            } else if let m = matches.filter({ $0.strength == strongest }).min(by: { position($0.name) < position($1.name) }) {
                // Named only loosely ("certificate" → cert-manager) and not failing: the failures the rest of
                // the symptom's words describe, if there are any, say what fails.
                if strongest < 1 {
                    var nameWords = Set<String>()
                    for m in matches { nameWords.formUnion(Tokenizer.words(m.name)) }
                    let rest = symptomWords.filter { !nameWords.contains($0) }
                    var other = r
                    other.symptom = rest.joined(separator: " ")
                    let found = findEpisode(other, snap: snap, reader: reader, matches: [], symptomWords: rest, reference: reference)
                    if !found.members.isEmpty && !rest.isEmpty { return found }
                }
                return Episode(subject: [m.name], onset: r.at?.milliseconds ?? reference, members: [])
            }
        }
        guard let subject else { return Episode(subject: [], onset: r.at?.milliseconds ?? reference, members: []) }
        failures.sort { $0.ts < $1.ts }
        let serious = failures.contains { $0.serious } ? failures.filter(\.serious) : failures
        guard let anchorIndex = serious.lastIndex(where: { $0.ts <= searchTo && $0.ts >= nearFrom }) else {
            return Episode(subject: [subject], onset: r.at?.milliseconds ?? reference, members: [])
        }
        var i = anchorIndex
        while i > 0, serious[i].ts - serious[i - 1].ts <= Self.episodeGap { i -= 1 }
        var onset = serious[i].ts
        // A given onset earlier than the failures stays: the question may be about the first sign.
        if let at = r.at?.milliseconds, at < onset { onset = at }
        let members = failures.filter { $0.ts >= onset }.map(\.address)
        return Episode(subject: [subject], onset: onset, members: members)
    }

    // MARK: Helpers

    static let roleWords: Set<String> = ["api", "app", "service", "svc", "server", "worker", "db", "cache", "mcp", "ui", "web", "operator",
                                         "proxy", "agent", "scheduler", "controller", "manager", "backend", "frontend", "job", "cron",
                                         "daemon", "node", "ip", "the", "and", "for", "with", "our", "from", "not"]

    /// "Progressing → Healthy", "rollout restart complete", "Degraded -> Healthy".
    static func saysHealthy(_ text: String?) -> Bool {
        guard let t = text?.lowercased() else { return false }
        return t.includes("→ healthy") || t.includes("-> healthy") || (t.includes("rollout") && t.includes("complete"))
    }

    static func isDeployType(_ type: String) -> Bool {
        let t = type.lowercased()
        return t.includes("deploy") || t.includes("rollout") || t.includes("release") || t.includes("sync")
    }

    /// Known component names written out in a text (as whole words).
    static func componentsNamed(in text: String, known: [String]) -> [String] {
        let joined = " " + Tokenizer.words(text).joined(separator: " ") + " "
        return known.filter { c in
            let w = Tokenizer.words(c)
            return w.count >= 2 && joined.includes(" " + w.joined(separator: " ") + " ")
        }
    }

    /// Whether `text` names `name` whole, not as part of a longer name: "hits billing-db" names billing-db,
    /// "Synced billing-api-canary" does not name billing-api.
    static func namesWhole(_ text: String, _ name: String) -> Bool {
        let t = Array(text.lowercased().utf8), n = Array(name.lowercased().utf8)
        guard !n.isEmpty, t.count >= n.count else { return false }
        func isNameByte(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c == 45 || c == 95 }
        for i in 0...(t.count - n.count) where t[i] == n[0] && t[i..<(i + n.count)].elementsEqual(n) {
            if (i == 0 || !isNameByte(t[i - 1])) && (i + n.count == t.count || !isNameByte(t[i + n.count])) { return true }
        }
        return false
    }

    /// Host names in a text ("api.sendgrid.com", "registry.acme.internal"), not component names.
    static func hosts(in text: String, known: Set<String>) -> [String] {
        var out: [String] = []
        for raw in text.split(whereSeparator: { " \t\n()[]{},;'\"`=".contains($0) }) {
            var token = raw.split(separator: "/").first.map(String.init) ?? ""
            if let colon = token.firstIndex(of: ":") { token = String(token[..<colon]) }
            while let last = token.last, ".:".contains(last) { token.removeLast() }
            let labels = token.split(separator: ".")
            guard labels.count >= 2, labels.allSatisfy({ $0.contains { $0.isLetter } }), labels.last!.allSatisfy(\.isLetter),
                  !known.contains(token), !out.contains(token.lowercased()) else { continue }
            out.append(token.lowercased())
        }
        return out
    }

    /// The namespace most of the subject's events carry in the window.
    static func usualNamespace(of subject: Set<String>, snap: Snapshot, reader: FactReader, from: Int64, to: Int64) -> String? {
        guard !subject.isEmpty else { return nil }
        var counts: [String: Int] = [:]
        for a in snap.eventsInWindow(since: from, until: to) {
            let seg = snap.segments[a.segment]
            guard let slot = seg.componentRange(a.doc).first, subject.contains(reader.string(a.segment, seg.components[slot])) else { continue }
            let ns = seg.group[a.doc]
            if ns != noString { counts[reader.string(a.segment, ns), default: 0] += 1 }
        }
        return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
    }

    static func describe(_ kind: ChangeKind) -> String {
        switch kind {
        case .deploy: return "a deploy"
        case .rollback: return "a rollback before the onset, a change like any other"
        case .config: return "a configuration change"
        case .secret: return "a secret or credential change"
        case .memoryLimit: return "a memory limit change"
        case .autoscaling: return "an autoscaler setting change"
        case .connectionSetting: return "a connection limit change"
        case .registryChange: return "an image or registry change"
        case .certificateChange: return "a certificate change"
        case .networkPolicy: return "a network policy change"
        case .commit: return "a commit, deployed since"
        case .pendingCommit: return "a commit never deployed"
        case .docsCommit: return "a documentation or test-only commit"
        case .agentChange: return "an agent task that changed a live resource"
        case .agentRoutine: return "an agent task that changed nothing"
        case .scaleToZero: return "scaled to zero"
        case .scaleDown: return "scaled down"
        case .scaleUp: return "scaled up, a response to load"
        case .failure: return "a failure of what the symptom needs"
        case .latentFailure: return "a failed renewal or backup, which shows later"
        case .coldActivation: return "a cold start"
        case .stackActivation: return "a warm stack activation"
        case .stackDeactivation: return "a stack deactivation"
        case .nodeMaintenance: return "node maintenance"
        case .removal: return "a removal"
        case .observation: return "an observation (alert, probe, passing task), not a change"
        }
    }

    static func describe(_ t: SymptomProfile.Trouble) -> String {
        switch t {
        case .crash: return "crash loops"
        case .errors: return "errors"
        case .latency: return "latency and timeouts"
        case .imagePull: return "image pull failures"
        case .memory: return "OOM kills"
        case .backlog: return "backlogs"
        case .certificate: return "certificate errors"
        case .dns: return "DNS failures"
        case .connections: return "connection failures"
        case .connectionLimit: return "connection limits"
        case .tests: return "failing tests"
        case .eviction: return "evictions"
        case .coldStart: return "cold starts"
        case .permission: return "permission errors"
        }
    }

    /// Types of the recorded causes of past failures of these components: (type -> one example).
    private func pastCauses(_ snap: Snapshot, components: Set<String>, before: Int64) -> [String: (component: String, day: String)] {
        var out: [String: (String, String)] = [:]
        guard !components.isEmpty else { return out }
        let from = before - 90 * 86_400_000 // the last quarter: how the component fails now
        var examined = 0 // past incidents looked at: enough to know the usual causes, bounded in time
        for (s, seg) in snap.segments.enumerated() {
            let ids = Set(components.compactMap { seg.stringID($0) })
            guard !ids.isEmpty else { continue }
            for d in seg.lowerBound(time: from)..<seg.lowerBound(time: before) where seg.causedBy[d] != 0 && snap.isLive(s, d) {
                var on: String?
                for c in seg.componentRange(d) where ids.contains(seg.components[c]) { on = seg.string(seg.components[c]); break }
                guard let component = on, TypeInfo(seg.string(seg.type[d])).isSymptom else { continue }
                // The cause: shortly before its effect (within two days).
                examined += 1
                if examined > 20 { return out }
                let target = seg.causedBy[d]
                var found: String?
                for (s2, seg2) in snap.segments.enumerated() {
                    for d2 in seg2.lowerBound(time: seg.ts[d] - 2 * 86_400_000)..<seg2.lowerBound(time: seg.ts[d] + 1)
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

private func subjectText(_ s: Set<String>) -> String { s.isEmpty ? "the symptom" : s.sorted().joined(separator: ", ") }

extension Relation {
    var name: String {
        switch self {
        case .itself: return "itself"
        case .named: return "named"
        case .dependency: return "dependency"
        case .infrastructure: return "infrastructure"
        case .host: return "host"
        case .mentions: return "mentions"
        case .word: return "word"
        case .namespaceWide: return "namespace"
        case .dependent: return "dependent"
        case .sibling: return "sibling"
        case .unrelated: return "unrelated"
        }
    }
}

/// What changed, in words a person can check against the event: "revision 4f2a9c1", "PROVIDER_TIMEOUT_MS".
func changeDetail(_ e: TimelineEvent, kind: ChangeKind) -> String? {
    let d = e.description
    let lower = d.lowercased()
    switch kind {
    case .deploy, .rollback, .registryChange, .certificateChange:
        if let r = lower.range(of: "revision ") {
            let rev = lower[r.upperBound...].prefix { $0.isLetter || $0.isNumber }
            if !rev.isEmpty { return "changed revision \(rev)" }
        }
        if lower.includes("image") { return "changed image" }
        return nil
    case .commit, .pendingCommit, .docsCommit:
        let sha = (e.details["sha"]?.stringValue).map { String($0.prefix(7)) }
        return "commit\(sha.map { " " + $0 } ?? "") \"\(TimelineDay.headline(e))\""
    default:
        if let key = e.details["key"]?.stringValue ?? e.details["field"]?.stringValue {
            if let old = e.details["old"].flatMap(scalarText), let new = e.details["new"].flatMap(scalarText) { return "\(key) \(old) → \(new)" }
            return "changed \(key)"
        }
        let words = d.split(separator: " ")
        if let i = words.firstIndex(where: { $0 == "Changed" || $0 == "changed" }), i + 1 < words.count { return "changed \(words[i + 1])" }
        if let i = words.firstIndex(of: "key"), i + 1 < words.count { return "changed key \(words[i + 1])" }
        return nil
    }
}

/// A detail value in words, when it is a string or a number.
private func scalarText(_ v: JSONValue) -> String? {
    if let s = v.stringValue { return s }
    if case let .number(n) = v { return n == n.rounded() ? String(Int(n)) : String(n) }
    return nil
}
