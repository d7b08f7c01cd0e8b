import Collector
import Foundation
import MemoryCore
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

/// The same question, asked through the CLI (the real `cmem` binary), REST (the service's router) and MCP
/// (the real `cmem mcp` over stdio) on one repository, gets the same answer: current session, search,
/// correlation, component history, the timeline (over a month retention rolled up too) and the
/// infrastructure state, a component of it, its diff and its health. While the server's index is still loading,
/// REST answers 503 for the index questions rather than another answer, and the same answer once open.
@Suite struct FrontEndParityTests {
    /// One `cmem mcp` process, initialised, for tool calls whose answers are JSON.
    final class MCP {
        let connection: MCPConnection
        var process: StdioProcess { connection.process }

        init(repo: String, cwd: String) throws {
            connection = try MCPConnection(repo: repo, cwd: cwd)
            try connection.initialize(client: "parity")
        }

        func call(_ tool: String, _ arguments: [(String, JSONValue)]) throws -> JSONValue {
            let (text, isError) = try connection.call(tool, .object(arguments))
            #expect(!isError, "\(tool): \(text)")
            return try JSONValue.parse(text)
        }
    }

    func cli(_ f: ServerFixture, _ args: String...) throws -> JSONValue {
        let r = try CMemBinary.run(Array(args) + ["--json"], repo: f.repo, cwd: f.project)
        #expect(r.status == 0, "cmem \(args.joined(separator: " ")): \(r.stderr)")
        return try JSONValue.parse(r.stdout)
    }

    func populate(_ f: ServerFixture) throws -> (session: String, deploy: String, onset: Timestamp) {
        let store = try f.store()
        let t = Timestamp.now().adding(seconds: -7200)
        let s = try store.startSession(task: "Investigate the private registry outage", cwd: f.project)
        _ = try store.updateSession(id: s.id, message: "update") { s, _ in
            s.todoList = [.init(text: "add readiness probe"), .init(text: "read the logs", status: "done")]
            s.blockers = ["registry down"]
        }
        try store.recordDecision(sessionID: s.id, decision: "Scale cortex-desktop-mcp to 0", rationale: "the private registry is unavailable",
                                 alternatives: ["wait it out"], components: ["github-mcp-server"])
        let commit = Identifier.make(.event, at: t)
        let deploy = Identifier.make(.event, at: t.adding(seconds: 1800))
        let crash = Identifier.make(.event, at: t.adding(seconds: 3000))
        try store.recordEvents([
            TimelineEvent(id: commit, timestamp: t, type: "git_commit", source: "git", description: "Fix pip install logic in init container",
                          details: .object([("sha", .string("bdd7322"))]), components: ["github-mcp-server"]),
            TimelineEvent(id: deploy, timestamp: t.adding(seconds: 1800), type: "deployment", source: "argocd",
                          description: "Synced github-mcp-server to bdd7322", details: .object([("sha", .string("bdd7322"))]),
                          causedBy: commit, components: ["github-mcp-server"]),
            TimelineEvent(id: crash, timestamp: t.adding(seconds: 3000), type: "pod_restart", source: "k8s",
                          description: "github-mcp-server crash looping: registry unavailable", causedBy: deploy,
                          components: ["github-mcp-server"], severity: .error),
            TimelineEvent(id: Identifier.make(.event, at: t.adding(seconds: 600)), timestamp: t.adding(seconds: 600), type: "deployment",
                          source: "argocd", description: "Synced slack-mcp-server to 77aa01", components: ["slack-mcp-server"]),
        ])
        // Half a year ago: a month retention rolls up (the deploy stays as a line, the incident whole, the restart a count).
        let old = t.adding(seconds: -200 * 86_400)
        try store.recordEvents([
            TimelineEvent(id: Identifier.make(.event, at: old), timestamp: old, type: "deployment", source: "argocd",
                          description: "Synced github-mcp-server to 0ld5ha1", components: ["github-mcp-server"]),
            TimelineEvent(id: Identifier.make(.event, at: old.adding(seconds: 60)), timestamp: old.adding(seconds: 60), type: "pod_restart",
                          source: "k8s", description: "github-mcp-server restarted", components: ["github-mcp-server"]),
            TimelineEvent(id: Identifier.make(.event, at: old.adding(seconds: 120)), timestamp: old.adding(seconds: 120), type: "incident",
                          source: "pagerduty", description: "github-mcp-server down after the sync", components: ["github-mcp-server"], severity: .critical),
        ])
        var api = ComponentState(kind: "Deployment", namespace: "cortex-mcp", name: "github-mcp-server", status: .critical)
        api.restarts = 7
        api.replicas = 1
        try store.transaction { tx in try tx.write(MemoryService.infrastructureStatePath, InfraSnapshot(components: [api.key: api]).canonicalJSON()) }
        return (s.id, deploy, t.adding(seconds: 3000))
    }

