import Collector
import Foundation
import MemoryModel
import Testing
import TestSupport

/// `cmem collect` and `cmem infra` end to end: the real binary, a real memory repository, and `--from-dir`
/// directories built from the recorded fixture shapes (`Scenario`).
@Suite("cmem collect and cmem infra, end to end")
struct InfraCLITests {
    final class Setup {
        let memory = TestSupport.TemporaryDirectory("cmem-collect")
        let scenario: Scenario
        var repo: String { memory.file("memory") }

        init() throws {
            scenario = try Scenario()
            let r = try cmem("init", repo)
            precondition(r.status == 0, "cmem init failed: \(r.stderr)")
        }

        @discardableResult
        func cmem(_ args: String...) throws -> ProcessResult {
            try CMemBinary.run(args, repo: repo, cwd: memory.path, environment: ["CMEM_LOG_LEVEL": "error"])
        }

        func json(_ args: String...) throws -> JSONValue {
            let r = try CMemBinary.run(args + ["--json"], repo: repo, cwd: memory.path)
            guard r.status == 0 else { throw ValidationError("cmem \(args) failed (\(r.status)): \(r.stderr)\(r.stdout)") }
            return try JSONValue.parse(r.stdout)
        }

        /// A `--from-dir` directory for round one or two, with some files replaced.
        func round(second: Bool, replacing: [String: String?] = [:]) throws -> String {
            let dir = memory.file("round-\(second ? 2 : 1)-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var files = scenario.files(second: second)
            for (name, text) in replacing { files[name] = text }
            for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + name)) }
            return dir
        }

        func git(_ args: String...) throws -> ProcessResult { try ProcessRunner.git(args, cwd: repo) }
        var head: String { (try? git("rev-parse", "HEAD").trimmed) ?? "" }
    }

    static func strings(_ v: JSONValue?) -> [String] {
        guard case let .array(items)? = v else { return [] }
        return items.compactMap(\.stringValue)
    }

    static func array(_ v: JSONValue?) -> [JSONValue] {
        guard case let .array(items)? = v else { return [] }
        return items
    }

    @Test func twoRoundsGiveExactlyTheRealChangesInOneCommit() throws {
        let s = try Setup()
        let first = try s.json("collect", "--once", "--from-dir", try s.round(second: false))
        #expect(first["baseline"] == .bool(true))
        #expect(first["changed"] == .bool(true))
        // The baseline records only what was already failing, each marked as found at start.
        #expect(Self.array(first["events"]).allSatisfy { $0["details"]?["found_at_start"] == .bool(true) })
        let firstCommit = try #require(first["commit"]?.stringValue)
        #expect(s.head == firstCommit)

        let between = Timestamp.now()
        Thread.sleep(forTimeInterval: 1.1) // commit times have one-second resolution

        let secondDir = try s.round(second: true)
        let second = try s.json("collect", "--once", "--from-dir", secondDir)
        let events = Self.array(second["events"])
        let summary = events.map { "\($0["event_type"]?.stringValue ?? "") \(Self.strings($0["affected_components"]).joined(separator: ","))" }.sorted()
        #expect(summary == [
            "component_removed useraccount-legacy",
            "deployment icx-db",
            "health_change myapp",
            "pod_restart useraccount",
            "scaling valla",
        ])
        let commit = try #require(second["commit"]?.stringValue)
        #expect(s.head == commit)
        // One commit: the state, its page, and the day file with the five events; the message lists them.
        let paths = try s.git("show", "--name-only", "--format=", commit).trimmed.split(separator: "\n").map(String.init)
        #expect(paths.contains(InfraRepository.statePath))
        #expect(paths.contains(InfraRepository.pagePath))
        #expect(paths.contains { $0.hasPrefix("timeline/") })
        let message = try s.git("log", "-1", "--format=%B", commit).stdout
        for e in events { #expect(message.contains(e["event_id"]?.stringValue ?? "?")) }
        #expect(try s.git("log", "--format=%H", "--", "infrastructure/").trimmed.split(separator: "\n").count == 2)
        #expect(try s.git("status", "--porcelain").trimmed == "")

        // The timeline has them, as any other event.
        let timeline = try s.json("timeline", "--source", "kubernetes", "--source", "argocd")
        #expect(Set(Self.array(timeline["events"]).compactMap { $0["event_id"]?.stringValue })
                == Set((Self.array(first["events"]) + events).compactMap { $0["event_id"]?.stringValue }))

        // The same cluster again: no commit.
        let again = try s.json("collect", "--once", "--from-dir", secondDir)
        #expect(again["changed"] == .bool(false))
        #expect(again["commit"] == .null)
        #expect(Self.array(again["events"]).isEmpty)
        #expect(s.head == commit)
        let text = try s.cmem("collect", "--from-dir", secondDir)
        #expect(text.status == 0)
        #expect(text.stdout.contains("no change; nothing committed"))
        #expect(s.head == commit)

        // infra current / component / diff / health.
        let current = try s.json("infra", "current")
        #expect(current["commit"]?.stringValue == commit && current["collected"] == .bool(true))
        #expect(Self.array(current["deployments"]).count == 3)
        #expect(Self.array(current["services"]).count == 3)
        #expect(current["pods"]?["crash_looping"] == .array([.string("deployment/perf-stg/useraccount")]))
        #expect(Self.array(current["argocd_applications"]).first?["health"]?.stringValue == "Degraded")

        let valla = try s.json("infra", "component", "valla")
        #expect(valla["kind"]?.stringValue == "Deployment")
        #expect(valla["namespace"]?.stringValue == "ned")
        #expect(valla["replicas"] == .number(3))
        #expect(valla["image"]?.stringValue == Scenario.vallaImage)
        #expect(valla["status"]?.stringValue == "healthy")
        #expect(valla["last_change"]?["event_type"]?.stringValue == "scaling")
        #expect(Self.array(valla["related"]).first?["kind"]?.stringValue == "Service")
        let account = try s.json("infra", "component", "perf-stg/useraccount")
        #expect(account["status"]?.stringValue == "critical")
        #expect(account["restarts"] == .number(1))
        #expect(account["last_change"]?["event_type"]?.stringValue == "pod_restart")

        let diff = try s.json("infra", "diff", "--since", between.iso8601)
        #expect(diff["from_commit"]?.stringValue == firstCommit && diff["commit"]?.stringValue == commit)
        #expect(Self.array(diff["added"]).isEmpty)
        #expect(Self.array(diff["removed"]).compactMap { $0["name"]?.stringValue } == ["useraccount-legacy"])
        let changed = Self.array(diff["changed"])
        #expect(changed.contains { $0["name"]?.stringValue == "valla" && $0["field"]?.stringValue == "replicas" && $0["old"] == .number(1) && $0["new"] == .number(3) })
        #expect(changed.contains { $0["name"]?.stringValue == "icx-db" && $0["field"]?.stringValue == "image" && $0["new"]?.stringValue == "postgres:9.6-alpine" })
        #expect(changed.contains { $0["name"]?.stringValue == "myapp" && $0["field"]?.stringValue == "health" && $0["new"]?.stringValue == "Degraded" })
        // Before anything was collected, everything is new.
        let fromNothing = try s.json("infra", "diff", "--since", "2000-01-01T00:00:00Z")
        #expect(fromNothing["from_commit"] == .null)
        #expect(!Self.array(fromNothing["added"]).isEmpty)

        let health = try s.json("infra", "health")
        #expect(health["critical"] == .number(1))
        #expect(Self.array(health["unhealthy"]).contains { $0["name"]?.stringValue == "useraccount" })
        #expect(Self.array(health["unhealthy"]).contains { $0["name"]?.stringValue == "myapp" })

        // The text forms answer too.
        let healthText = try s.cmem("infra", "health")
        #expect(healthText.status == 0)
        #expect(healthText.stdout.contains("critical"))
        let currentText = try s.cmem("infra", "current")
        #expect(currentText.stdout.contains("# Infrastructure"))
        let missing = try s.cmem("infra", "component", "no-such-thing")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no component named"))
    }

    /// An Argo CD Application whose `repoURL` carries credentials (issue 19): neither the state files nor any
    /// event nor any git object keeps them.
    @Test func credentialsInTheClusterNeverReachGit() throws {
        let s = try Setup()
        let token = "ghp_" + "Zq8xT2vLmN4pR6sW1yB3cD5fG7hJ9kA0uE2i"
        func withCredentials(second: Bool) throws -> String {
            var applications = s.scenario.files(second: second)["applications.json"]!
            applications = applications.replacingOccurrences(of: "https://gitee.com/", with: "https://deploy:\(token)@gitee.com/")
            #expect(applications.contains(token))
            return try s.round(second: second, replacing: ["applications.json": applications])
        }
        let first = try s.cmem("collect", "--once", "--from-dir", try withCredentials(second: false))
        #expect(first.status == 0, "\(first.stderr)")
        let second = try s.cmem("collect", "--once", "--from-dir", try withCredentials(second: true))
        #expect(second.status == 0, "\(second.stderr)")
        let state = try String(contentsOfFile: s.repo + "/infrastructure/state.json", encoding: .utf8)
        #expect(state.contains("REDACTED"), "the state no longer names the application's repository at all")
        #expect(try SecretLeaks.find([token], in: s.repo).isEmpty)
    }

    @Test func aFailingSourceIsReportedAndTheOthersStillCount() throws {
        let s = try Setup()
        let r = try s.cmem("collect", "--once", "--json", "--from-dir", try s.round(second: false, replacing: ["pods.json": "{ this is not json"]))
        #expect(r.status == 0, "\(r.stderr)")
        let out = try JSONValue.parse(r.stdout)
        #expect(out["failed_sources"]?["pods"] != nil)
        #expect(out["changed"] == .bool(true))
        let current = try s.json("infra", "current")
        #expect(Self.array(current["services"]).count == 4)
        #expect(Self.array(current["nodes"]).count == 1)
        #expect(current["sources"]?["pods"]?.stringValue?.hasPrefix("failed") == true)
        #expect(current["sources"]?["services"]?.stringValue == "ok")

        let text = try s.cmem("collect", "--once", "--from-dir", try s.round(second: false, replacing: ["services.json": "[1,"]))
        #expect(text.status == 0)
        #expect(text.stderr.contains("warning: source services failed"))
    }

    @Test func everySourceFailingExitsOne() throws {
        let s = try Setup()
        var broken: [String: String?] = [:]
        for name in s.scenario.files(second: false).keys { broken[name] = "garbage" }
        let r = try s.cmem("collect", "--once", "--from-dir", try s.round(second: false, replacing: broken))
        #expect(r.status == 1)
        #expect(r.stderr.contains("every source failed"))
        let j = try CMemBinary.run(["collect", "--once", "--json", "--from-dir", try s.round(second: false, replacing: broken)], repo: s.repo)
        #expect(j.status == 1)
        #expect(try JSONValue.parse(j.stdout)["failed_sources"]?["pods"] != nil)
    }

    /// Issue 14's reproduction: after a full collection, a directory holding only a broken pods.json is
    /// "every source failed": exit 1 and nothing committed, least of all nodes and applications "removed".
    @Test func aDirectoryMissingFilesRemovesNothing() throws {
        let s = try Setup()
        let full = try s.round(second: false)
        #expect(try s.cmem("collect", "--once", "--from-dir", full).status == 0)
        let before = s.head
        let only = s.memory.file("only-pods")
        try FileManager.default.createDirectory(atPath: only, withIntermediateDirectories: true)
        try Data("{ broken".utf8).write(to: URL(fileURLWithPath: only + "/pods.json"))
        let r = try s.cmem("collect", "--once", "--from-dir", only)
        #expect(r.status == 1)
        #expect(s.head == before, "a run that read nothing committed something")
        #expect(!(try s.git("log", "--format=%B").stdout.contains("removed")))

        // With one good file and the rest missing, what the missing files described stays as last seen.
        let nodesOnly = s.memory.file("nodes-only")
        try FileManager.default.createDirectory(atPath: nodesOnly, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: full + "/nodes.json", toPath: nodesOnly + "/nodes.json")
        let partial = try s.json("collect", "--once", "--from-dir", nodesOnly)
        #expect(Self.array(partial["events"]).isEmpty, "\(partial)")
        #expect(try s.json("infra", "component", "valla")["replicas"] == .number(1))
    }

    @Test func sourceSelectionAndBadInput() throws {
        let s = try Setup()
        try s.cmem("collect", "--once", "--from-dir", try s.round(second: false))
        let argo = try s.json("collect", "--once", "--source", "argocd", "--from-dir", try s.round(second: true))
        #expect(Self.array(argo["events"]).compactMap { $0["event_type"]?.stringValue } == ["health_change"])
        #expect(try s.json("infra", "component", "valla")["replicas"] == .number(1))

        let bad = try s.cmem("collect", "--once", "--source", "kubernetes,nope")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("is not a source"))
        #expect(try s.cmem("collect", "--once", "--watch").status != 0)
        #expect(try s.cmem("collect", "--watch", "--interval", "soon").status != 0)
        #expect(try s.cmem("collect", "--from-dir", s.memory.file("nowhere")).status == 2)

        let empty = try Setup()
        let none = try empty.cmem("infra", "health")
        // Nothing collected is an answer, not a failure: it says how to collect.
        #expect(none.status == 0)
        #expect(none.stdout.contains("no infrastructure state collected yet; run `cmem collect`"), "\(none.stdout)")
        #expect(try empty.json("infra", "current")["collected"] == .bool(false))
        #expect(try empty.cmem("infra", "component", "valla").status == 1)
        let diff = try empty.cmem("infra", "diff", "--since", "24h")
        #expect(diff.status == 0 && diff.stdout.contains("no infrastructure state collected yet") && !diff.stdout.contains("No changes"), "\(diff.stdout)")
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func watchStopsCleanlyOnASignal(_ signalNumber: Int32) throws {
        let s = try Setup()
        let dir = try s.round(second: false)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CMemBinary.path)
        process.arguments = ["collect", "--watch", "--interval", "1s", "--from-dir", dir, "--json", "--repo", s.repo]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // Never leave a collector running, whatever happened above.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        // Wait for the first round's commit, then for a second (unchanged) round.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try? s.git("log", "--format=%H", "--", "infrastructure/").trimmed.isEmpty) ?? true {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 1.5)
        kill(process.processIdentifier, signalNumber)
        let stopDeadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < stopDeadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!process.isRunning, "cmem collect --watch did not stop on signal \(signalNumber)")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        let rounds = try lines.map { try JSONValue.parse(String($0)) }
        #expect(rounds.count >= 2)
        #expect(rounds.first?["baseline"] == .bool(true))
        #expect(rounds.dropFirst().allSatisfy { $0["changed"] == .bool(false) })
        #expect(try s.git("log", "--format=%H", "--", "infrastructure/").trimmed.split(separator: "\n").count == 1)
        #expect(try s.git("status", "--porcelain").trimmed == "")
    }
}
