import CmemFixtures
import Foundation

/// Issue 16: the web page's default view (the last 24 hours) on the largest imported repository, in
/// headless Chromium: time to first render, API calls and bytes, against the targets.
enum WebBench {
    static func run(_ env: BenchEnvironment, events: Int, runs: Int) throws {
        let (seed, _) = try env.repository(events: events)
        let copy = "\(env.workDir)/web-\(events)"
        try? FileManager.default.removeItem(atPath: copy)
        try Run.program("/bin/cp", ["-a", seed, copy])
        let script = (env.generator as NSString).deletingLastPathComponent + "/web_first_render.py"
        let r = try WebBenchmark.run(serverBinary: env.binDir + "/cmem-server", repository: copy, script: script, runs: min(runs, 9))
        var out = Report()
        out.add("first render of the default view (median)", String(format: "%.0f ms", r.firstRenderMilliseconds), "target ≤ 1000 ms")
        out.add("API calls", "\(r.apiCalls)")
        out.add("bytes received (page, assets, API)", "\(r.bytes / 1024) KiB", "target ≤ 500 KB")
        out.add("requests off the machine", "\(r.offsiteRequests)", "must be 0")
        out.add("index ready after", String(format: "%.1f s", r.indexReadySeconds))
        out.print(title: "Web page, \(events) events, view \(r.query) (issue 16)")
    }
}