    @Test func theSameQuestionGetsTheSameAnswerEverywhere() async throws {
        let f = try ServerFixture(openIndex: false, indexWait: 0.2)
        let (session, deploy, onset) = try populate(f)
        let retention = try cli(f, "retention", "apply")
        #expect(retention["days_rolled"] == .number(1), "\(retention.json)")
        let mcp = try MCP(repo: f.repo, cwd: f.project)
        defer { _ = mcp.process.finish() }
        let symptom = "github-mcp-server crash looping"
        let at = onset.adding(seconds: 60).iso8601

        let cliCurrent = try cli(f, "session", "current", "--cwd", f.project)
        let cliSessions = try cli(f, "session", "list", "--limit", "5")
        let cliEvent = try cli(f, "event", "show", deploy)
        let cliDecisions = try cli(f, "decisions", "search", "registry", "--component", "github-mcp-server", "--limit", "5")
        let elsewhere = f.project + "-other"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let cliNone = try cli(f, "session", "current", "--cwd", elsewhere)
        let cliSearch = try cli(f, "search", "registry", "--limit", "10")
        // Filters, and an until that is a bare date (the whole of that day).
        let today = String(onset.day)
        let cliFiltered = try cli(f, "search", "github-mcp-server", "--component", "github-mcp-server", "--until", today, "--limit", "10")
        let cliTyped = try cli(f, "search", "github-mcp-server", "--type", "deployment", "--source", "argocd", "--severity", "info",
                               "--order", "newest", "--limit", "10")
        let cliCorrelate = try cli(f, "correlate", symptom, "--at", at, "--window", "24h", "--limit", "5")
        let cliComponent = try cli(f, "component", "github-mcp-server", "--limit", "20")
        let cliHealth = try cli(f, "infra", "health")
        let cliInfra = try cli(f, "infra", "current")
        let cliInfraComponent = try cli(f, "infra", "component", "github-mcp-server")
        let cliInfraDiff = try cli(f, "infra", "diff", "--since", "2000-01-01T00:00:00Z")
        // A range ending on a bare date (the whole of that day), over a month retention rolled up; and the
        // latest events of one component, cut off by the limit.
        let old = onset.adding(seconds: -3000 - 200 * 86_400)
        let oldFrom = old.adding(seconds: -86_400).iso8601, oldUntil = String(old.adding(seconds: 86_400).day)
        let cliOld = try cli(f, "timeline", "--since", oldFrom, "--until", oldUntil, "--limit", "10")
        let cliLatest = try cli(f, "timeline", "--component", "github-mcp-server", "--severity", "info", "--limit", "2")
        let cliHistory = try cli(f, "timeline", "--from-history", "--since", oldFrom, "--until", oldUntil, "--limit", "10")

        let mcpCurrent = try mcp.call("session_current", [("cwd", .string(f.project))])
        let mcpEvent = try mcp.call("event", [("id", .string(deploy))])
        let mcpDecisions = try mcp.call("decisions_search", [("query", .string("registry")), ("component", .string("github-mcp-server")),
                                                             ("limit", .number(5))])
        let mcpNone = try mcp.call("session_current", [("cwd", .string(elsewhere))])
        let mcpSearch = try mcp.call("search", [("query", .string("registry")), ("limit", .number(10))])
        let mcpFiltered = try mcp.call("search", [("query", .string("github-mcp-server")), ("component", .string("github-mcp-server")),
                                                  ("until", .string(today)), ("limit", .number(10))])
        let mcpTyped = try mcp.call("search", [("query", .string("github-mcp-server")), ("type", .array([.string("deployment")])),
                                               ("source", .array([.string("argocd")])), ("severity", .string("info")),
                                               ("order", .string("newest")), ("limit", .number(10))])
        let mcpCorrelate = try mcp.call("correlate", [("symptom", .string(symptom)), ("at", .string(at)), ("window", .string("24h")), ("limit", .number(5))])
        let mcpComponent = try mcp.call("component_history", [("component", .string("github-mcp-server")), ("limit", .number(20))])
        let mcpHealth = try mcp.call("infra_health", [])
        let mcpInfra = try mcp.call("infra_current", [])
        let mcpInfraComponent = try mcp.call("infra_component", [("name", .string("github-mcp-server"))])
        let mcpInfraDiff = try mcp.call("infra_diff", [("since", .string("2000-01-01T00:00:00Z"))])
        let mcpOld = try mcp.call("timeline", [("since", .string(oldFrom)), ("until", .string(oldUntil)), ("limit", .number(10))])
        let mcpLatest = try mcp.call("timeline", [("component", .array([.string("github-mcp-server")])), ("severity", .string("info")),
                                                  ("limit", .number(2))])
        let mcpHistory = try mcp.call("timeline", [("since", .string(oldFrom)), ("until", .string(oldUntil)), ("from_history", .bool(true)),
                                                   ("limit", .number(10))])

        // Sanity: the answers say something, so agreeing is not agreeing on nothing.
        #expect(cliCurrent["session_id"]?.stringValue == session)
        #expect(cliCurrent["decision_records"]?.items.count == 1)
        #expect(cliSearch["results"]?.items.isEmpty == false)
        // The deploy, or the commit it shipped (the root of the chain): either way, the chain holds the deploy.
        #expect(cliCorrelate["probable_cause"]?["affected_components"]?.items.first?.stringValue == "github-mcp-server", "\(cliCorrelate.json)")
        let chain = cliCorrelate["chain"]?.items.compactMap { $0["event_id"]?.stringValue } ?? []
        #expect(cliCorrelate["probable_cause"]?["event_id"]?.stringValue == deploy || chain.contains(deploy), "\(cliCorrelate.json)")
        #expect(cliComponent["events"]?.items.count == 5) // with the deploy and the incident kept in the summary
        #expect(cliHealth["critical"] == .number(1))
        #expect(cliInfra["collected"] == .bool(true) && cliInfra["deployments"]?.items.count == 1, "\(cliInfra.json)")
        #expect(cliInfraComponent["restarts"] == .number(7) && cliInfraComponent["last_change"]?["event_type"]?.stringValue == "pod_restart",
                "\(cliInfraComponent.json)")
        #expect(cliInfraDiff["added"]?.items.count == 1 && cliInfraDiff["from_commit"] == .null, "\(cliInfraDiff.json)")
        #expect(cliOld["events"]?.items.compactMap { $0["event_type"]?.stringValue } == ["deployment", "incident"], "\(cliOld.json)")
        #expect(cliOld["summarised"]?.items.count == 1 && cliOld["truncated"] == .bool(false), "\(cliOld.json)")
        #expect(cliLatest["events"]?.items.compactMap { $0["event_type"]?.stringValue } == ["deployment", "pod_restart"], "\(cliLatest.json)")
        #expect(cliLatest["truncated"] == .bool(true) && cliLatest["summarised"]?.items.isEmpty == true, "\(cliLatest.json)")

