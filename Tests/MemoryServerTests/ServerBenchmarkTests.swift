import CmemFixtures
import Foundation
import MemoryServer
import MemoryStore
import Testing
import TestSupport

/// The benchmark `cmem-bench` runs, in miniature: it must work end to end, whatever the figures.
@Suite struct ServerBenchmarkTests {
    @Test func benchmarkRunsAgainstARealServer() async throws {
        let dir = TemporaryDirectory("cmem-bench")
        _ = try MemoryStore.initialize(at: dir.file("memory"))
        let server = (CMemBinary.path as NSString).deletingLastPathComponent + "/cmem-server"
        let repo = dir.file("memory")
        var options = ServerBenchmark.Options()
        options.duration = 0.5
        options.readConnections = 2
        options.writeConnections = 4
        options.correlations = 3
        options.burstConnections = 8
        options.burstEventsPerConnection = 2
        options.log = { _ in }
        let settings = options
        let report = try await offPool { try ServerBenchmark.run(serverBinary: server, repository: repo, options: settings) }
        #expect(report.figures.count == 4)
        for f in report.figures {
            #expect(f.requests > 0, "\(f.name)")
            #expect(f.errors == 0, "\(f.name)")
        }
        #expect(report.peakResidentBytes > 0)
        #expect(try ProcessRunner.git(["status", "--porcelain"], cwd: repo).trimmed.isEmpty)
    }
}
