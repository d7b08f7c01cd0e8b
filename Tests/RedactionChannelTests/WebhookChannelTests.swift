import Foundation
import MemoryServer
import MemoryModel
import Testing
import TestSupport

/// Every corpus secret delivered to the webhooks of a real `cmem serve` on 127.0.0.1: GitHub pushes
/// (signed with the configured secret) whose commit messages are the cases, ten commits a push, and
/// Argo CD notifications whose message is a case (the flat template; once more after a long message, so
/// that the description's length limit cuts right after the secret) or several (the whole Application
/// object).
@Suite struct WebhookChannelTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MemoryServerTests/Fixtures")
    static let secret = "redaction-channel-webhook-secret"
    /// The characters of an event description the webhooks keep (the last one is an ellipsis).
    static let descriptionLimit = 1000

    static func sha(_ n: Int, salt: String) -> String {
        String(Signing.hex(Signing.sha256(Array("\(salt)-\(n)".utf8))).prefix(40))
    }

    /// The fixture push with `messages` as its commits.
    static func push(_ messages: [(Int, String)]) throws -> [UInt8] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("github_push.json"), encoding: .utf8)
        guard case var .object(pairs) = try JSONValue.parse(text), case let .array(commits)? = JSONValue.object(pairs)["commits"],
              case var .object(template) = commits.first else { throw ChannelFailure("unexpected github_push.json") }
        func set(_ key: String, _ value: JSONValue, in pairs: inout [(String, JSONValue)]) {
            if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        }
        let made: [JSONValue] = messages.map { n, message in
            let id = sha(n, salt: "commit")
            set("id", .string(id), in: &template)
            set("tree_id", .string(sha(n, salt: "tree")), in: &template)
            set("message", .string(message), in: &template)
            set("timestamp", .string(isoTime(n * 60)), in: &template)
            set("url", .string("https://github.com/Codertocat/Hello-World/commit/\(id)"), in: &template)
            set("added", .strings([]), in: &template)
            set("modified", .strings(["config/app.env"]), in: &template)
            return .object(template)
        }
        set("commits", .array(made), in: &pairs)
        set("head_commit", made.last ?? .null, in: &pairs)
        set("before", .string(sha(messages.first?.0 ?? 0, salt: "before")), in: &pairs)
        set("after", .string(sha(messages.last?.0 ?? 0, salt: "commit")), in: &pairs)
        set("created", .bool(false), in: &pairs)
        return Array(JSONValue.object(pairs).json.utf8)
    }

    @Test func everySecretDeliveredToTheWebhooksIsGone() throws {
        let repo = try ChannelRepo("webhooks")
        let secretFile = repo.dir.file("webhook-secret")
        try (WebhookChannelTests.secret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        let before = try repo.commits()
        let server = try ServerProcess(repo: repo.path, arguments: ["--host", "127.0.0.1", "--webhook-secret-file", secretFile])
        let port = server.port
        var recorded = 0
        func deliver(_ path: String, _ body: [UInt8], headers: [(String, String)] = []) throws {
            let r: LoopbackHTTP.Response
            do {
                r = try LoopbackHTTP.send(port: port, "POST", path, headers: headers + [("Content-Type", "application/json")], body: body)
            } catch {
                throw ChannelFailure("POST \(path): \(error); the server \(server.process.isRunning ? "runs" : "exited \(server.process.terminationStatus)"): \(server.stderr.suffix(3000))")
            }
            guard r.status == 201 else { throw ChannelFailure("POST \(path): \(r.status) \(r.body.prefix(2000))") }
            recorded += Int(r.json["recorded"]?.stringValue ?? "") ?? 0
        }

        // GitHub: ten commits a push, each message one case (its first line is the event's description).
        let numbered = Array(Channel.cases.map(\.text).enumerated())
        var pushes = 0
        for start in stride(from: 0, to: numbered.count, by: 10) {
            let body = try WebhookChannelTests.push(Array(numbered[start..<min(start + 10, numbered.count)]))
            try deliver("/webhooks/git", body, headers: [
                ("X-GitHub-Event", "push"), ("X-GitHub-Delivery", "delivery-\(start)"),
                ("X-Hub-Signature-256", Signing.githubSignature(body, secret: WebhookChannelTests.secret)),
            ])
            pushes += 1
        }
        #expect(recorded == Channel.cases.count)

        // Argo CD, the documented flat template: a notification per case, its message the case.
        for (i, c) in Channel.cases.enumerated() {
            let failed = i % 3 == 2
            let body = JSONValue.object([
                ("app", .string("payments-api")), ("sync_status", .string(failed ? "OutOfSync" : "Synced")),
                ("health_status", .string(failed ? "Degraded" : "Healthy")), ("revision", .string(WebhookChannelTests.sha(i, salt: "argo"))),
                ("operation_phase", .string(failed ? "Failed" : "Succeeded")), ("message", .string(c.text)),
                ("finished_at", .string(isoTime(i * 60 + 5))),
                ("trigger", .string(failed ? "on-sync-failed" : "on-sync-succeeded")),
            ])
            try deliver("/webhooks/argocd", Array(body.json.utf8))
        }
        // A long sync message: the description keeps only its first thousand characters. Each case is put
        // where that cut falls right after its secret (`postgres://app:Sup3rS3cret!` without its `@db`).
        var cut = 0
        for (i, c) in Channel.cases.enumerated() {
            let revision = WebhookChannelTests.sha(i, salt: "argo-long")
            let prefix = "Synced payments-api to \(revision.prefix(7)): "
            guard let secret = c.secrets.first, let range = c.text.range(of: secret) else { continue }
            let kept = WebhookChannelTests.descriptionLimit - 1 - prefix.unicodeScalars.count
            let before = c.text[..<range.upperBound].unicodeScalars.count
            guard kept > before else { continue }
            let filler = "one or more synchronization tasks completed unsuccessfully, reason: "
            let pad = String(String(repeating: filler, count: kept / filler.count + 1).prefix(kept - before - 1)) + "\n"
            let body = JSONValue.object([
                ("app", .string("payments-api")), ("sync_status", .string("Synced")), ("health_status", .string("Healthy")),
                ("revision", .string(revision)), ("operation_phase", .string("Succeeded")), ("message", .string(pad + c.text)),
                ("finished_at", .string(isoTime(10_000 + i * 60))), ("trigger", .string("on-sync-succeeded")),
            ])
            try deliver("/webhooks/argocd", Array(body.json.utf8))
            cut += 1
        }
        #expect(cut == Channel.cases.count)
        // Argo CD, the whole Application object: several cases in the operation's message.
        let application = try JSONValue.parse(try String(contentsOf: WebhookChannelTests.fixtures.appendingPathComponent("argocd_application.json"),
                                                         encoding: .utf8))
        let messages = Channel.groups(maxLength: 900)
        for (i, message) in messages.enumerated() {
            let app = WebhookChannelTests.replacing(application, path: ["status", "operationState", "message"], with: .string(message))
            let timed = WebhookChannelTests.replacing(app, path: ["status", "operationState", "finishedAt"],
                                                      with: .string(isoTime(20_000 + i * 60)))
            try deliver("/webhooks/argocd", Array(JSONValue.object([("app", timed), ("trigger", .string("on-deployed"))]).json.utf8))
        }
        #expect(server.stop() == 0)
        #expect(recorded == Channel.cases.count * 3 + messages.count)

        #expect(try repo.commits() >= before + pushes + Channel.cases.count * 2 + messages.count)
        let days = try repo.notes(under: "timeline")
        let all = days.values.joined()
        #expect(occurrences(of: "git_commit", in: all) >= Channel.cases.count)
        // A marker at least for each case in a commit's message, and in the description and the message of
        // each of the three notifications that carried it.
        #expect(occurrences(of: Channel.marker, in: all) >= Channel.cases.count * 7)

        let leaks = try repo.leaks()
        #expect(leaks.isEmpty, "secrets survive the webhooks:\n\(leaks.joined(separator: "\n"))")
        #expect(try repo.uncommitted().isEmpty)
    }

    /// `value` with the member at `path` set to `new` (objects along the way are created).
    static func replacing(_ value: JSONValue, path: [String], with new: JSONValue) -> JSONValue {
        guard let key = path.first else { return new }
        var pairs: [(String, JSONValue)] = []
        if case let .object(p) = value { pairs = p }
        let child = pairs.first(where: { $0.0 == key })?.1 ?? .object([])
        let replaced = replacing(child, path: Array(path.dropFirst()), with: new)
        if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = replaced } else { pairs.append((key, replaced)) }
        return .object(pairs)
    }
}