        #expect(mcpCurrent == cliCurrent)
        #expect(cliSessions["results"]?.items.first?["id"]?.stringValue == session, "\(cliSessions.json)")
        #expect(try mcp.call("session_list", [("limit", .number(5))]) == cliSessions)
        #expect(cliEvent["caused"]?.items.count == 1 && cliEvent["caused_by"]?["event_type"]?.stringValue == "git_commit", "\(cliEvent.json)")
        #expect(mcpEvent == cliEvent)
        #expect(cliDecisions["decisions"]?.items.count == 1, "\(cliDecisions.json)")
        #expect(mcpDecisions == cliDecisions)
        #expect(cliNone["session"] == .null && cliNone["message"]?.stringValue?.contains("-other") == true, "\(cliNone.json)")
        #expect(mcpNone == cliNone)
        #expect(mcpSearch == cliSearch)
        #expect(cliFiltered["results"]?.items.contains { $0["id"]?.stringValue == deploy } == true, "\(cliFiltered.json)")
        #expect(mcpFiltered == cliFiltered)
        #expect(cliTyped["results"]?.items.count == 2 && cliTyped["results"]?.items.first?["id"]?.stringValue == deploy, "\(cliTyped.json)")
        #expect(mcpTyped == cliTyped)
        #expect(mcpCorrelate == cliCorrelate)
        #expect(mcpComponent == cliComponent)
        #expect(mcpHealth == cliHealth)
        #expect(mcpInfra == cliInfra)
        #expect(mcpInfraComponent == cliInfraComponent)
        #expect(mcpInfraDiff == cliInfraDiff)
        #expect(mcpOld == cliOld)
        #expect(mcpLatest == cliLatest)
        // The rolled-up month in detail, from history: the restart only counted in the summary is back.
        #expect(cliHistory["events"]?.items.compactMap { $0["event_type"]?.stringValue } == ["deployment", "pod_restart", "incident"], "\(cliHistory.json)")
        #expect(mcpHistory == cliHistory)

