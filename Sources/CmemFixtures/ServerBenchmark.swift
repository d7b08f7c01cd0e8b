import Foundation

/// Load on a real `cmem-server serve` over loopback, for `cmem-bench`: read throughput and tail latency
/// of `GET /memory/sessions/current`, durable writes per second through `POST /memory/timeline/events`,
/// the latency of `POST /memory/timeline/correlate`, and the server's peak resident memory.
public enum ServerBenchmark {
    public struct Figure: Sendable {
        public var name: String
        public var requests: Int
        public var errors: Int
        public var seconds: Double
        public var perSecond: Double
        public var p50: Double
        public var p99: Double
    }

    public struct Report: Sendable {
        public var figures: [Figure]
        /// The server's peak resident set (VmHWM), in bytes.
        public var peakResidentBytes: Int
        /// How long the server took to open (or build) its search index.
        public var indexReadySeconds: Double
    }

    public struct Options: Sendable {
        /// Seconds each throughput phase runs.
        public var duration: Double = 10
        /// Concurrent keep-alive connections for the read phase.
        public var readConnections = 8
        /// Concurrent connections for the write phase (more writers, bigger group commits).
        public var writeConnections = 16
        /// The burst of issue 19: this many connections at once, together posting `burstConnections ×
        /// burstEventsPerConnection` durable events (each one a request), as fast as they are answered.
        public var burstConnections = 64
        public var burstEventsPerConnection = 20
        /// Sequential correlate requests.
        public var correlations = 30
        public var log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        public init() {}
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `serverBinary serve` on a free loopback port over `repository` (which is written to: a
    /// session and the benchmark's events), runs the phases, and stops the server with SIGTERM.
    public static func run(serverBinary: String, repository: String, options: Options = Options()) throws -> Report {
        let server = try ChildServer(binary: serverBinary, repository: repository)
        defer { server.stop() }
        let port = server.port
        let log = options.log
        log("server on 127.0.0.1:\(port) (pid \(server.pid))")

        // The index opens in the background; measure once it is ready, as a long-running server would be.
        let indexStart = Date()
        let probe = LoopbackClient(port: port)
        while true {
            let metrics = try probe.send("GET", "/metrics").text
            if metrics.contains("cmem_index_available 1") { break }
            if Date().timeIntervalSince(indexStart) > 1800 { throw Failure(description: "the index was not ready after 30 minutes") }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let indexSeconds = Date().timeIntervalSince(indexStart)
        log("index ready after \(String(format: "%.1f", indexSeconds)) s")

        let project = "/srv/bench-project-\(getpid())"
        let started = try probe.send("POST", "/memory/sessions", json: #"{"working_directory": "\#(project)", "current_task": "benchmark"}"#)
        guard started.status == 201 else { throw Failure(description: "cannot start a session: \(started.status) \(started.text)") }
        let currentPath = "/memory/sessions/current?working_directory=" + project.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var figures: [Figure] = []

        figures.append(try load(name: "GET /memory/sessions/current", port: port, connections: options.readConnections,
                                duration: options.duration) { client, _ in
            try client.send("GET", currentPath).status == 200
        })
        log(describe(figures.last!))

        figures.append(try load(name: "POST /memory/timeline/events (durable)", port: port, connections: options.writeConnections,
                                duration: options.duration) { client, n in
            let body = #"{"event_type": "bench", "source": "cmem-bench", "description": "benchmark write \#(n)", "affected_components": ["bench"]}"#
            return try client.send("POST", "/memory/timeline/events", json: body).status == 201
        })
        log(describe(figures.last!))

        figures.append(try load(name: "POST /memory/timeline/events (durable, \(options.burstConnections) connections)", port: port,
                                connections: options.burstConnections, duration: nil,
                                count: options.burstConnections * options.burstEventsPerConnection) { client, n in
            let body = #"{"event_type": "bench", "source": "cmem-bench", "description": "burst write \#(n)", "affected_components": ["bench"]}"#
            return try client.send("POST", "/memory/timeline/events", json: body).status == 201
        })
        log(describe(figures.last!))

        let symptoms = ["github-mcp-server crash looping", "postgres-db connection errors", "argocd-operator sync failing",
                        "redis-cache latency high", "slack-mcp-server restarting"]
        figures.append(try load(name: "POST /memory/timeline/correlate", port: port, connections: 1, duration: nil,
                                count: options.correlations) { client, n in
            let body = #"{"symptom": "\#(symptoms[n % symptoms.count])", "timeframe": "24h"}"#
            return try client.send("POST", "/memory/timeline/correlate", json: body).status == 200
        })
        log(describe(figures.last!))

        let peak = server.peakResidentBytes()
        log("server peak RSS \(peak / (1 << 20)) MiB")
        return Report(figures: figures, peakResidentBytes: peak, indexReadySeconds: indexSeconds)
    }

    public static func describe(_ f: Figure) -> String {
        String(format: "%@: %d requests (%d errors) in %.1f s = %.0f/s; p50 %.2f ms, p99 %.2f ms",
               f.name, f.requests, f.errors, f.seconds, f.perSecond, f.p50 * 1000, f.p99 * 1000)
    }

    /// Runs `request` on `connections` threads, each with its own keep-alive connection, for `duration`
    /// seconds (or `count` requests in all), and collects latencies.
    static func load(name: String, port: Int, connections: Int, duration: Double?, count: Int = .max,
                     _ request: @escaping @Sendable (LoopbackClient, Int) throws -> Bool) throws -> Figure {
        final class Shared: @unchecked Sendable {
            let lock = NSLock()
            var latencies: [Double] = []
            var errors = 0
            var issued = 0
        }
        let shared = Shared()
        let group = DispatchGroup()
        let start = Date()
        let deadline = duration.map { start.addingTimeInterval($0) } ?? .distantFuture
        for _ in 0..<connections {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let client = LoopbackClient(port: port)
                var mine: [Double] = []
                var failed = 0
                while Date() < deadline {
                    shared.lock.lock()
                    let n = shared.issued
                    shared.issued += 1
                    shared.lock.unlock()
                    if n >= count { break }
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let ok = (try? request(client, n)) ?? false
                    mine.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                    if !ok { failed += 1 }
                }
                shared.lock.lock()
                shared.latencies += mine
                shared.errors += failed
                shared.lock.unlock()
            }
        }
        group.wait()
        var latencies = shared.latencies
        let errors = shared.errors
        let seconds = Date().timeIntervalSince(start)
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
        return Figure(name: name, requests: latencies.count, errors: errors, seconds: seconds,
                      perSecond: Double(latencies.count) / seconds, p50: percentile(0.5), p99: percentile(0.99))
    }

    /// `cmem-server serve --port 0` as a child process.
    final class ChildServer {
        let process = Process()
        let port: Int
        var pid: Int32 { process.processIdentifier }

        init(binary: String, repository: String) throws {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["serve", "--repo", repository, "--port", "0"]
            var env = ProcessInfo.processInfo.environment
            env["CMEM_TOKEN"] = nil
            env["CMEM_LOG_LEVEL"] = env["CMEM_LOG_LEVEL"] ?? "warning"
            process.environment = env
            let out = Pipe()
            process.standardOutput = out
            process.standardInput = FileHandle.nullDevice
            try process.run()
            var line = Data()
            let handle = out.fileHandleForReading
            while !line.contains(10) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.lastIndex(of: ":"),
                  let p = Int(text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)) else {
                process.terminate()
                throw Failure(description: "\(binary) did not start: \(text)")
            }
            port = p
        }

        func peakResidentBytes() -> Int {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
            for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
                return kb * 1024
            }
            return 0
        }

        func stop() {
            guard process.isRunning else { return }
            kill(pid, SIGTERM)
            process.waitUntilExit()
        }
    }
}
