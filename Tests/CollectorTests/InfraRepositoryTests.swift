import Collector
import Foundation
import GitKit
import Logging
import MemoryModel
import MemoryStore
import Testing
import TestSupport

/// A memory repository for collector tests (git-backed, initialised by the store).
final class MemoryFixture {
    let dir: TestSupport.TemporaryDirectory
    let store: MemoryStore
    var root: String { store.root }

    init() throws {
        dir = TestSupport.TemporaryDirectory("cmem-infra")
        _ = try MemoryStore.initialize(at: dir.file("memory"), logger: testLogger)
        store = try MemoryStore(path: dir.file("memory"), logger: testLogger)
    }

    func git(_ args: String...) throws -> ProcessResult { try ProcessRunner.git(args, cwd: root) }

    var head: String { (try? git("rev-parse", "HEAD").trimmed) ?? "" }

    /// The paths a commit changed.
    func paths(of commit: String) throws -> [String] {
        try git("show", "--name-only", "--format=", commit).trimmed.split(separator: "\n").map(String.init).sorted()
    }
}

@Suite("Infrastructure state in the memory repository")
struct InfraRepositoryTests {
    let t1 = Timestamp(iso8601: "2026-01-19T10:00:00Z")!
    let t2 = Timestamp(iso8601: "2026-01-19T10:01:00Z")!

    @Test func aBaselineThenTheRealChangesInOneCommitThenNothing() async throws {
        let memory = try MemoryFixture()
        let scenario = try Scenario()
        let first = try await scenario.snapshot(second: false)
        let second = try await scenario.snapshot(second: true)

        let baseline = try InfraRepository.record(first, at: t1, store: memory.store)
        #expect(baseline.baseline)
        // The baseline records only what was already failing (here the fixture's BackOff warning).
        #expect(!baseline.events.isEmpty)
        #expect(baseline.events.allSatisfy { $0.details["found_at_start"] == .bool(true) })
        let baselineCommit = try #require(baseline.commit)
        let baselinePaths = try memory.paths(of: baselineCommit.hex)
        #expect(baselinePaths.filter { !$0.hasPrefix("components/") } == [InfraRepository.pagePath, InfraRepository.statePath, "timeline/2026/01/2026-01-19.md"])
        // The notes the events' `[[component]]` links land on start in the same commit.
        #expect(Set(baselinePaths.filter { $0.hasPrefix("components/") }) == Set(baseline.events.flatMap(\.components).map { "components/\($0).md" }))
        #expect(try InfraRepository.load(store: memory.store) == first)
        let page = try String(contentsOfFile: memory.root + "/" + InfraRepository.pagePath, encoding: .utf8)
        #expect(page.hasPrefix("# Infrastructure"))

        // The same cluster again: no commit at all.
        let again = try InfraRepository.record(try await scenario.snapshot(second: false), at: t2, store: memory.store)
        #expect(again.commit == nil)
        #expect(again.events.isEmpty)
        #expect(!again.stateChanged)
        #expect(memory.head == baselineCommit.hex)

        let changed = try InfraRepository.record(second, at: t2, store: memory.store)
        let commit = try #require(changed.commit)
        #expect(changed.events.map(\.type).sorted() == ["component_removed", "deployment", "health_change", "pod_restart", "scaling"])
        // Events and state in one commit, the message listing them.
        #expect(try memory.paths(of: commit.hex).filter { !$0.hasPrefix("components/") }
            == [InfraRepository.pagePath, InfraRepository.statePath, "timeline/2026/01/2026-01-19.md"])
        let message = try memory.git("log", "-1", "--format=%B").stdout
        #expect(message.contains("infrastructure: 5 changes"))
        for e in changed.events { #expect(message.contains(e.id)) }
        let recorded = try memory.store.timeline(MemoryStore.TimelineFilter()).events
        #expect(Set(recorded.map(\.id)) == Set((baseline.events + changed.events).map(\.id)))
        #expect(try memory.git("status", "--porcelain").trimmed == "")

        // Recording the same second round again adds nothing.
        let repeated = try InfraRepository.record(try await scenario.snapshot(second: true), at: t2.adding(seconds: 60), store: memory.store)
        #expect(repeated.commit == nil)
        #expect(try InfraRepository.history(store: memory.store).count == 2)
    }

    @Test func theStateAtATimeComesFromGitHistory() async throws {
        let memory = try MemoryFixture()
        let scenario = try Scenario()
        let first = try await scenario.snapshot(second: false)
        try InfraRepository.record(first, at: t1, store: memory.store)
        let between = Timestamp.now()
        try await Task.sleep(nanoseconds: 1_100_000_000) // commit times have one-second resolution
        try InfraRepository.record(try await scenario.snapshot(second: true), at: t2, store: memory.store)

        let old = try #require(try InfraRepository.state(atOrBefore: between, store: memory.store))
        #expect(old.snapshot == first)
        let now = try #require(try InfraRepository.state(atOrBefore: .now(), store: memory.store))
        #expect(now.snapshot == (try InfraRepository.load(store: memory.store)))
        #expect(try InfraRepository.state(atOrBefore: Timestamp(iso8601: "2000-01-01")!, store: memory.store) == nil)

        let diff = StructuredDiff.between(old.snapshot, now.snapshot)
        #expect(diff.removed.map(\.key) == ["service/perf-stg/useraccount-legacy"])
        #expect(diff.changed.contains { $0.component == "deployment/ned/valla" && $0.field == "replicas" && $0.old == .number(1) && $0.new == .number(3) })
    }

