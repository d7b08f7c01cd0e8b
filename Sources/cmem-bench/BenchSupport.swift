import Foundation

/// Shared plumbing for the benchmarks: a monotonic clock, percentiles, subprocesses, corpora, reporting.
enum Clock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// User plus system CPU seconds of all waited-for child processes so far.
    static func childrenCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = now()
        try body()
        return now() - start
    }
}

struct Samples {
    var values: [Double] = []
    mutating func add(_ v: Double) { values.append(v) }
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count - 1)).rounded())))
        return sorted[rank]
    }
    var p50: Double { percentile(50) }
    var p90: Double { percentile(90) }
    var p99: Double { percentile(99) }
}

struct BenchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

enum Run {
    /// Runs a program to completion; stdout is returned, stderr passed through on failure.
    @discardableResult
    static func program(_ path: String, _ args: [String], cwd: String? = nil, env: [String: String] = [:],
                        stdout: FileHandle? = nil, stdin: FileHandle? = nil) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        if let stdout { p.standardOutput = stdout } else { p.standardOutput = out }
        if let stdin { p.standardInput = stdin }
        p.standardError = err
        try p.run()
        var collected = Data()
        if stdout == nil { collected = out.fileHandleForReading.readDataToEndOfFile() }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw BenchError(message: "\(path) \(args.joined(separator: " ")) exited \(p.terminationStatus): \(String(decoding: errData, as: UTF8.self))")
        }
        return String(decoding: collected, as: UTF8.self)
    }

    static func shell(_ command: String, cwd: String? = nil) throws -> String {
        try program("/bin/sh", ["-c", command], cwd: cwd)
    }

    /// Runs a program for timing: posix_spawn and wait4, with stdin, stdout and stderr on files in
    /// `scratch`. Foundation's `Process` is not used here: its wait polls in 50 ms steps on Linux, more
    /// than the commands being measured. Returns stdout, the wall time and the child's own CPU time.
    static func timed(_ path: String, _ args: [String], stdin: String = "", scratch: String) throws -> (stdout: String, seconds: Double, cpu: Double) {
        let input = scratch + "/stdin.txt", output = scratch + "/stdout.txt", errors = scratch + "/stderr.txt"
        try stdin.write(toFile: input, atomically: false, encoding: .utf8)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid = pid_t()
        let start = Clock.now()
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw BenchError(message: "posix_spawn \(path): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Clock.now() - start
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let err = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw BenchError(message: "\(path) \(args.joined(separator: " ")) ended with status \(status): \(err)")
        }
        return ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "", seconds, cpu)
    }
}

/// Where benchmark binaries and data live.
struct BenchEnvironment {
    let workDir: String
    let binDir: String
    let generator: String

    /// The `cmem` under test: `$CMEM_BIN` (e.g. the static-runtime build users install), else the one beside this binary.
    var cmem: String {
        if let bin = ProcessInfo.processInfo.environment["CMEM_BIN"], !bin.isEmpty { return bin }
        return binDir + "/cmem"
    }

    init(workDir: String) throws {
        self.workDir = workDir
        try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        binDir = (exe as NSString).deletingLastPathComponent
        // The generator ships in bench/ of the source tree; look beside the binary's build folder first.
        var candidates = [ProcessInfo.processInfo.environment["CMEM_BENCH_GENERATOR"] ?? ""]
        var dir = binDir
        for _ in 0..<5 {
            candidates.append(dir + "/bench/gen_events.py")
            dir = (dir as NSString).deletingLastPathComponent
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/bench/gen_events.py")
        guard let found = candidates.first(where: { !$0.isEmpty && FileManager.default.fileExists(atPath: $0) }) else {
            throw BenchError(message: "bench/gen_events.py not found; run cmem-bench from the source tree or set CMEM_BENCH_GENERATOR")
        }
        generator = found
    }

    /// A JSON Lines corpus of `events` events (and events/100 sessions), generated once and cached.
    func corpus(events: Int) throws -> String {
        let path = "\(workDir)/stream-\(events).jsonl"
        if FileManager.default.fileExists(atPath: path) { return path }
        FileManager.default.createFile(atPath: path + ".tmp", contents: nil)
        let handle = FileHandle(forWritingAtPath: path + ".tmp")!
        try Run.program("/usr/bin/env", ["python3", generator, "--events", "\(events)"], stdout: handle)
        try handle.close()
        try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
        return path
    }

    /// A memory repository holding the corpus of `events` events, imported once and cached.
    func repository(events: Int) throws -> (path: String, importSeconds: Double?) {
        let repo = "\(workDir)/repo-\(events)"
        if FileManager.default.fileExists(atPath: repo + "/.cmem/imported") { return (repo, nil) }
        try? FileManager.default.removeItem(atPath: repo)
        let stream = try corpus(events: events)
        try Run.program(cmem, ["init", repo])
        let seconds = try Clock.time {
            try Run.program(cmem, ["import", stream, "--repo", repo])
        }
        FileManager.default.createFile(atPath: repo + "/.cmem/imported", contents: Data("\(seconds)\n".utf8))
        try Run.shell("git -C '\(repo)' update-index -q --refresh >/dev/null 2>&1; echo .cmem/imported >> '\(repo)/.git/info/exclude'")
        return (repo, seconds)
    }
}

/// A plain-text table plus the same figures as JSON lines, so a note can quote them.
struct Report {
    var rows: [(String, String, String)] = []

    mutating func add(_ name: String, _ value: String, _ comparison: String = "") {
        rows.append((name, value, comparison))
        FileHandle.standardError.write(Data("  \(name): \(value) \(comparison)\n".utf8))
    }

    func print(title: String) {
        Swift.print("\n## \(title)\n")
        Swift.print("| measure | value | against the baseline |")
        Swift.print("|---|---|---|")
        for (a, b, c) in rows { Swift.print("| \(a) | \(b) | \(c) |") }
    }
}

func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
func ratio(_ a: Double, _ b: Double) -> String { String(format: "%.2f×", a / b) }
