import Testing
import MemoryModel
import TestSupport
import CmemFixtures
@testable import MemoryIndex

/// A small memory with every kind of note, for ranking and filter tests.
private func sampleRepository() throws -> TemporaryGitRepository {
    let repo = try TemporaryGitRepository()
    let day1 = [
        Fixture.event("ev-20260119-100000-0000000001", "2026-01-19T10:00:00Z", "deployment", "Synced github-mcp-server to revision abc1234",
                      components: ["github-mcp-server"], source: "argocd", details: [("namespace", .string("cortex-mcp"))]),
        Fixture.event("ev-20260119-110000-0000000002", "2026-01-19T11:00:00Z", "pod_restart", "Pod github-mcp-server-x restarted: OOMKilled",
                      components: ["github-mcp-server"], source: "k8s", severity: .warning),
        Fixture.event("ev-20260119-120000-0000000003", "2026-01-19T12:00:00Z", "config_change", "Changed REGISTRY_URL for billing-api from 1 to 2",
                      components: ["billing-api"], source: "git", details: [("note", .string("registry mirror moved"))]),
    ]
    let day2 = [
        Fixture.event("ev-20260120-090000-0000000004", "2026-01-20T09:00:00Z", "incident", "Incident: billing-api returning 502",
                      components: ["billing-api"], source: "cortex", severity: .critical),
        Fixture.event("ev-20260120-100000-0000000005", "2026-01-20T10:00:00Z", "deployment", "Switch registry mirror for billing-api",
                      components: ["billing-api", "registry-proxy"], source: "argocd", severity: .info),
    ]
    var s1 = Session(id: "sess-20260119-080000-aaaaaaaaaa", project: "cortex", workingDirectory: "/src/cortex",
                     startedAt: Fixture.time("2026-01-19T08:00:00Z"), currentTask: "Fix registry timeouts in the billing api")
    s1.summary = "Blocked on registry unavailable"
    s1.blockers = ["registry down"]
    s1.decisions = ["dec-20260119-083000-bbbbbbbbbb"]
    let s2 = Session(id: "sess-20260120-080000-cccccccccc", project: "layer", workingDirectory: "/src/layer",
                     startedAt: Fixture.time("2026-01-20T08:00:00Z"), currentTask: "Scale down layer workers")
    let d1 = Decision(id: "dec-20260119-083000-bbbbbbbbbb", sessionID: s1.id, timestamp: Fixture.time("2026-01-19T08:30:00Z"),
                      decision: "Use the registry mirror", rationale: "registry unavailable during peak hours",
                      alternatives: ["vendor dependency"], components: ["billing-api"], project: "cortex")
    let d2 = Decision(id: "dec-20260120-083000-dddddddddd", sessionID: s2.id, timestamp: Fixture.time("2026-01-20T08:30:00Z"),
                      decision: "Scale to zero at night", rationale: "cost", alternatives: ["keep the registry warm"], project: "layer")
    var files: [String: String] = [:]
    for day in [day1, day2] {
        let (p, t) = Fixture.dayFile(day)
        files[p] = t
    }
    files[s1.path] = MemoryFiles.sessionNote(s1)
    files[s2.path] = MemoryFiles.sessionNote(s2)
    files[d1.path] = MemoryFiles.decisionNote(d1)
    files[d2.path] = MemoryFiles.decisionNote(d2)
    files["README.md"] = "# memory\nregistry registry registry\n"
    try repo.commitFiles(files)
    return repo
}

@Suite struct SearchTests {
    @Test func fieldWeightsRankTheDecisionTextAboveAlternatives() throws {
        let repo = try sampleRepository()
        let index = try Fixture.open(repo)
        let hits = index.search(SearchQuery("registry", kinds: [.decision])).hits
        #expect(hits.map(\.id) == ["dec-20260119-083000-bbbbbbbbbb", "dec-20260120-083000-dddddddddd"])
        #expect(hits[0].decision?.rationale == "registry unavailable during peak hours")
        #expect(hits[0].location == "decisions/2026/01/dec-20260119-083000-bbbbbbbbbb.md:1")
        // An event's description weighs more than its details.
        let events = index.search(SearchQuery("mirror", kinds: [.event])).hits
        #expect(events.map(\.id) == ["ev-20260120-100000-0000000005", "ev-20260119-120000-0000000003"])
    }

