import Testing
import MemoryModel
import TestSupport
import CmemFixtures
@testable import MemoryIndex

/// What issue 12 found wrong with the correlator, one test each: each fails on the correlator before it.
@Suite struct CorrelationModelTests {
    private func open(_ events: [TimelineEvent]) throws -> (TemporaryGitRepository, MemoryIndex) {
        let repo = try TemporaryGitRepository()
        let paths = try MemoryFiles.write(events: events, to: repo.path)
        try repo.commit(paths)
        return (repo, try Fixture.open(repo))
    }

    private func ev(_ iso: String, _ type: String, _ text: String, _ components: [String], _ severity: Severity = .info,
                    details: [(String, JSONValue)] = []) -> TimelineEvent {
        let compact = iso.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "T", with: "-")
            .replacingOccurrences(of: "Z", with: "")
        let hash = String(text.utf8.reduce(UInt64(5381)) { ($0 &* 33) &+ UInt64($1) } % 10_000_000_000)
        return Fixture.event("ev-\(compact)-\(String(repeating: "0", count: 10 - hash.count) + hash)",
                             iso, type, text, components: components, severity: severity, details: details)
    }

    /// The onset is where the episode began, not `--at`: the rollback after the first alert is the
    /// remedy, and the deploy before it the cause.
    @Test func onsetIsWhereTheEpisodeBeganAndTheRollbackIsTheResponse() throws {
        let sha = "9c1e5b7a3d2f4e6a8b0c1d2e3f4a5b6c7d8e9f0a"
        let commit = ev("2026-11-18T08:50:00Z", "git_commit", "Cache price rules per tenant", ["pricing-api"], details: [("sha", .string(sha))])
        let deploy = ev("2026-11-18T09:15:00Z", "deployment", "Synced pricing-api to 9c1e5b7 (revision 77)", ["pricing-api"], details: [("sha", .string(sha))])
        let alert = ev("2026-11-18T09:21:00Z", "alert", "Alert PricingApi5xx firing on pricing-api (error rate 14%)", ["pricing-api"], .error)
        let rollback = ev("2026-11-18T09:35:00Z", "deployment", "Rolled back pricing-api to revision 76 (argocd app rollback by on-call)", ["pricing-api"])
        let resolved = ev("2026-11-18T09:41:00Z", "alert", "Alert PricingApi5xx resolved on pricing-api", ["pricing-api"])
        let incident = ev("2026-11-18T10:05:00Z", "incident", "INC-4188: pricing-api returned 5xx for 15 min (SEV3, mitigated)", ["pricing-api"], .error)
        let (repo, index) = try open([commit, deploy, alert, rollback, resolved, incident])
        let r = index.correlate(CorrelationRequest("pricing-api 5xx error spike", at: incident.timestamp, window: 86_400))
        #expect(r.onset == alert.timestamp)
        #expect(r.probableCause?.event.id == commit.id)
        #expect(r.probableCause?.chain.map(\.id) == [deploy.id])
        #expect(!r.related.contains { $0.event.id == rollback.id })
        #expect(r.response.first?.event.id == rollback.id)
        #expect(r.response.first?.summary.contains("a remedy, not a cause") == true)
        withExtendedLifetime(repo) {}
    }

    /// Time on a log scale: on the same component, a deploy an hour before beats one 21 hours before.
    @Test func recentChangeBeatsAnOldOneOnTheSameComponent() throws {
        let old = ev("2026-03-11T17:00:00Z", "deployment", "Synced auth-api to revision 11", ["auth-api"])
        let recent = ev("2026-03-12T13:00:00Z", "deployment", "Synced auth-api to revision 12", ["auth-api"])
        let crash = ev("2026-03-12T14:00:00Z", "pod_restart", "auth-api in CrashLoopBackOff", ["auth-api"], .error)
        let (repo, index) = try open([old, recent, crash])
        let r = index.correlate(CorrelationRequest("auth-api crash looping", at: crash.timestamp))
        #expect(r.probableCause?.event.id == recent.id)
        let scores = r.related.map(\.score)
        #expect(scores.count == 2 && scores[0] > 1.5 * scores[1])
        withExtendedLifetime(repo) {}
    }

    /// A cause on another component, reached through what the symptom's class depends on (an image pull
    /// needs the registry) and through what its events name (a host), with no components.yaml.
    @Test func imagePullBackOffPointsAtTheRegistryNotTheCloserDeploy() throws {
        let registry = ev("2026-03-12T13:40:00Z", "config_change", "Upstream of the pull-through cache changed to eu mirror", ["registry-mirror"])
        let decoy = ev("2026-03-12T13:55:00Z", "deployment", "Synced web-frontend to revision 301", ["web-frontend"])
        let own = ev("2026-03-12T08:00:00Z", "health_change", "catalog-api readiness probes passing", ["catalog-api"])
        let symptom = ev("2026-03-12T14:00:00Z", "health_change", "catalog-api pods: ErrImagePull → ImagePullBackOff", ["catalog-api"], .error)
        let (repo, index) = try open([own, registry, decoy, symptom])
        let r = index.correlate(CorrelationRequest("catalog-api stuck in ImagePullBackOff", at: symptom.timestamp))
        #expect(r.troubles.contains("imagePull"))
        #expect(r.probableCause?.event.id == registry.id)
        #expect(r.probableCause?.relation == "infrastructure")
        withExtendedLifetime(repo) {}
    }

    /// A component listed third is not what the event is about; the component itself wins.
    @Test func aSecondaryMentionCountsLessThanTheComponentItself() throws {
        let own = ev("2026-03-12T13:20:00Z", "config_change", "cart-api config: CART_TTL 30 → 60", ["cart-api"])
        let other = ev("2026-03-12T13:55:00Z", "deployment", "Synced search-api to revision 9", ["search-api", "web", "cart-api"])
        let symptom = ev("2026-03-12T14:00:00Z", "alert", "Alert CartErrors firing on cart-api", ["cart-api"], .error)
        let (repo, index) = try open([own, other, symptom])
        let r = index.correlate(CorrelationRequest("cart-api errors", at: symptom.timestamp))
        #expect(r.probableCause?.event.id == own.id)
        #expect(r.related.first { $0.event.id == other.id }?.relation == "mentions")
        withExtendedLifetime(repo) {}
    }

    /// Priors by symptom class: an expired certificate comes from a renewal that failed days before, not
    /// from a deploy of the ingress hours before.
    @Test func expiredCertificateComesFromTheFailedRenewal() throws {
        let renewal = ev("2026-11-06T20:03:00Z", "cert_renewal", "cert-manager: failed to renew Certificate api-acme-com-tls (api.acme.com): ACME challenge got 404",
                         ["cert-manager", "ingress-nginx"], .error)
        let ok = ev("2026-11-08T20:03:00Z", "cert_renewal", "cert-manager: Certificate shop-acme-com-tls renewed", ["cert-manager"])
        let deploy = ev("2026-11-09T22:00:00Z", "deployment", "Synced ingress-nginx to chart 4.11.2", ["ingress-nginx"])
        let incident = ev("2026-11-10T00:03:00Z", "incident", "INC-4150: TLS handshake failures on api.acme.com (certificate expired)", ["ingress-nginx"], .critical)
        let (repo, index) = try open([renewal, ok, deploy, incident])
        let r = index.correlate(CorrelationRequest("api.acme.com TLS errors: certificate has expired", at: incident.timestamp, window: 7 * 86_400))
        #expect(r.troubles.contains("certificate"))
        #expect(r.probableCause?.event.id == renewal.id)
        #expect(r.related.first { $0.event.id == deploy.id }.map { $0.score < r.related[0].score / 2 } == true)
        withExtendedLifetime(repo) {}
    }

    /// Failing tests come from a commit (deployed or not); a commit whose tests passed afterwards is
    /// exculpated.
    @Test func failingTestsComeFromTheCommitWhoseTestsDidNotPass() throws {
        let innocent = ev("2026-03-12T10:00:00Z", "git_commit", "Refactor order repository", ["orders-api"], details: [("sha", .string("1111111aaaaaaa"))])
        let passed = ev("2026-03-12T10:30:00Z", "task_completed", "Agent task completed: ran unit tests for orders-api (412 passed)", ["orders-api"])
        let guilty = ev("2026-03-12T12:30:00Z", "git_commit", "Switch money rounding to banker's rounding", ["orders-api"], details: [("sha", .string("2222222bbbbbbb"))])
        let deploy = ev("2026-03-12T13:50:00Z", "deployment", "Synced billing-ui to revision 40", ["billing-ui"])
        let failed = ev("2026-03-12T14:00:00Z", "task_failed", "Agent task failed: unit tests for orders-api (3 failed)", ["orders-api"], .error)
        let (repo, index) = try open([innocent, passed, guilty, deploy, failed])
        let r = index.correlate(CorrelationRequest("orders-api tests failing", at: failed.timestamp))
        #expect(r.probableCause?.event.id == guilty.id)
        let i = try #require(r.related.first { $0.event.id == innocent.id })
        #expect(i.signals.contains { $0.name == "exculpated" })
        withExtendedLifetime(repo) {}
    }

    /// Nothing plausible: changes only on siblings and a never-deployed docs commit.
    @Test func siblingsAndADocsCommitAreNoCause() throws {
        let docs = ev("2026-03-12T11:00:00Z", "git_commit", "docs: update email-worker runbook", ["email-worker"], details: [("namespace", .string("workers"))])
        let sibling = ev("2026-03-12T13:51:00Z", "deployment", "Synced invoice-worker to revision 8", ["invoice-worker"], details: [("namespace", .string("workers"))])
        let symptom = ev("2026-03-12T14:00:00Z", "alert", "Alert SendFailures firing on email-worker", ["email-worker"], .error,
                         details: [("namespace", .string("workers"))])
        let (repo, index) = try open([docs, sibling, symptom])
        let r = index.correlate(CorrelationRequest("email-worker failing to send some emails", at: symptom.timestamp))
        #expect(r.probableCause == nil)
        #expect(r.confidence == .low)
        #expect(r.related.first { $0.event.id == sibling.id }?.relation == "sibling")
        withExtendedLifetime(repo) {}
    }

    /// A deploy that rolled out Healthy and ran clean for hours is no plausible cause on its own; a
    /// rollback that followed failures of the component is their remedy, even before this onset.
    @Test func aCleanRolloutHoursBeforeAndAnEarlierRemedyAreNoCauses() throws {
        let deploy = ev("2026-03-12T05:00:00Z", "deployment", "Synced shipping-api to revision 40", ["shipping-api"])
        let healthy = ev("2026-03-12T05:03:00Z", "health_change", "shipping-api health: Progressing → Healthy", ["shipping-api"])
        let alert = ev("2026-03-12T11:00:00Z", "alert", "Alert HighLatencyP99 firing on shipping-api", ["shipping-api"], .warning)
        let rollback = ev("2026-03-12T11:20:00Z", "deployment", "Rolled back shipping-api to revision 39", ["shipping-api"])
        let symptom = ev("2026-03-12T14:00:00Z", "alert", "Alert HighLatencyP99 firing on shipping-api (p99 3s)", ["shipping-api"], .error)
        let (repo, index) = try open([deploy, healthy, alert, rollback, symptom])
        let r = index.correlate(CorrelationRequest("shipping-api p99 latency high", at: symptom.timestamp))
        #expect(r.onset == symptom.timestamp)
        #expect(r.probableCause == nil)
        let d = try #require(r.related.first { $0.event.id == deploy.id })
        #expect(d.summary.contains("its rollout went Healthy 3 min after it and ran 8 h 57 min before the onset"))
        #expect(r.related.first { $0.event.id == rollback.id }?.signals.contains { $0.name == "remedy" } == true)
        withExtendedLifetime(repo) {}
    }

    @Test func symptomClassesAndChangeKinds() {
        #expect(SymptomProfile(text: "report-worker OOMKilled during nightly run").troubles.contains(.memory))
        #expect(SymptomProfile(text: "invoice-worker backlog growing").troubles.contains(.backlog))
        #expect(!SymptomProfile(text: "catalog-api stuck in ImagePullBackOff").troubles.contains(.crash))
        #expect(SymptomProfile(text: "too many clients already").troubles.contains(.connectionLimit))
        #expect(ChangeKind.of(type: "scaling", text: " keda scaled  from 4 to 0 replicas", severity: .warning) == .scaleToZero)
        #expect(ChangeKind.of(type: "scaling", text: " scaled  from 2 to 5 replicas", severity: .info) == .scaleUp)
        #expect(ChangeKind.of(type: "scaling", text: " scaled statefulset  to zero", severity: .info) == .scaleToZero)
        #expect(ChangeKind.of(type: "stack_activation", text: " activated stack ml: pulling model images", severity: .info) == .coldActivation)
        #expect(SymptomProfile(text: "pods cannot pull their image").troubles.contains(.imagePull))
        #expect(ChangeKind.of(type: "config_change", text: " resources.limits.memory 2gi → 512mi", severity: .info) == .memoryLimit)
        #expect(ChangeKind.of(type: "config_change", text: " scaledobject : maxreplicacount 20 → 2", severity: .info) == .autoscaling)
        #expect(ChangeKind.of(type: "deployment", text: " rolled back  to revision 7", severity: .info) == .rollback)
        #expect(ChangeKind.of(type: "task_completed", text: " agent task completed: ran unit tests for  (80 passed)", severity: .info) == .agentRoutine)
        #expect(ChangeKind.of(type: "task_completed", text: " agent task completed: removed cache_url from configmap", severity: .info) == .agentChange)
        #expect(ChangeKind.of(type: "health_change", text: "  health: progressing → healthy", severity: .info) == .observation)
        #expect(ChangeKind.of(type: "git_commit", text: " docs: update runbook", severity: .info) == .docsCommit)
        #expect(SymptomProfile(text: "x").prior(.pendingCommit).value < SymptomProfile(text: "orders-api tests failing").prior(.pendingCommit).value)
        // What Kubernetes controllers report doing is not a change: a rollout retiring its old ReplicaSet,
        // an HPA obeying its minimum.
        #expect(ChangeKind.of(type: "scaling", text: " scaled down replica set -5d4f9 to 0", severity: .info) == .observation)
        #expect(ChangeKind.of(type: "scaling", text: " new size: 40; reason: current number of replicas below spec.minreplicas", severity: .info) == .scaleUp)
        // A type cmem does not know: its name, else its words, say whether it changed something.
        #expect(ChangeKind.of(type: "dns_change", text: " route53 upsert origin.example.com a 203.0.113.40 -> 198.51.100.17", severity: .info) == .config)
        #expect(ChangeKind.of(type: "quota_update", text: " requests.cpu 40 → 20", severity: .info) == .config)
        #expect(ChangeKind.of(type: "node_event", text: " scale-down: node pool-b2 removed; drained pods: ", severity: .info) == .nodeMaintenance)
        #expect(ChangeKind.of(type: "audit", text: " ingress annotations changed: limit-rps 200 -> 20", severity: .info) == .config)
        #expect(ChangeKind.of(type: "audit", text: " user logged in", severity: .info) == .observation)
        #expect(ChangeKind.of(type: "health_change", text: "  health healthy -> degraded", severity: .warning) == .failure)
        // A name in a description counts whole, not as part of a longer one.
        #expect(CausalCorrelator.namesWhole("raise parallelism to 40 (hits billing-db)", "billing-db"))
        #expect(CausalCorrelator.namesWhole("pool for Billing-DB.", "billing-db"))
        #expect(!CausalCorrelator.namesWhole("Synced billing-api-canary to revision d6bca48", "billing-api"))
        #expect(!CausalCorrelator.namesWhole("new-billing-api up", "billing-api"))
    }

    /// A change about another component whose words name the failing one (a CronJob of billing-worker that
    /// "hits billing-db") relates to it; a rollback is the change, not the commit whose code it restores.
    @Test func aChangeThatNamesTheFailingComponentAndARollbackThatRestoresOldCode() throws {
        let old = "9c1d7e3b5a6c8d9e0f1a2b3c4d5e6f7a8b9c4f2a"
        let restored = Fixture.event("ev-20260307-100000-0000000001", "2026-03-07T10:00:00Z", "git_commit", "test(ci): fix race in signups flush",
                                     components: ["account-api"], source: "github", details: [("sha", .string(old))])
        let cron = Fixture.event("ev-20260312-110000-0000000002", "2026-03-12T11:00:00Z", "config_change",
                                 "billing-worker: move renewals CronJob to 09:00 and raise parallelism to 40 (hits billing-db)",
                                 components: ["billing-worker"], source: "git")
        let decoy = Fixture.event("ev-20260312-135000-0000000003", "2026-03-12T13:50:00Z", "deployment", "Synced search-api to 77aa01",
                                  components: ["search-api"], source: "argocd")
        let db = Fixture.event("ev-20260312-140000-0000000004", "2026-03-12T14:00:00Z", "alert", "billing-db connections at max_connections",
                               components: ["billing-db"], source: "prometheus", severity: .critical)
        let rollback = Fixture.event("ev-20260312-133600-0000000005", "2026-03-12T13:36:00Z", "deployment", "Rollback of account-api to history id 865 (9c1d7e3)",
                                     components: ["account-api"], source: "argocd", details: [("sha", .string(old))])
        let errors = Fixture.event("ev-20260312-140000-0000000006", "2026-03-12T14:00:00Z", "incident", "account-api signup returning 500",
                                   components: ["account-api"], source: "cortex", severity: .critical)
        let (repo, index) = try open([restored, cron, decoy, db, rollback, errors])
        let herd = index.correlate(CorrelationRequest("billing-db connections maxed out at the top of the hour", at: db.timestamp))
        let cause = try #require(herd.probableCause)
        #expect(cause.event.id == cron.id)
        #expect(cause.summary.contains("its description names billing-db, the failing component"), "\(cause.summary)")
        let signup = index.correlate(CorrelationRequest("account-api signup endpoint returning 500", at: errors.timestamp))
        #expect(signup.probableCause?.event.id == rollback.id)
        #expect(signup.chain.map(\.id) == [rollback.id], "the restored commit ran for days: not part of the rollback's chain")
        withExtendedLifetime(repo) {}
    }
}
