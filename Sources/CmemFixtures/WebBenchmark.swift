import Foundation
import MemoryModel

/// The web page's default view on a repository, in headless Chromium: `cmem-server serve` on loopback and
/// `bench/web_first_render.py` (Playwright for Python with Debian's chromium) timing the first render.
public enum WebBenchmark {
    public struct Report: Sendable {
        public var firstRenderMilliseconds: Double
        public var apiCalls: Int
        public var bytes: Int
        public var offsiteRequests: Int
        /// The range shown: the last 24 hours of the corpus (its newest event), as the page's query string.
        public var query: String
        public var indexReadySeconds: Double
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func run(serverBinary: String, repository: String, script: String, chromium: String = "/usr/bin/chromium",
                           runs: Int = 5) throws -> Report {
        let server = try ServerBenchmark.ChildServer(binary: serverBinary, repository: repository)
        defer { server.stop() }
        let client = LoopbackClient(port: server.port)
        // The index opens in the background; the page is measured once it answers.
        let started = Date()
        var newest: Timestamp?
        while Date().timeIntervalSince(started) < 600 {
            if let r = try? client.send("GET", "/memory/timeline?limit=1"), r.status == 200 {
                let json = try JSONValue.parse(r.text)
                if case let .array(events)? = json["events"], let t = events.last?["timestamp"]?.stringValue {
                    newest = Timestamp(iso8601: t)
                }
                break
            }
            usleep(100_000)
        }
        let ready = Date().timeIntervalSince(started)
        guard let end = newest else { throw Failure(description: "the server answered no event within 600 s") }
        // The corpus is generated up to some day, not up to now: its last 24 hours are the default view.
        let query = "?start=\(end.adding(seconds: -86400).iso8601)&end=\(end.adding(seconds: 60).iso8601)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--url", "http://127.0.0.1:\(server.port)", "--query", query,
                             "--runs", "\(runs)", "--chromium", chromium]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let json = try? JSONValue.parse(text), json["error"] == nil else {
            throw Failure(description: "\(script) failed (status \(process.terminationStatus)): \(text)")
        }
        func number(_ key: String) -> Double {
            if case let .number(n)? = json[key] { return n }
            return .nan
        }
        return Report(firstRenderMilliseconds: number("first_render_ms"), apiCalls: Int(number("api_calls")),
                      bytes: Int(number("bytes")), offsiteRequests: Int(number("offsite_requests")), query: query,
                      indexReadySeconds: ready)
    }
}
