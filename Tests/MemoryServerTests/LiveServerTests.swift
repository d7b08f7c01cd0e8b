import CmemFixtures
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MemoryModel
import MemoryServer
import MemoryStore
import Testing
import TestSupport

/// The real `cmem serve` binary on a random loopback port, driven over TCP.
@Suite(.serialized) struct LiveServerTests {
    final class Repo: @unchecked Sendable {
        let dir = TemporaryDirectory("cmem-live")
        var path: String { dir.file("memory") }
        var project: String { dir.file("project") }
        init() throws {
            _ = try MemoryStore.initialize(at: dir.file("memory"))
            try FileManager.default.createDirectory(atPath: dir.file("project/.git"), withIntermediateDirectories: true)
        }
        func git(_ args: String...) throws -> ProcessResult { try ProcessRunner.git(args, cwd: path) }
        func commits() throws -> Int { Int(try git("rev-list", "--count", "HEAD").trimmed) ?? -1 }
    }

    @Test func endToEndOverLoopback() async throws {
        let repo = try Repo()
        try repo.dir.write("secret", Fixtures.webhookSecret + "\n")
        let server = try ServerProcess(repo: repo.path, arguments: ["--webhook-secret-file", repo.dir.file("secret")])
        let port = server.port
        let project = repo.project
        try await offPool { () throws -> Void in
            let c = LoopbackClient(port: port)
            #expect(try c.send("GET", "/healthz").text.contains("\"ok\""))
            let started = try c.send("POST", "/memory/sessions", json: #"{"working_directory": "\#(project)", "current_task": "live"}"#)
            #expect(started.status == 201)
            let id = try JSONValue.parse(started.text)["session_id"]?.stringValue ?? ""
            let current = try c.send("GET", "/memory/sessions/current?working_directory=\(q(project))")
            #expect(current.status == 200)
            #expect(current.text.contains(id))
            // A CLI write from another process is seen by the next request.
            let cli = try CMemBinary.run(["session", "update", "--session", id, "--blocker", "registry down"], repo: repo.path)
            #expect(cli.status == 0, "\(cli.stderr)")
            #expect(try c.send("GET", "/memory/sessions/\(id)").text.contains("registry down"))
            let event = try c.send("POST", "/memory/timeline/events", json: #"{"event_type": "deployment", "source": "argocd", "description": "live deploy"}"#)
            #expect(event.status == 201)

            // Webhooks with the real GitHub payload: missing, wrong, then correct signature.
            let body = try Fixtures.bytes("github_push.json")
            let base = [("Content-Type", "application/json"), ("X-GitHub-Event", "push")]
            #expect(try c.send("POST", "/webhooks/git", headers: base, body: body).status == 401)
            #expect(try c.send("POST", "/webhooks/git", headers: base + [("X-Hub-Signature-256", Fixtures.signature(body, secret: "nope"))], body: body).status == 401)
            let ok = try c.send("POST", "/webhooks/git", headers: base + [("X-Hub-Signature-256", Fixtures.signature(body))], body: body)
            #expect(ok.status == 201, "\(ok.text)")

            // Errors over the wire are JSON with the right status.
            let big = [UInt8](repeating: 0x20, count: RequestLimits.body + 10)
            let tooLarge = try c.send("POST", "/memory/timeline/events", headers: [("Content-Type", "application/json")], body: big)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.text.contains("\"error\""))
            // A declared length over the limit is refused before the body is sent.
            let declared = try LoopbackClient(port: port).sendRaw(Array("POST /memory/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(RequestLimits.body + 1)\r\n\r\n{".utf8))
            #expect(declared.status == 413)
            let c2 = LoopbackClient(port: port)
            let bomb = Array((String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)).utf8)
            let nested = try c2.send("POST", "/memory/timeline/correlate", headers: [("Content-Type", "application/json")], body: bomb)
            #expect(nested.status == 400)
            #expect(try c2.send("GET", "/memory/timeline/event/..%2F..%2F.git%2Fconfig").status == 400)
            #expect(try c2.send("GET", "/memory/timeline/event/ev-20200101-000000-0000000000").status == 404)
            let metrics = try c2.send("GET", "/metrics")
            #expect(metrics.text.contains("cmem_http_requests_total"))
        }
        #expect(server.stop() == 0)
        // Session start, CLI update, event, webhook: four commits after init; nothing left uncommitted.
        #expect(try repo.commits() == 5)
        #expect(try repo.git("status", "--porcelain").trimmed.isEmpty)
    }

