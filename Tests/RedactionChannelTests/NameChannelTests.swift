import Foundation
import MemoryModel
import Testing
import TestSupport

/// A token is a valid name: secrets given where cmem expects a name (a component, an event's type, source,
/// id and cause, a details key, a decision's component), through the CLI, REST and MCP. Each write is kept,
/// with the name redacted to a name (`REDACTED-kind`), so the notes, their paths and links stay well formed;
/// no secret reaches the working tree or any git object.
@Suite struct NameChannelTests {
    static let aws = Fake.awsKeyID("AKIA", seed: 301)
    static let github = Fake.github("ghp", seed: 302)
    static let slack = Fake.slack("xb", seed: 303)
    static let jwt = Fake.jwt(seed: 304)
    static let github2 = Fake.github("ghp", seed: 305)
    static let github3 = Fake.github("ghp", seed: 306)
    static let secrets = [aws, github, slack, jwt, github2, github3]

    @Test func aSecretGivenAsANameIsRedactedToAName() throws {
        let repo = try ChannelRepo("names")
        let at = isoTime(0)
        // CLI: every name of an event at once; two details keys that redact alike.
        let details = JSONValue.object([(Self.github2, .string("a")), (Self.github3, .string("b")), ("step", .number(1))]).json
        let cli = try repo.cmemOK(["event", "record", "--json", "--id", "ev-" + Self.github, "--type", Self.slack, "--source", Self.jwt,
                                   "--component", Self.aws, "--component", "api", "--caused-by", Self.github,
                                   "--description", "rotated", "--details=\(details)", "--time", at])
        let recorded = try JSONValue.parse(cli.stdout)["events"]?.items.first
        #expect(recorded?["affected_components"] == .strings(["REDACTED-aws_access_key", "api"]), "\(cli.stdout)")
        #expect(recorded?["event_type"]?.stringValue == "REDACTED-slack_token" && recorded?["source"]?.stringValue == "REDACTED-jwt", "\(cli.stdout)")
        let keys = recorded?["details"].flatMap { d -> [String]? in if case let .object(p) = d { return p.map(\.0) } else { return nil } } ?? []
        #expect(keys == ["[REDACTED:github_token]", "[REDACTED:github_token] 2", "step"], "\(cli.stdout)")
        // The event reads back: the day file is well formed.
        let id = try #require(recorded?["event_id"]?.stringValue)
        #expect(id == "ev-REDACTED-github_token")
        #expect(try repo.cmem(["event", "show", id, "--json"]).status == 0)

        // REST, on a real server.
        let server = try ServerProcess(repo: repo.path, arguments: ["--host", "127.0.0.1"])
        let rest = try LoopbackHTTP.json(port: server.port, "POST", "/memory/timeline/events", .object([
            ("event_type", .string("deployment")), ("source", .string(Self.github)), ("description", .string("synced")),
            ("affected_components", .strings([Self.aws])), ("details", .object([(Self.jwt, .string("x"))])), ("timestamp", .string(isoTime(60))),
        ]))
        #expect(rest.status == 201, "\(rest.body.prefix(500))")
        #expect(server.stop() == 0)

        // MCP: an event and a decision about a component named by a secret.
        let mcp = try MCPChannelTests.Connection(repo: repo)
        _ = try mcp.request("initialize", .object([
            ("protocolVersion", .string("2025-06-18")), ("capabilities", .object([])),
            ("clientInfo", .object([("name", .string("names")), ("version", .string("1"))])),
        ]))
        try mcp.process.send(#"{"jsonrpc": "2.0", "method": "notifications/initialized"}"#)
        try mcp.call("event_record", [("type", .string(Self.slack)), ("description", .string("scaled")),
                                      ("components", .strings([Self.github])), ("time", .string(isoTime(120)))])
        try mcp.call("session_update", [("task", .string("rotate the tokens"))])
        try mcp.call("decision_record", [("decision", .string("rotate")), ("components", .strings([Self.aws]))])
        #expect(mcp.process.finish() == 0)

        // Every write was kept, and the names are names: the component notes the vault writes are named for them.
        let timeline = try repo.cmemOK(["timeline", "--since", isoTime(-60), "--json"])
        #expect(try JSONValue.parse(timeline.stdout)["events"]?.items.count == 3, "\(timeline.stdout)")
        let decisions = try repo.notes(under: "decisions").values
        #expect(decisions.count == 1 && decisions.first?.contains("REDACTED-aws_access_key") == true)
        let leaks = try SecretLeaks.find(Self.secrets, in: repo.path)
        #expect(leaks.isEmpty, "secrets given as names survive:\n\(leaks.joined(separator: "\n"))")
        #expect(try repo.uncommitted().isEmpty)
    }
}
