import Foundation
import HTTPTypes
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

@Suite struct HMACTests {
    @Test func sha256MatchesTheStandardVectors() {
        #expect(HMACSHA256.hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(HMACSHA256.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(HMACSHA256.hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(HMACSHA256.hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Fed in pieces that straddle block boundaries, the digest is the same.
        var h = SHA256()
        for piece in stride(from: 0, to: 1_000_000, by: 999) { h.update([UInt8](repeating: 0x61, count: min(999, 1_000_000 - piece))) }
        #expect(HMACSHA256.hex(h.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func hmacMatchesRFC4231() {
        // Test cases 1, 2 and 6 (a key longer than the block).
        #expect(HMACSHA256.hex(HMACSHA256.authenticationCode(for: Array("Hi There".utf8), key: [UInt8](repeating: 0x0b, count: 20)))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(HMACSHA256.hex(HMACSHA256.authenticationCode(for: Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8)))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(HMACSHA256.hex(HMACSHA256.authenticationCode(for: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                                                              key: [UInt8](repeating: 0xaa, count: 131)))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func githubSignatureVectors() throws {
        let vectors = try Fixtures.json("github_push_signature_vectors_COMPUTED.json")
        guard case let .array(items)? = vectors["vectors"] else { Issue.record("no vectors"); return }
        #expect(items.count == 2)
        for v in items {
            let secret = Array(try #require(v["secret"]?.stringValue).utf8)
            let body = try v["payload_file"]?.stringValue.map { try Fixtures.bytes($0) } ?? Array(try #require(v["payload_utf8"]?.stringValue).utf8)
            if let sha = v["payload_sha256_of_file"]?.stringValue { #expect(HMACSHA256.hex(SHA256.hash(body)) == sha) }
            let header = try #require(v["header_value"]?.stringValue)
            #expect(HMACSHA256.verify(signatureHeader: header, body: body, secret: secret))
            #expect(!HMACSHA256.verify(signatureHeader: header, body: body + [0x20], secret: secret))
            #expect(!HMACSHA256.verify(signatureHeader: header, body: body, secret: secret + [0x21]))
            #expect(!HMACSHA256.verify(signatureHeader: String(header.dropLast()), body: body, secret: secret))
            #expect(!HMACSHA256.verify(signatureHeader: nil, body: body, secret: secret))
        }
    }

    @Test func constantTimeComparison() {
        #expect(ConstantTime.equal(Array("secret-token".utf8), Array("secret-token".utf8)))
        #expect(!ConstantTime.equal(Array("secret-tokeN".utf8), Array("secret-token".utf8)))
        #expect(!ConstantTime.equal(Array("secret-token-longer".utf8), Array("secret-token".utf8)))
        #expect(!ConstantTime.equal([], Array("secret-token".utf8)))
    }
}

@Suite struct WebhookMappingTests {
    @Test func pushBecomesOneGitCommitEventPerCommit() throws {
        let outcome = try GitHubWebhook.events(eventName: "push", payload: try Fixtures.json("github_push.json"))
        guard case let .events(events) = outcome else { Issue.record("expected events, got \(outcome)"); return }
        #expect(events.count == 1)
        let e = events[0]
        #expect(e.type == "git_commit")
        #expect(e.source == "github")
        #expect(e.timestamp == Timestamp(iso8601: "2019-05-15T15:19:25Z"))
        #expect(e.components == ["Hello-World"])
        #expect(e.details["sha"] == .string("6113728f27ae82c7b1a177c8d03f9e96e0adf246"))
        #expect(e.details["branch"] == .string("master"))
        #expect(e.details["repository"] == .string("Codertocat/Hello-World"))
        #expect(e.details["author"] == .string("Codertocat"))
        #expect(e.details["added"] == .array([.string("README.md")]))
        #expect(e.description == "Hello-World@6113728 on master: Initial commit")
        try e.validate()
        // The ID comes from the content: the same delivery gives the same ID.
        guard case let .events(again) = try GitHubWebhook.events(eventName: "push", payload: try Fixtures.json("github_push.json")) else { return }
        #expect(again[0].id == e.id)
    }

    @Test func deletedRefsAndOtherEventsRecordNothing() throws {
        #expect(try GitHubWebhook.events(eventName: "push", payload: try Fixtures.json("github_push_tag_deleted.json"))
            == .ignored("refs/tags/simple-tag was deleted; nothing to record"))
        if case .events = try GitHubWebhook.events(eventName: "ping", payload: .object([])) { Issue.record("ping recorded") }
        if case .events = try GitHubWebhook.events(eventName: "issues", payload: .object([])) { Issue.record("issues recorded") }
        var open = try Fixtures.json("github_pull_request_closed_merged.json")
        if case var .object(pairs) = open, let i = pairs.firstIndex(where: { $0.0 == "action" }) {
            pairs[i].1 = .string("opened")
            open = .object(pairs)
        }
        if case .events = try GitHubWebhook.events(eventName: "pull_request", payload: open) { Issue.record("opened PR recorded") }
    }

    @Test func mergedPullRequestBecomesAMergeEvent() throws {
        let outcome = try GitHubWebhook.events(eventName: "pull_request", payload: try Fixtures.json("github_pull_request_closed_merged.json"))
        guard case let .events(events) = outcome, let e = events.first else { Issue.record("expected a merge event"); return }
        #expect(events.count == 1)
        #expect(e.type == "git_merge")
        #expect(e.timestamp == Timestamp(iso8601: "2019-11-26T07:01:13Z"))
        #expect(e.components == ["gcbapp-buildconfig-example"])
        #expect(e.details["sha"] == .string("a21683865c088b5fe1906cf6552d15a285a4986d"))
        #expect(e.details["merged_by"] == .string("ailisp"))
        #expect(e.details["head_ref"] == .string("byao1276-patch-1"))
        #expect(e.description == "Merged gcbapp-buildconfig-example#3 into master: Byao1276 patch 1")
        try e.validate()
    }

    @Test func argoCDNotificationsBecomeDeploymentAndHealthEvents() throws {
        let sync = try ArgoCDWebhook.event(try JSONValue.parse("""
            {"app": "github-mcp-server", "sync_status": "Synced", "health_status": "Healthy", "revision": "abc1234567",
             "operation_phase": "Succeeded", "message": "successfully synced", "finished_at": "2026-01-19T10:00:00Z",
             "trigger": "on-sync-succeeded"}
            """))
        #expect(sync.type == "deployment")
        #expect(sync.severity == .info)
        #expect(sync.components == ["github-mcp-server"])
        #expect(sync.description == "Synced github-mcp-server to abc1234: successfully synced")
        #expect(sync.timestamp == Timestamp(iso8601: "2026-01-19T10:00:00Z"))
        let degraded = try ArgoCDWebhook.event(try JSONValue.parse("""
            {"app": "github-mcp-server", "health_status": "Degraded", "trigger": "on-health-degraded", "timestamp": "2026-01-19T10:05:00Z"}
            """))
        #expect(degraded.type == "health_change")
        #expect(degraded.severity == .error)
        let failed = try ArgoCDWebhook.event(try JSONValue.parse(#"{"app": "api", "operation_phase": "Failed", "revision": "deadbeef"}"#))
        #expect(failed.type == "deployment")
        #expect(failed.severity == .error)
        // The whole Application object, as `{{toJson .app}}` renders it.
        let app = try Fixtures.json("argocd_application.json")
        let fromObject = try ArgoCDWebhook.event(.object([("app", app), ("trigger", .string("on-sync-succeeded"))]))
        #expect(fromObject.components == ["myapp"])
        #expect(fromObject.type == "deployment")
        #expect(fromObject.details["sync_status"] == .string("Synced"))
        #expect(fromObject.details["health_status"] == .string("Healthy"))
        // A message longer than a description: it is redacted before it is cut, since the cut can fall between
        // a password and the `@` that makes it one.
        let secret = "Sup3rS3cret!"
        let tail = "psql postgres://app:\(secret)"
        let long = String(repeating: "x", count: 999 - "Synced api to deadbee: ".count - tail.count - 1) + "\n" + tail + "@db.internal:5432/app"
        let cut = try ArgoCDWebhook.event(.object([("app", .string("api")), ("revision", .string("deadbeef")), ("message", .string(long))]))
        #expect(cut.description.hasSuffix("…"))
        #expect(!cut.description.contains(secret), "\(cut.description.suffix(60))")
        #expect(cut.details["message"]?.stringValue == long, "the details keep the whole message, for the store to redact")
        #expect(throws: ValidationError.self) { try ArgoCDWebhook.event(.object([("sync_status", .string("Synced"))])) }
        #expect(throws: ValidationError.self) { try ArgoCDWebhook.event(.object([("app", .string("../x"))])) }
        #expect(throws: ValidationError.self) { try ArgoCDWebhook.event(.object([("app", .string("a")), ("revision", .number(1))])) }
    }
}

@Suite struct WebhookAPITests {
    func headers(event: String, signature: String?) -> HTTPFields {
        var h = HTTPFields()
        h[HTTPField.Name("X-GitHub-Event")!] = event
        h[HTTPField.Name("X-GitHub-Delivery")!] = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
        if let signature { h[HTTPField.Name("X-Hub-Signature-256")!] = signature }
        return h
    }

    @Test func signedPushIsRecordedOnceAndBadSignaturesRecordNothing() async throws {
        let f = try ServerFixture()
        let body = try Fixtures.bytes("github_push.json")
        let good = Fixtures.signature(body)
        try await f.withClient { api in
            // Missing, wrong and stale signatures: 401, nothing recorded.
            for signature in [nil, "sha256=" + String(repeating: "0", count: 64), Fixtures.signature(body, secret: "another-secret"),
                              "sha1=" + String(repeating: "a", count: 40), String(good.dropLast())] {
                let r = try await api.request(.post, "/webhooks/git", body: body, headers: headers(event: "push", signature: signature))
                #expect(r.status == 401, "\(signature ?? "none"): \(r.text)")
                #expect(r.errorMessage != nil)
            }
            // The body altered after signing.
            var altered = body
            altered[altered.count - 3] = 0x20
            let tampered = try await api.request(.post, "/webhooks/git", body: altered, headers: headers(event: "push", signature: good))
            #expect(tampered.status == 401)
            #expect(try f.commitCount() == 1)

            let ok = try await api.request(.post, "/webhooks/git", body: body, headers: headers(event: "push", signature: good))
            #expect(ok.status == 201, "\(ok.text)")
            #expect(ok["recorded"] == .number(1))
            // A redelivery records nothing new.
            let again = try await api.request(.post, "/webhooks/git", body: body, headers: headers(event: "push", signature: good))
            #expect(again.status == 200)
            #expect(again["duplicates"] == .number(1))

            let events = try await api.get("/memory/timeline?type=git_commit&component=Hello-World")
            #expect(events["count"] == .number(1))
            #expect(events["events"]?.json.contains("6113728f27ae82c7b1a177c8d03f9e96e0adf246") == true)

            let merged = try Fixtures.bytes("github_pull_request_closed_merged.json")
            let pr = try await api.request(.post, "/webhooks/git", body: merged,
                                           headers: headers(event: "pull_request", signature: Fixtures.signature(merged)))
            #expect(pr.status == 201)
            let deleted = try Fixtures.bytes("github_push_tag_deleted.json")
            let del = try await api.request(.post, "/webhooks/git", body: deleted, headers: headers(event: "push", signature: Fixtures.signature(deleted)))
            #expect(del.status == 200)
            #expect(del["ignored"]?.stringValue?.contains("deleted") == true)
            let ping = Array(#"{"zen": "Keep it logically awesome."}"#.utf8)
            let pong = try await api.request(.post, "/webhooks/git", body: ping, headers: headers(event: "ping", signature: Fixtures.signature(ping)))
            #expect(pong.status == 200)
            // Signed but not JSON: a clean 400.
            let junk = Array("not json".utf8)
            let bad = try await api.request(.post, "/webhooks/git", body: junk, headers: headers(event: "push", signature: Fixtures.signature(junk)))
            #expect(bad.status == 400)
            let metrics = try await api.get("/metrics")
            #expect(metrics.text.contains("cmem_webhook_deliveries_total{source=\"github\",result=\"unauthorized\"} 6"))
        }
        // The push and the merge: two commits after init.
        #expect(try f.commitCount() == 3)
    }

    /// A pushed commit belongs to the components whose `paths` cover its files, by the same rules as the git
    /// hooks (`.cmem/components.yaml`), not to the repository's name.
    @Test func pushIsRecordedUnderTheComponentsItsFilesBelongTo() async throws {
        let f = try ServerFixture()
        try f.dir.write("memory/.cmem/components.yaml", """
        components:
          hello-docs:
            paths: ["*.md"]
          hello-src:
            paths: ["src/*.c"]
        """)
        let body = try Fixtures.bytes("github_push.json")
        try await f.withClient { api in
            let ok = try await api.request(.post, "/webhooks/git", body: body, headers: headers(event: "push", signature: Fixtures.signature(body)))
            #expect(ok.status == 201, "\(ok.text)")
            let docs = try await api.get("/memory/timeline?type=git_commit&component=hello-docs")
            #expect(docs["count"] == .number(1), "\(docs.text)")
            let repo = try await api.get("/memory/timeline?type=git_commit&component=Hello-World")
            #expect(repo["count"] == .number(0), "\(repo.text)")
        }
    }

    @Test func withoutASecretEveryDeliveryIsRefused() async throws {
        let f = try ServerFixture(webhookSecret: nil)
        let body = try Fixtures.bytes("github_push.json")
        try await f.withClient { api in
            let r = try await api.request(.post, "/webhooks/git", body: body, headers: headers(event: "push", signature: Fixtures.signature(body)))
            #expect(r.status == 401)
            #expect(r.errorMessage?.contains("no webhook secret is configured") == true)
        }
        #expect(try f.commitCount() == 1)
    }

    @Test func argoCDNotificationsAreRecorded() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let body = """
                {"app": "github-mcp-server", "sync_status": "Synced", "health_status": "Healthy", "revision": "abc1234567",
                 "operation_phase": "Succeeded", "finished_at": "2026-01-19T10:00:00Z", "trigger": "on-sync-succeeded"}
                """
            let r = try await api.post("/webhooks/argocd", body)
            #expect(r.status == 201)
            #expect(try await api.post("/webhooks/argocd", body).status == 200)
            let bad = try await api.post("/webhooks/argocd", #"{"sync_status": "Synced"}"#)
            #expect(bad.status == 400)
            let events = try await api.get("/memory/timeline/component/github-mcp-server")
            #expect(events["count"] == .number(1))
            #expect(events["events"]?.json.contains("\"event_type\": \"deployment\"") == true)
        }
    }
}
