import Collector
import Foundation
import MemoryModel
import Testing

@Suite("Sources, backoff and the loop")
struct SourceTests {
    @Test func directorySourceReportsPresentMissingAndUnreadableFiles() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try dir.write("nodes.json", String(decoding: try Fixture.bytes("k8s_nodelist.json"), as: UTF8.self))
        try FileManager.default.createDirectory(atPath: dir.path + "/pods.json", withIntermediateDirectories: false)
        let source = DirectorySource(directory: dir.path)
        guard case .data = await source.fetch(.nodes) else { Issue.record("nodes.json should read"); return }
        // A missing file is a kind that was not collected, not a cluster without it (issue 14).
        guard case let .failed(why) = await source.fetch(.services) else { Issue.record("a missing file read as absent"); return }
        #expect(why.contains("services.json") && why.contains("--complete"))
        #expect(await DirectorySource(directory: dir.path, complete: true).fetch(.services) == .absent)
        #expect(await source.fetch(.pods) == .failed("pods.json is a directory"))

        let snapshot = await makeCollector().collect(from: DirectorySource(directory: dir.path, complete: true))
        #expect(snapshot.sources["nodes"] == .ok)
        #expect(snapshot.sources["services"] == .absent)
        #expect(snapshot.sources["pods"]?.isFailed == true)
        #expect(snapshot.components["node/minikube"] != nil)
    }

    // MARK: kubectl

    /// A fake `kubectl` written as a shell script in a temporary directory.
    func fakeKubectl(_ body: String) throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/kubectl"
        try dir.write("kubectl", "#!/bin/sh\n" + body + "\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return (dir, path)
    }

    @Test func kubectlCommandLineCarriesContextAndKubeconfig() {
        let source = KubectlSource(context: "prod", kubeconfig: "/home/me/.kube/config", timeoutSeconds: 20, logger: testLogger)
        #expect(source.arguments(for: .pods) == ["kubectl", "--kubeconfig", "/home/me/.kube/config", "--context", "prod", "get", "pods",
                                                  "--all-namespaces", "-o", "json", "--request-timeout", "18s"])
        #expect(source.arguments(for: .applications)?.contains("applications.argoproj.io") == true)
        let cli = KubectlSource(argocd: .cli, logger: testLogger)
        #expect(cli.arguments(for: .applications) == ["argocd", "app", "list", "-o", "json"])
        #expect(KubectlSource(argocd: .off, logger: testLogger).arguments(for: .applications) == nil)
    }

    @Test func missingKubectlIsAFailedSource() async {
        let source = KubectlSource(kubectl: "/nonexistent/kubectl-\(UUID().uuidString)", logger: testLogger)
        let result = await source.fetch(.pods)
        guard case let .failed(message) = result else { Issue.record("expected a failure, got \(result)"); return }
        #expect(message.contains("not found"))
    }

    @Test func kubectlOutputIsRead() async throws {
        let fixture = Fixture.directory.appendingPathComponent("k8s_nodelist.json").path
        let (dir, path) = try fakeKubectl("cat '\(fixture)'")
        defer { dir.cleanup() }
        let result = await KubectlSource(kubectl: path, logger: testLogger).fetch(.nodes)
        #expect(result == .data(try Fixture.bytes("k8s_nodelist.json")), "\(result)")
    }

    @Test func aHangingKubectlIsKilledAtTheTimeout() async throws {
        // The child `sleep` is in the same process group and dies with it.
        let (dir, path) = try fakeKubectl("sleep 30; echo '{}'")
        defer { dir.cleanup() }
        // No wall-clock bound here: under the parallel test run the cooperative pool can be starved for
        // many seconds. A `.failed("timed out")` result is the proof: left alone, the child would have
        // printed `{}` after 30 s and the fetch would have succeeded.
        let result = await KubectlSource(kubectl: path, timeoutSeconds: 0.5, logger: testLogger).fetch(.pods)
        guard case let .failed(message) = result else { Issue.record("expected a timeout, got \(result)"); return }
        #expect(message.contains("timed out"))
    }

    @Test func kubectlErrorsAreShortAndStable() async throws {
        let (dir, path) = try fakeKubectl("""
        echo 'E1125 11:32:00.123456   12345 memcache.go:265] couldn'"'"'t get current server API group list' >&2
        echo 'error: context "nope" does not exist' >&2
        exit 1
        """)
        defer { dir.cleanup() }
        let result = await KubectlSource(kubectl: path, context: "nope", logger: testLogger).fetch(.pods)
        #expect(result == .failed("kubectl get pods failed (exit 1): context \"nope\" does not exist"))
    }

    @Test func aMissingArgoCRDIsAbsentNotFailed() async throws {
        let (dir, path) = try fakeKubectl("""
        echo 'error: the server doesn'"'"'t have a resource type "applications"' >&2
        exit 1
        """)
        defer { dir.cleanup() }
        let result = await KubectlSource(kubectl: path, logger: testLogger).fetch(.applications)
        #expect(result == .absent, "\(result)")
    }

    #if os(Linux)
    @Test func theCommandInheritsNoDescriptorsOfOurs() async throws {
        let fd = open("/dev/null", O_RDONLY) // no O_CLOEXEC on purpose
        #expect(dup2(fd, 200) == 200)
        defer { close(200); close(fd) }
        let (dir, path) = try fakeKubectl("if [ -e /proc/$$/fd/200 ]; then echo '\"leaked\"'; else echo '\"clean\"'; fi")
        defer { dir.cleanup() }
        let result = await KubectlSource(kubectl: path, logger: testLogger).fetch(.pods)
        #expect(result == .data(Array("\"clean\"\n".utf8)), "\(result)")
    }
    #endif

    @Test func largeOutputIsReadWithoutDeadlock() async throws {
        // More than a pipe buffer on both stdout and stderr.
        let (dir, path) = try fakeKubectl("""
        i=0; while [ $i -lt 3000 ]; do echo "warning line $i" >&2; i=$((i+1)); done
        printf '{"items": ['; i=0; while [ $i -lt 3000 ]; do printf '{"metadata": {"name": "n%d"}},' $i; i=$((i+1)); done; printf '{"metadata": {"name": "last"}}]}'
        """)
        defer { dir.cleanup() }
        let snapshot = await makeCollector().collect(from: KubectlSource(kubectl: path, logger: testLogger), kinds: [.namespaces])
        #expect(snapshot.sources["namespaces"] == .ok)
        #expect(snapshot.components.count == 3001)
    }

    // MARK: Backoff and the loop

    @Test func backoffDoublesUpToTheCapAndResetsOnSuccess() {
        var b = Backoff(initialSeconds: 30, maximumSeconds: 300)
        let t = Timestamp(seconds: 1_000)
        #expect(b.isReady(at: t))
        #expect((1...6).map { _ in b.recordFailure("boom", at: t) } == [30, 60, 120, 240, 300, 300])
        #expect(b.failures == 6)
        #expect(b.lastError == "boom")
        #expect(!b.isReady(at: t.adding(seconds: 299)))
        #expect(b.isReady(at: t.adding(seconds: 300)))
        b.recordSuccess()
        #expect(b.isReady(at: t))
        #expect(b.recordFailure("again", at: t) == 30)
        #expect(Backoff(initialSeconds: 1, maximumSeconds: Int64.max).delaySeconds(afterFailures: 200) == Int64.max)
    }

    actor Recorder {
        var rounds: [CollectorRound] = []
        var podFetches = 0
        func add(_ r: CollectorRound) { rounds.append(r) }
        func fetchedPods() { podFetches += 1 }
    }

    /// Counts how often pods are read.
    struct CountingSource: InfraSource {
        let inner: DirectorySource
        let recorder: Recorder
        func fetch(_ kind: InfraKind) async -> SourceResult {
            if kind == .pods { await recorder.fetchedPods() }
            return await inner.fetch(kind)
        }
    }

    final class Clock: @unchecked Sendable {
        let lock = NSLock()
        var seconds: Int64 = 1_000
        func tick() -> Timestamp {
            lock.lock(); defer { lock.unlock() }
            seconds += 10
            return Timestamp(seconds: seconds)
        }
    }

    @Test func aFailingSourceIsRetriedWithBackoffAndNeverStopsTheLoop() async throws {
        let scenario = try Scenario()
        let dir = try scenario.directory(second: false, replacing: ["pods.json": "garbage"])
        defer { dir.cleanup() }
        let recorder = Recorder()
        let clock = Clock()
        let loop = CollectorLoop(collector: makeCollector(), source: CountingSource(inner: DirectorySource(directory: dir.path, complete: true), recorder: recorder),
                                 intervalSeconds: 0, backoff: Backoff(initialSeconds: 15, maximumSeconds: 60))
        struct RoundFailed: Error {}
        await loop.run(now: { clock.tick() }, shouldStop: { await recorder.rounds.count >= 4 }) { round in
            await recorder.add(round)
            if round.number == 1 { throw RoundFailed() } // logged; the loop goes on
        }
        let rounds = await recorder.rounds
        #expect(rounds.map(\.number) == [1, 2, 3, 4])
        // t=1010 fails (retry at 1025); 1020 skipped; 1030 fails again (retry at 1060); 1040 skipped.
        #expect(await recorder.podFetches == 2)
        #expect(rounds[1].retrying[.pods] == Timestamp(seconds: 1025))
        #expect(rounds[3].retrying[.pods] == Timestamp(seconds: 1060))
        for round in rounds {
            #expect(round.snapshot.sources["pods"]?.isFailed == true)
            #expect(round.snapshot.components["service/ned/valla"] != nil)
            #expect(round.snapshot.components["node/minikube"] != nil)
        }
        // A skipped source keeps its last message, so the stored state does not change from round to round.
        #expect(rounds[1].snapshot.canonicalJSON() == rounds[0].snapshot.canonicalJSON())
    }

    @Test func theLoopStopsWhenItsTaskIsCancelled() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let recorder = Recorder()
        let loop = CollectorLoop(collector: makeCollector(), source: DirectorySource(directory: dir.path, complete: true), intervalSeconds: 60)
        let task = Task { await loop.run { await recorder.add($0) } }
        while await recorder.rounds.isEmpty { try await Task.sleep(nanoseconds: 1_000_000) }
        task.cancel()
        await task.value
        #expect(await recorder.rounds.count == 1)
    }
}