    @Test func kindsLeftOutBySourceKeepTheirState() async throws {
        let memory = try MemoryFixture()
        let scenario = try Scenario()
        let collector = makeCollector()
        try InfraRepository.record(try await scenario.snapshot(second: false), at: t1, store: memory.store)

        // Round two, reading only Argo CD: the application goes Degraded; nothing else is touched.
        let dir = try scenario.directory(second: true)
        defer { dir.cleanup() }
        let plan = CollectionPlan(kinds: try CollectionPlan.parseSources("argocd"), available: collector.kinds)
        let partial = await collector.collect(from: DirectorySource(directory: dir.path, complete: true), kinds: plan.kinds, skipped: plan.skipped)
        let result = try InfraRepository.record(partial, at: t2, store: memory.store) { previous, change in
            plan.restoreSkipped(previous: previous, in: &change)
        }
        #expect(result.events.map(\.type) == ["health_change"])
        #expect(result.snapshot.components["deployment/ned/valla"]?.replicas == 1)
        #expect(result.snapshot.components["service/perf-stg/useraccount-legacy"] != nil)
        #expect(result.snapshot.sources.values.allSatisfy { !$0.isFailed })
        #expect(plan.failures(in: partial).isEmpty)
    }

    @Test func sourceSelectionWords() throws {
        #expect(try CollectionPlan.parseSources("argocd") == [.applications])
        #expect(try CollectionPlan.parseSources("events, pods") == [.events, .pods])
        let k8s = try CollectionPlan.parseSources("kubernetes")
        #expect(k8s.contains(.deployments) && !k8s.contains(.events) && !k8s.contains(.applications))
        #expect(try CollectionPlan.parseSources("k8s,argocd,events") == Set(InfraKind.allCases))
        #expect(throws: ValidationError.self) { try CollectionPlan.parseSources("kubernetes,nope") }
        #expect(throws: ValidationError.self) { try CollectionPlan.parseSources(" , ") }
    }

    @Test func anUnreadableStateIsReplacedAndANewerOneIsRefused() async throws {
        let memory = try MemoryFixture()
        let scenario = try Scenario()
        try FileManager.default.createDirectory(atPath: memory.root + "/infrastructure", withIntermediateDirectories: true)
        try "{ not json".write(toFile: memory.root + "/" + InfraRepository.statePath, atomically: true, encoding: .utf8)
        let result = try InfraRepository.record(try await scenario.snapshot(second: false), at: t1, store: memory.store)
        #expect(result.replacedUnreadableState != nil)
        #expect(result.baseline)
        #expect(result.commit != nil)

        try #"{"version": 99, "components": {}}"#.write(toFile: memory.root + "/" + InfraRepository.statePath, atomically: true, encoding: .utf8)
        #expect(throws: InfraRepository.NewerFormatError.self) {
            try InfraRepository.record(InfraSnapshot(), at: t2, store: memory.store)
        }
    }

    @Test func aFailingSourceIsRecordedAndItsComponentsKept() async throws {
        let memory = try MemoryFixture()
        let scenario = try Scenario()
        try InfraRepository.record(try await scenario.snapshot(second: false), at: t1, store: memory.store)
        let broken = try await scenario.snapshot(second: true, replacing: ["pods.json": "garbage"])
        let result = try InfraRepository.record(broken, at: t2, store: memory.store)
        // Pods failed, deployments answered: the deployments' own changes (icx-db's image, valla scaled
        // 1 → 3) are recorded, what only pods tell (useraccount's readiness) is kept as last seen; the
        // Service removal and the Argo CD change count as before (issue 14).
        #expect(result.events.map(\.type).sorted() == ["component_removed", "deployment", "health_change", "scaling"])
        #expect(result.events.first { $0.type == "scaling" }?.description.contains("valla") == true)
        #expect(result.snapshot.components["deployment/ned/valla"]?.replicas == 3)
        #expect(result.snapshot.components["deployment/perf-stg/useraccount"]?.status
                == (try await scenario.snapshot(second: false)).components["deployment/perf-stg/useraccount"]?.status)
        #expect(result.snapshot.sources["pods"]?.isFailed == true)
        let page = try String(contentsOfFile: memory.root + "/" + InfraRepository.pagePath, encoding: .utf8)
        #expect(page.contains("Sources that failed"))
    }
}

@Suite("Repository names from git remotes")
struct RepositoryNameTests {
    @Test func repositoryNamesAndURLs() {
        #expect(GitEventBuilder.withoutCredentials("https://user:ghp_secret@github.com/acme/widgets.git") == "https://github.com/acme/widgets.git")
        #expect(GitEventBuilder.withoutCredentials("git@github.com:acme/widgets.git") == "git@github.com:acme/widgets.git")
        #expect(GitEventBuilder.withoutCredentials("https://github.com/a@b/c") == "https://github.com/a@b/c")
        #expect(GitEventBuilder.repositoryName(remoteURL: "git@github.com:acme/widgets.git", root: "/x/y") == "widgets")
        #expect(GitEventBuilder.repositoryName(remoteURL: "https://github.com/acme/widgets/", root: "/x/y") == "widgets")
        #expect(GitEventBuilder.repositoryName(remoteURL: nil, root: "/src/My Project") == "My-Project")
        #expect(GitEventBuilder.branch(fromRef: "refs/heads/feature/x") == "feature/x")
        #expect(GitEventBuilder.branch(fromRef: "HEAD") == nil)
    }
}