    /// Clients that open connections, send half a request and wait (issue 19: 1,100 of them made /healthz
    /// time out) are cut off at the header deadline, and a well-behaved client is answered meanwhile. A
    /// request with a wrong token is refused before its body is read.
    @Test func halfSentRequestsCannotHoldTheServer() async throws {
        let repo = try Repo()
        let token = "t0ken-for-the-live-limits-test"
        let server = try ServerProcess(repo: repo.path, arguments: ["--max-connections", "16", "--header-timeout", "2"],
                                       environment: ["CMEM_TOKEN": token])
        let port = server.port
        try await offPool { () throws -> Void in
            func connectRaw() -> Int32 {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = UInt16(port).bigEndian
                _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
                var timeout = timeval(tv_sec: 15, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                return fd
            }
            let half = Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8)
            var stalled: [Int32] = []
            for _ in 0..<48 {
                let fd = connectRaw()
                _ = half.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                stalled.append(fd)
            }
            let start = Date()
            let ok = try LoopbackClient(port: port).send("GET", "/healthz")
            #expect(ok.status == 200)
            #expect(Date().timeIntervalSince(start) < 12, "a good client waited \(Date().timeIntervalSince(start)) s behind half-sent requests")
            // Every stalled connection is closed by the server (end of file), none is left open.
            var buffer = [UInt8](repeating: 0, count: 64)
            for fd in stalled {
                let n = read(fd, &buffer, buffer.count)
                #expect(n == 0, "a half-sent request's connection was not closed (read \(n), errno \(errno))")
                close(fd)
            }
            // A wrong token with a 100 MB body declared: 401 at once, nothing read or stored.
            let refused = try LoopbackClient(port: port).sendRaw(Array("POST /memory/timeline/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong-token-wrong-token\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n".utf8))
            #expect(refused.status == 401)
        }
        #expect(server.stop() == 0)
        #expect(try repo.commits() == 1)
    }

    @Test func anotherBindAddressNeedsAToken() async throws {
        let repo = try Repo()
        let refused = try ServerProcess.refusal(repo: repo.path, arguments: ["--host", "0.0.0.0"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("CMEM_TOKEN or --token-file"))

        let token = "test-token-0123456789abcdef0123"
        try repo.dir.write("token", token + "\n")
        let server = try ServerProcess(repo: repo.path, arguments: ["--host", "0.0.0.0", "--token-file", repo.dir.file("token")])
        let port = server.port
        try await offPool { () throws -> Void in
            // Traffic only ever goes to 127.0.0.1.
            let c = LoopbackClient(port: port)
            #expect(try c.send("GET", "/healthz").status == 200)
            #expect(try c.send("GET", "/memory/timeline").status == 401)
            #expect(try c.send("GET", "/metrics").status == 401)
            #expect(try c.send("POST", "/memory/sessions", json: #"{"working_directory": "/tmp"}"#).status == 401)
            #expect(try c.send("GET", "/memory/timeline", headers: [("Authorization", "Bearer wrong")]).status == 401)
            #expect(try c.send("GET", "/memory/timeline", headers: [("Authorization", "Bearer " + token)]).status == 200)
        }
        #expect(server.stop() == 0)
        #expect(try repo.commits() == 1)

        // The token may also come from the environment.
        let fromEnv = try ServerProcess(repo: repo.path, arguments: ["--host", "0.0.0.0"], environment: ["CMEM_TOKEN": token])
        let envPort = fromEnv.port
        try await offPool { () throws -> Void in
            #expect(try LoopbackClient(port: envPort).send("GET", "/memory/timeline", headers: [("Authorization", "Bearer " + token)]).status == 200)
        }
        #expect(fromEnv.stop() == 0)
    }

    @Test func missingRepositoryIsAClearStartupError() throws {
        let dir = TemporaryDirectory("cmem-live")
        let refused = try ServerProcess.refusal(repo: dir.file("nothing-here"), arguments: [])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("not a Cortex Memory repository"))
    }

    @Test func sigtermFinishesInFlightWritesThenExits() async throws {
        let repo = try Repo()
        let server = try ServerProcess(repo: repo.path)
        let port = server.port
        let writers = 8
        let perWriter = 15
        let pid = server.process.processIdentifier
        let results = try await withThrowingTaskGroup(of: [(String, Int)].self) { group in
            for w in 0..<writers {
                group.addTask {
                    try await offPool {
                        let c = LoopbackClient(port: port)
                        var statuses: [(String, Int)] = []
                        for i in 0..<perWriter {
                            let id = "ev-20260401-000000-\(String(format: "%05d%05d", w, i))"
                            do {
                                let r = try c.send("POST", "/memory/timeline/events", json: """
                                    {"event_id": "\(id)", "timestamp": "2026-04-01T00:00:00Z",
                                     "event_type": "note", "source": "test", "description": "writer \(w) event \(i)"}
                                    """)
                                statuses.append((id, r.status))
                            } catch {
                                statuses.append((id, -1)) // refused once the server stopped accepting
                            }
                        }
                        return statuses
                    }
                }
            }
            // Stop while the writers are busy.
            try await Task.sleep(for: .milliseconds(150))
            kill(pid, SIGTERM)
            var all: [(String, Int)] = []
            for try await statuses in group { all += statuses }
            return all
        }
        #expect(server.stop() == 0)
        // 201, or 200 when a retried request found its event already written; -1 once the server was gone.
        #expect(results.allSatisfy { [201, 200, -1].contains($0.1) }, "\(results.map(\.1))")
        let acknowledged = Set(results.filter { $0.1 == 201 || $0.1 == 200 }.map(\.0))
        #expect(!acknowledged.isEmpty)
        // Every write that was acknowledged is committed; nothing half-written is left.
        #expect(try repo.git("status", "--porcelain").trimmed.isEmpty)
        #expect(try repo.git("fsck", "--no-progress").status == 0)
        let store = try MemoryStore(path: repo.path)
        var filter = MemoryStore.TimelineFilter()
        filter.limit = Int.max
        let stored = Set(try store.timeline(filter).events.map(\.id))
        #expect(acknowledged.isSubset(of: stored))
    }
}