        let service = f.service
        try await f.withClientBeforeTheIndex { api in
            let q = f.project.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? f.project
            // Needs no index: answered at once, the same.
            let current = try await api.get("/memory/sessions/current?working_directory=\(q)")
            #expect(current.json == cliCurrent)
            // REST says "none" as a 404, with the same words.
            let none = try await api.get("/memory/sessions/current?working_directory=\(elsewhere.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? elsewhere)")
            #expect(none.status == 404 && none.errorMessage?.hasPrefix(cliNone["message"]?.stringValue ?? "?") == true, "\(none.text)")
            let health = try await api.get("/memory/infrastructure/health")
            #expect(health.json == cliHealth)
            #expect(try await api.get("/memory/infrastructure/current").json == cliInfra)
            #expect(try await api.get("/memory/infrastructure/component/github-mcp-server").json == cliInfraComponent)
            #expect(try await api.get("/memory/infrastructure/diff?since=2000-01-01T00:00:00Z").json == cliInfraDiff)
            // The index questions: 503 while it loads, never another answer.
            let correlateBody = JSONValue.object([("symptom", .string(symptom)), ("at", .string(at)), ("timeframe", .string("24h")), ("limit", .number(5))])
            let early = [try await api.get("/memory/search?q=registry&limit=10"),
                         try await api.post("/memory/timeline/correlate", correlateBody),
                         try await api.get("/memory/timeline/component/github-mcp-server?limit=20")]
            for r in early { #expect(r.status == 503, "\(r.text)") }

            service.openIndex()
            #expect(await service.waitForIndex(timeout: 120))
            #expect(try await api.get("/memory/search?q=registry&limit=10").json == cliSearch)
            #expect(try await api.get("/memory/sessions?limit=5").json == cliSessions)
            #expect(try await api.get("/memory/timeline/event/\(deploy)").json == cliEvent)
            #expect(try await api.get("/memory/decisions?q=registry&component=github-mcp-server&limit=5").json == cliDecisions)
            #expect(try await api.get("/memory/search?q=github-mcp-server&component=github-mcp-server&until=\(today)&limit=10").json == cliFiltered)
            #expect(try await api.post("/memory/timeline/correlate", correlateBody).json == cliCorrelate)
            #expect(try await api.get("/memory/search?q=github-mcp-server&type=deployment&source=argocd&severity=info&order=newest&limit=10").json == cliTyped)
            #expect(try await api.get("/memory/timeline/component/github-mcp-server?limit=20").json == cliComponent)
            let from = oldFrom.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? oldFrom
            #expect(try await api.get("/memory/timeline?start=\(from)&end=\(oldUntil)&limit=10").json == cliOld)
            #expect(try await api.get("/memory/timeline?component=github-mcp-server&severity=info&limit=2").json == cliLatest)
            #expect(try await api.get("/memory/timeline?start=\(from)&end=\(oldUntil)&limit=10&from_history=true").json == cliHistory)

            // Recording answers alike: an event the CLI recorded, sent again through REST and the CLI, is a
            // duplicate in the same words.
            let id = Identifier.make(.event, at: onset)
            let args = ["event", "record", "--id", id, "--type", "deployment", "--source", "argocd", "--component", "api",
                        "--description", "Synced api to 1f2e3d", "--time", onset.iso8601]
            let first = try CMemBinary.run(args + ["--json"], repo: f.repo, cwd: f.project)
            #expect(try JSONValue.parse(first.stdout)["recorded"] == .number(1), "\(first.stdout)")
            let again = try JSONValue.parse(try CMemBinary.run(args + ["--json"], repo: f.repo, cwd: f.project).stdout)
            let body = JSONValue.object([("event_id", .string(id)), ("timestamp", .string(onset.iso8601)), ("event_type", .string("deployment")),
                                         ("source", .string("argocd")), ("affected_components", .array([.string("api")])),
                                         ("description", .string("Synced api to 1f2e3d"))])
            let rest = try await api.post("/memory/timeline/events", body)
            #expect(again["duplicates"] == .number(1) && again["events"]?.items.first?["status"] == .string("duplicate"), "\(again.json)")
            #expect(rest.status == 200 && rest.json == again, "\(rest.text)")

            // The handoff: none before the session ends (the same words), then the note it wrote.
            let project = try #require(cliCurrent["project"]?.stringValue)
            let before = try CMemBinary.run(["handoff", "--project", project, "--json"], repo: f.repo, cwd: f.project)
            let beforeREST = try await api.get("/memory/handoff/\(project)")
            #expect(before.status == 1 && beforeREST.status == 404)
            #expect(try JSONValue.parse(before.stdout)["error"]?["message"]?.stringValue == beforeREST.errorMessage, "\(before.stdout) \(beforeREST.text)")
            _ = try cli(f, "session", "end", "--summary", "Found the registry outage")
            let handoff = try cli(f, "handoff", "--cwd", f.project)
            #expect(handoff["text"]?.stringValue?.contains("Found the registry outage") == true, "\(handoff.json)")
            #expect(try await api.get("/memory/handoff/\(project)").json == handoff)
            let mcpLater = try MCP(repo: f.repo, cwd: f.project)
            defer { _ = mcpLater.process.finish() }
            #expect(try mcpLater.call("handoff_read", []) == handoff)
        }
    }

