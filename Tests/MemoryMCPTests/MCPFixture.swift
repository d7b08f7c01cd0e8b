import Foundation
import MemoryModel
import MemoryStore
import TestSupport

/// A memory repository with a session, decisions, a chain of events and two collected cluster states
/// (one from January, one now), for the MCP tools to answer about.
final class MCPFixture {
    let dir = TemporaryDirectory("cmem-mcp")
    var repo: String { dir.file("memory") }
    var project: String { dir.file("demo") }
    let sessionID: String
    let deployID: String
    let crashID: String

    init() throws {
        let repo = dir.file("memory"), project = dir.file("demo")
        try FileManager.default.createDirectory(atPath: project + "/.git", withIntermediateDirectories: true)
        _ = try MemoryStore.initialize(at: repo)
        let store = try MemoryStore(path: repo)
        let s = try store.startSession(task: "Fix the MCP servers", cwd: project)
        sessionID = s.id
        try store.updateSession(id: s.id, message: "fill") { s, _ in
            s.todoList = [.init(text: "add readiness probe"), .init(text: "read the logs", status: "done")]
            s.blockers = ["registry down"]
            s.actions = [Session.Action(time: .now(), kind: "command", detail: "kubectl -n cortex-mcp logs deploy/github-mcp-server", exitCode: 0)]
        }
        try store.recordDecision(sessionID: s.id, decision: "Use init container", rationale: "pip install races the main container",
                                 alternatives: ["bake deps into image"], components: ["github-mcp-server"])
        let now = Timestamp.now()
        let deploy = TimelineEvent(id: Identifier.make(.event, at: now.adding(seconds: -3600)), timestamp: now.adding(seconds: -3600),
                                   type: "deployment", source: "argocd", description: "Synced github-mcp-server to abc123",
                                   details: .object([("sha", .string("abc123"))]), components: ["github-mcp-server"])
        let crash = TimelineEvent(id: Identifier.make(.event, at: now.adding(seconds: -3000)), timestamp: now.adding(seconds: -3000),
                                  type: "pod_restart", source: "k8s", description: "github-mcp-server CrashLoopBackOff after pip install timeout",
                                  causedBy: deploy.id, components: ["github-mcp-server"], severity: .error)
        let unrelated = TimelineEvent(id: Identifier.make(.event, at: now.adding(seconds: -7200)), timestamp: now.adding(seconds: -7200),
                                      type: "scaling", source: "keda", description: "slack-worker scaled to 3", components: ["slack-worker"])
        try store.recordEvents([deploy, crash, unrelated])
        deployID = deploy.id
        crashID = crash.id

        // Infrastructure state, committed in January and now (author dates are what the history is read by).
        try dir.write("memory/infrastructure/state.json", MCPFixture.state(status: "healthy", ready: 1))
        try commit("infrastructure/state.json", date: "2026-01-05T10:00:00Z")
        try dir.write("memory/infrastructure/state.json", MCPFixture.state(status: "critical", ready: 0))
        try commit("infrastructure/state.json", date: nil)
    }

    func commit(_ path: String, date: String?) throws {
        var env: [String: String] = [:]
        if let date { env["GIT_AUTHOR_DATE"] = date; env["GIT_COMMITTER_DATE"] = date }
        try ProcessRunner.git(["add", path], cwd: repo)
        let r = try ProcessRunner.git(["commit", "-q", "-m", "collect", "--no-verify"], cwd: repo, environment: env)
        precondition(r.status == 0, r.stderr)
    }

    static func state(status: String, ready: Int) -> String {
        """
        {
          "alerts" : [],
          "components" : {
            "deployment/cortex-mcp/github-mcp-server" : {
              "crashLoop" : \(status == "critical"),
              "kind" : "Deployment",
              "name" : "github-mcp-server",
              "namespace" : "cortex-mcp",
              "readyReplicas" : \(ready),
              "reasons" : \(status == "critical" ? "[\"CrashLoopBackOff\"]" : "[]"),
              "replicas" : 1,
              "status" : "\(status)"
            },
            "node/worker-1" : {
              "kind" : "Node",
              "name" : "worker-1",
              "status" : "healthy",
              "version" : "v1.30.2"
            }
          },
          "sources" : {
            "kubernetes" : { "state" : "ok" }
          },
          "version" : 1
        }

        """
    }
}
