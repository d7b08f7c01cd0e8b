import Foundation

/// `cmem-bench SUITE… [--events N[,N…]] [--runs N] [--work DIR]`
/// Suites: store, index, correlate, hooks, collector, server, sync, retention, web. Each prints a Markdown table with its figures next to the baselines the issues name.
@main
struct Bench {
    static func main() async {
        var args = Array(CommandLine.arguments.dropFirst())
        func option(_ name: String) -> String? {
            guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
            let v = args[i + 1]
            args.removeSubrange(i...(i + 1))
            return v
        }
        if args.contains("--help") || args.contains("-h") {
            print("usage: cmem-bench [store] [index] [correlate] [hooks] [collector] [server] [sync] [retention] [web] [--events 100000,1000000] [--runs 50] [--work DIR]")
            return
        }
        let sizes = (option("--events") ?? "100000,1000000").split(separator: ",").compactMap { Int($0) }
        let runs = Int(option("--runs") ?? "50") ?? 50
        let work = option("--work") ?? FileManager.default.currentDirectoryPath + "/bench-data"
        let suites = args.isEmpty ? ["store"] : args
        do {
            let env = try BenchEnvironment(workDir: work)
            for suite in suites {
                switch suite {
                case "store": try StoreBench.run(env, sizes: sizes, runs: runs)
                case "index": try IndexBench.run(env, events: sizes.max()!, runs: runs)
                case "correlate": try CorrelateBench.run(env, events: sizes.max()!, runs: runs)
                case "hooks": try HooksBench.run(env, events: sizes.max()!, runs: runs)
                case "collector": try CollectorBench.run(env, runs: runs)
                case "server": try NetworkBench.server(env, events: sizes.max()!)
                case "sync": try NetworkBench.sync(env, events: sizes.max()!)
                case "retention": try RetentionBench.run(env, events: sizes.max()!)
                case "web": try WebBench.run(env, events: sizes.max()!, runs: runs)
                default: throw BenchError(message: "unknown suite \(suite)")
                }
            }
        } catch {
            FileHandle.standardError.write(Data("cmem-bench: \(error)\n".utf8))
            exit(1)
        }
    }
}