    /// Asked with no limit, a question gets as many answers from every front end: the core's default
    /// (`AnswerLimit`), which the MCP schema states. More events, decisions and related events than any
    /// default, so that a front end with its own default answers differently. A limit over the maximum is
    /// refused by REST and MCP with the same bound.
    @Test func withNoLimitEveryFrontEndGivesTheCoresDefault() async throws {
        let f = try ServerFixture(openIndex: false)
        let store = try f.store()
        let start = Timestamp.now().adding(seconds: -20 * 3600)
        let s = try store.startSession(task: "Registry outage", cwd: f.project)
        for i in 0..<(AnswerLimit.decisions.defaultValue + 5) {
            try store.recordDecision(sessionID: s.id, decision: "Pin registry mirror \(i)", rationale: "the registry flaps", alternatives: [],
                                     components: ["github-mcp-server"])
        }
        let many = AnswerLimit.timeline.defaultValue + 30
        try store.recordEvents((0..<many).map { i in
            let t = start.adding(seconds: Int64(i) * 300)
            return TimelineEvent(id: Identifier.make(.event, at: t), timestamp: t, type: i % 3 == 0 ? "deployment" : "config_change",
                                 source: "argocd", description: "Synced github-mcp-server registry mirror \(i)", components: ["github-mcp-server"])
        })
        let mcp = try MCP(repo: f.repo, cwd: f.project)
        defer { _ = mcp.process.finish() }
        let at = start.adding(seconds: Int64(many) * 300 + 60).iso8601
        let symptom = "github-mcp-server crash looping"

        let cliTimeline = try cli(f, "timeline")
        let cliComponent = try cli(f, "component", "github-mcp-server")
        let cliSearch = try cli(f, "search", "registry")
        let cliDecisions = try cli(f, "decisions", "search", "registry")
        let cliCorrelate = try cli(f, "correlate", symptom, "--at", at)
        #expect(cliTimeline["events"]?.items.count == AnswerLimit.timeline.defaultValue && cliTimeline["truncated"] == .bool(true))
        #expect(cliComponent["events"]?.items.count == AnswerLimit.componentHistory.defaultValue)
        #expect(cliSearch["results"]?.items.count == AnswerLimit.search.defaultValue)
        #expect(cliDecisions["decisions"]?.items.count == AnswerLimit.decisions.defaultValue)
        #expect(cliCorrelate["related_events"]?.items.count == AnswerLimit.correlate.defaultValue, "\(cliCorrelate.json)")

        #expect(try mcp.call("timeline", []) == cliTimeline)
        #expect(try mcp.call("component_history", [("component", .string("github-mcp-server"))]) == cliComponent)
        #expect(try mcp.call("search", [("query", .string("registry"))]) == cliSearch)
        #expect(try mcp.call("decisions_search", [("query", .string("registry"))]) == cliDecisions)
        #expect(try mcp.call("correlate", [("symptom", .string(symptom)), ("at", .string(at))]) == cliCorrelate)
        let tools = try mcp.connection.request("tools/list", .object([]))["result"]?["tools"]?.items ?? []
        let timelineLimit = tools.first { $0["name"]?.stringValue == "timeline" }?["inputSchema"]?["properties"]?["limit"]?["description"]?.stringValue
        #expect(timelineLimit?.contains("default \(AnswerLimit.timeline.defaultValue)") == true, "\(timelineLimit ?? "none")")
        let (overText, overIsError) = try mcp.connection.call("search", .object([("query", .string("registry")),
                                                                                ("limit", .number(Double(AnswerLimit.search.maximum + 1)))]))
        #expect(overIsError && overText.contains("from 1 to \(AnswerLimit.search.maximum)"), "\(overText)")

        f.service.openIndex()
        try await f.withClient { api in
            #expect(try await api.get("/memory/timeline").json == cliTimeline)
            #expect(try await api.get("/memory/timeline/component/github-mcp-server").json == cliComponent)
            #expect(try await api.get("/memory/search?q=registry").json == cliSearch)
            #expect(try await api.get("/memory/decisions?q=registry").json == cliDecisions)
            #expect(try await api.post("/memory/timeline/correlate", .object([("symptom", .string(symptom)), ("at", .string(at))])).json == cliCorrelate)
            let over = try await api.get("/memory/search?q=registry&limit=\(AnswerLimit.search.maximum + 1)")
            #expect(over.status == 400 && over.errorMessage?.contains("from 1 to \(AnswerLimit.search.maximum)") == true, "\(over.text)")
        }
    }