    @Test func hitsCarryTheirFileAndLine() throws {
        let repo = try sampleRepository()
        let index = try Fixture.open(repo)
        let hit = try #require(index.search(SearchQuery("oomkilled")).hits.first)
        #expect(hit.path == "timeline/2026/01/2026-01-19.md")
        let lines = try repo.directory.read(hit.path).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[hit.line - 1].hasPrefix("## 11:00:00 pod_restart"))
        #expect(hit.event?.severity == .warning)
        // README.md is a note like any other a person writes: its hits say so.
        #expect(index.search(SearchQuery("registry")).hits.allSatisfy { $0.path != "README.md" || $0.kind == .note })
        #expect(index.search(SearchQuery("registry", kinds: [.event, .decision, .session])).hits.allSatisfy { $0.path != "README.md" })
    }

    @Test func everyFilter() throws {
        let repo = try sampleRepository()
        let index = try Fixture.open(repo)
        func ids(_ q: SearchQuery) -> [String] { index.search(q).hits.map(\.id) }
        #expect(ids(SearchQuery("registry", kinds: [.session])) == ["sess-20260119-080000-aaaaaaaaaa"])
        #expect(ids(SearchQuery("billing", eventTypes: ["incident"])) == ["ev-20260120-090000-0000000004"])
        #expect(ids(SearchQuery("", sources: ["argocd"], order: .oldestFirst)) == ["ev-20260119-100000-0000000001", "ev-20260120-100000-0000000005"])
        #expect(Set(ids(SearchQuery("", components: ["registry-proxy"]))) == ["ev-20260120-100000-0000000005"])
        #expect(ids(SearchQuery("", severities: SearchQuery.severities(atLeast: .warning), order: .newestFirst))
            == ["ev-20260120-090000-0000000004", "ev-20260119-110000-0000000002"])
        #expect(ids(SearchQuery("", kinds: [.event], since: Fixture.time("2026-01-19T10:30:00Z"), until: Fixture.time("2026-01-20T09:00:00Z"),
                                order: .oldestFirst)) == ["ev-20260119-110000-0000000002", "ev-20260119-120000-0000000003"])
        #expect(Set(ids(SearchQuery("", session: "sess-20260119-080000-aaaaaaaaaa")))
            == ["sess-20260119-080000-aaaaaaaaaa", "dec-20260119-083000-bbbbbbbbbb"])
        #expect(Set(ids(SearchQuery("", project: "layer"))) == ["sess-20260120-080000-cccccccccc", "dec-20260120-083000-dddddddddd"])
        #expect(ids(SearchQuery("registry", project: "nope")).isEmpty)
        #expect(ids(SearchQuery("", components: ["no-such-component"])).isEmpty)
        // Time order requires every term; relevance needs one.
        #expect(ids(SearchQuery("registry billing", kinds: [.event], order: .newestFirst)) == ["ev-20260120-100000-0000000005", "ev-20260119-120000-0000000003"])
        #expect(index.search(SearchQuery("registry oomkilled", kinds: [.event])).totalMatches == 3)
        #expect(ids(SearchQuery("registry", limit: 1)).count == 1)
        // A range that ends before it starts matches nothing (and does not trap).
        #expect(ids(SearchQuery("registry", since: Fixture.time("2026-01-20T00:00:00Z"), until: Fixture.time("2026-01-19T00:00:00Z"))).isEmpty)
        #expect(ids(SearchQuery("registry", limit: 0)).isEmpty)
    }

    @Test func componentHistoryEventLookupAndEffects() throws {
        let repo = try TemporaryGitRepository()
        let cause = Fixture.event("ev-20260119-100000-0000000001", "2026-01-19T10:00:00Z", "config_change", "Changed LOG_LEVEL", components: ["a-api"])
        let effect = Fixture.event("ev-20260119-110000-0000000002", "2026-01-19T11:00:00Z", "incident", "Incident: a-api down", components: ["a-api"],
                                   causedBy: cause.id)
        let other = Fixture.event("ev-20260119-120000-0000000003", "2026-01-19T12:00:00Z", "deployment", "Deployed b-api", components: ["b-api"])
        let later = Fixture.event("ev-20260121-090000-0000000004", "2026-01-21T09:00:00Z", "deployment", "Deployed a-api again", components: ["a-api"])
        let (p1, t1) = Fixture.dayFile([cause, effect, other])
        let (p2, t2) = Fixture.dayFile([later])
        try repo.commitFiles([p1: t1, p2: t2])
        let index = try Fixture.open(repo)
        #expect(index.events(component: "a-api").map(\.id) == [later.id, effect.id, cause.id])
        #expect(index.events(component: "a-api", since: Fixture.time("2026-01-19T10:30:00Z"), until: Fixture.time("2026-01-20T00:00:00Z")).map(\.id) == [effect.id])
        #expect(index.events(component: "a-api", limit: 1).map(\.id) == [later.id])
        #expect(index.event(id: effect.id) == effect)
        #expect(index.event(id: "ev-20260119-100000-ffffffffff") == nil)
        #expect(index.caused(by: cause.id).map(\.id) == [effect.id])
        #expect(index.componentNames() == ["a-api", "b-api"])
        #expect(index.location(id: later.id)?.path == "timeline/2026/01/2026-01-21.md")
    }

    @Test func statusReportsCountsAndStaleness() throws {
        let repo = try sampleRepository()
        let index = try Fixture.open(repo)
        var status = index.status()
        #expect(status.events == 5 && status.decisions == 2 && status.sessions == 2)
        #expect(status.files == 7) // 6 notes cmem wrote, and README.md
        #expect(status.snapshotBytes > 0)
        #expect(!status.isStale)
        #expect(status.head == index.freshness.commit && status.head != nil)
        // A new commit makes the open index stale until it is refreshed.
        let e = Fixture.event("ev-20260121-100000-0000000009", "2026-01-21T10:00:00Z", "deployment", "Deployed", components: ["x-api"])
        let (p, t) = Fixture.dayFile([e])
        try repo.commitFiles([p: t])
        status = index.status()
        #expect(status.isStale)
        try index.refresh()
        status = index.status()
        #expect(!status.isStale)
        #expect(status.events == 6)
    }
}