    /// An event description is measured by the model, whoever sends it: one of 8,100 two-byte characters
    /// (16,200 bytes) is kept through the CLI, REST and MCP; one of 8,200 (16,400 bytes) is refused by all
    /// three in the same words. REST refused anything over 4,096 characters.
    @Test func theDescriptionLimitIsTheSameEverywhere() async throws {
        let f = try ServerFixture()
        let mcp = try MCP(repo: f.repo, cwd: f.project)
        defer { _ = mcp.process.finish() }
        let fits = String(repeating: "é", count: 8_100), over = String(repeating: "é", count: 8_200)
        func cli(_ description: String, _ n: Int) throws -> ProcessResult {
            try CMemBinary.run(["event", "record", "--type", "deployment", "--component", "api", "--description", description,
                                "--time", "2026-01-19T10:0\(n):00Z", "--json"], repo: f.repo, cwd: f.project)
        }
        func viaMCP(_ description: String, _ n: Int) throws -> (text: String, isError: Bool) {
            try mcp.connection.call("event_record", .object([("type", .string("deployment")), ("description", .string(description)),
                                                            ("components", .array([.string("api")])), ("time", .string("2026-01-19T11:0\(n):00Z"))]))
        }
        let message = "description is 16400 bytes; the limit is 16384"
        let (cliKept, cliRefused) = (try cli(fits, 1), try cli(over, 2))
        let (mcpKept, mcpRefused) = (try viaMCP(fits, 1), try viaMCP(over, 2))
        #expect(cliKept.status == 0 && !mcpKept.isError, "\(cliKept.stderr) \(mcpKept.text.prefix(200))")
        #expect(cliRefused.status != 0 && cliRefused.stdout.contains(message), "\(cliRefused.stdout)")
        #expect(mcpRefused.isError && mcpRefused.text.contains(message), "\(mcpRefused.text)")
        try await f.withClient { api in
            func body(_ description: String, _ n: Int) -> JSONValue {
                .object([("event_type", .string("deployment")), ("source", .string("claude")), ("description", .string(description)),
                         ("affected_components", .array([.string("api")])), ("timestamp", .string("2026-01-19T12:0\(n):00Z"))])
            }
            let kept = try await api.post("/memory/timeline/events", body(fits, 1))
            #expect(kept.status == 201, "\(kept.text.prefix(300))")
            let refused = try await api.post("/memory/timeline/events", body(over, 2))
            #expect(refused.status == 400 && refused.errorMessage?.contains(message) == true, "\(refused.text)")
        }
    }
}