@Suite struct RankingTests {
    /// The pruned top-k (MaxScore, newest first among ties) returns the same scores as scoring everything.
    @Test func prunedTopKEqualsExhaustiveScoring() throws {
        let repo = try TemporaryGitRepository()
        var g = NoiseGenerator(seed: 21)
        let start = Fixture.time("2026-04-01T00:00:00Z")
        let events = g.events(count: 4000, from: start, to: start.adding(seconds: 3 * 86_400))
        let paths = try MemoryFiles.write(events: events, to: repo.path)
        try repo.commit(paths)
        let index = try Fixture.open(repo)
        let snap = index.snapshot
        let queries = ["scaled", "github mcp server", "registry unavailable crash", "oomkilled pod restarted", "keda cooldown",
                       "rollback v1", "incident postgres connection refused", "pip install logic init container"]
        for text in queries {
            for filtered in [false, true] {
                var q = SearchQuery(text, limit: 10)
                if filtered { q.severities = SearchQuery.severities(atLeast: .warning) }
                let pruned = snap.run(q).hits.map { Double($0.1) }
                var all: [Double] = []
                let terms = snap.weightedTerms(text)
                for s in snap.segments.indices {
                    snap.forEachMatch(s, terms: terms, filter: ResolvedFilter(q, segment: snap.segments[s]), requireAll: false) { _, score in
                        all.append(Double(score))
                    }
                }
                let best = Array(all.sorted(by: >).prefix(10))
                #expect(pruned.count == best.count, "\(text)")
                for (a, b) in zip(pruned, best) { #expect(abs(a - b) < 1e-4, "\(text) filtered=\(filtered)") }
            }
        }
    }
}

/// Words a person wrote are searchable (issue 17): a session's todos, and the text a person adds to a
/// session or decision note outside the part cmem regenerates.
@Suite struct HumanWordsTests {
    @Test func todosAndHandWrittenNotesAreFound() throws {
        let repo = try TemporaryGitRepository()
        var s = Session(id: "sess-20260301-080000-aaaaaaaaaa", project: "cortex", workingDirectory: "/src/cortex",
                        startedAt: Fixture.time("2026-03-01T08:00:00Z"), currentTask: "Renew the ingress certificates")
        s.todoList = [Session.Todo(text: "automate the cert rotation job")]
        let d = Decision(id: "dec-20260301-083000-bbbbbbbbbb", sessionID: s.id, timestamp: Fixture.time("2026-03-01T08:30:00Z"),
                         decision: "Use cert-manager for ingress", rationale: "manual renewals are missed", alternatives: [], project: "cortex")
        // As the store writes it: the generated part between the markers, then the person's `## Notes`.
        let generated = MemoryFiles.decisionNote(d).replacingOccurrences(of: "\n## Notes\n", with: "\n")
            + ManagedSection.wrap("- Status: accepted\ngenerated words zanzibar\n") + "\n## Notes\n"
        let edited = generated + "Postmortem: the rotation cronjob was paused by hand in January.\n"
        try repo.commitFiles([s.path: MemoryFiles.sessionNote(s), d.path: edited])
        let index = try Fixture.open(repo)

        #expect(index.search(SearchQuery("rotation job")).hits.map(\.id) == [s.id, d.id])
        #expect(index.search(SearchQuery("automate")).hits.map(\.id) == [s.id])
        #expect(index.search(SearchQuery("cronjob paused")).hits.map(\.id) == [d.id])
        #expect(index.search(SearchQuery("zanzibar")).hits.isEmpty, "text inside the generated part counted as the person's")
    }
}
