import ArgumentParser
import Collector
import Dispatch
import Foundation
import Logging
import MemoryModel
import MemoryStore

/// `cmem collect --once | --watch`: reads the cluster (kubectl, Argo CD) or recorded outputs (`--from-dir`),
/// compares with the stored state, and commits the new state with the events the change caused.
///
/// A synchronous command that runs its asynchronous work on a detached task and waits for it: the work
/// never needs the main actor, so it does not depend on how the entry point drives async commands.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Collect Kubernetes and Argo CD state and record changes.",
        discussion: """
        Each round reads every source concurrently, compares the result with infrastructure/state.json and \
        commits, in one commit, the new state (state.json and README.md) and a timeline event per real change. \
        An unchanged cluster makes no commit. A source that fails is reported, the others still count, and its \
        components are kept as last seen. Settings come from the `collector:` section of .cmem/config.yaml.

        --once (the default) exits 0 when at least one source worked and 1 when every source failed. \
        --watch collects every --interval, retries a failing source with backoff, and stops cleanly on SIGTERM \
        or SIGINT after finishing the round in progress. On a cluster it also follows Kubernetes Events as they \
        happen (kubectl get --raw /api/v1/events?watch=true, resuming from the last resourceVersion): one alert \
        per Warning event, and a collector_gap event when some may have been missed.
        """
    )

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Collect once and exit (the default).") var once = false
    @Flag(name: .long, help: "Collect every --interval until SIGTERM or SIGINT.") var watch = false
    @Option(name: .long, help: "Time between rounds with --watch, e.g. 30s or 5m (default: collector.interval, 60s).")
    var interval: String?
    @Option(name: .long, help: "What to read: kubernetes, argocd, events (comma-separated), or single kinds such as pods.")
    var source: String?
    @Option(name: .long, help: "The kube context (default: collector.context, else kubectl's current context).")
    var context: String?
    @Option(name: .long, help: "The kubeconfig file (default: collector.kubeconfig, else kubectl's own rules).")
    var kubeconfig: String?
    @Option(name: .customLong("from-dir"), help: ArgumentHelp(
        "Read recorded outputs instead of the cluster: DIR/KIND.json, each `kubectl get KIND -A -o json`.",
        discussion: "The files: \(InfraKind.allCases.map { $0.rawValue + ".json" }.joined(separator: ", ")) (applications.json: the Application list or `argocd app list -o json`; metrics.json: `kubectl get pods.metrics.k8s.io -A -o json`; nodemetrics.json: `kubectl get nodes.metrics.k8s.io -o json`). A missing file means that kind was not collected: what it described is kept as last seen."))
    var fromDir: String?
    @Flag(name: .long, help: "With --from-dir: the directory holds every kind, so a missing file means the cluster has none of it.")
    var complete = false

    func validate() throws {
        if once && watch { throw ArgumentParser.ValidationError("use either --once or --watch, not both") }
        if interval != nil && !watch { throw ArgumentParser.ValidationError("--interval is for --watch") }
        if complete && fromDir == nil { throw ArgumentParser.ValidationError("--complete is for --from-dir") }
        if let interval {
            try positiveDuration(interval, "--interval")
        }
        if let source {
            do { _ = try CollectionPlan.parseSources(source) } catch let error as MemoryModel.ValidationError {
                throw ArgumentParser.ValidationError(error.message)
            }
        }
    }

    func run() throws {
        try run(json: global.json) {
            let setup = try CollectSetup(command: self)
            let json = global.json
            if watch {
                try awaitDetached { await WatchRun(setup: setup, json: json).run() }
                return
            }
            let allFailed = try awaitDetached { try await CollectOnce.run(setup, json: json) }
            if allFailed {
                if !json { FileHandle.standardError.write(Data("cmem: error: every source failed; nothing new was collected\n".utf8)) }
                throw ExitCode(1)
            }
        }
    }
}

/// Runs `body` on a detached task and blocks the calling thread until it ends.
func awaitDetached<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}

/// `--once`: one round, reported on stdout (JSON with --json), failures on stderr.
enum CollectOnce {
    /// Returns whether every source failed.
    static func run(_ setup: CollectSetup, json: Bool) async throws -> Bool {
        let store = try MemoryStore(path: setup.repoPath, logger: Log.logger)
        let collected = await setup.collector.collect(from: setup.source, kinds: setup.plan.kinds, skipped: setup.plan.skipped)
        let failures = setup.plan.failures(in: collected)
        // Nothing was read: nothing is recorded (not even the failures), so no absence reads as a change.
        if setup.plan.allFailed(in: collected) {
            if json {
                Output.json(.object([("changed", .bool(false)), ("events", .array([])),
                                     ("failed_sources", .object(failures.keys.sorted().map { ($0.rawValue, .string(failures[$0]!)) }))]))
            } else {
                for (kind, message) in failures.sorted(by: { $0.key < $1.key }) { Output.warn("source \(kind.rawValue) failed: \(message)") }
            }
            return true
        }
        let result = try setup.record(collected, at: .now(), store: store)
        if json {
            Output.json(CollectReport.json(result, failures: failures))
        } else {
            for (kind, message) in failures.sorted(by: { $0.key < $1.key }) { Output.warn("source \(kind.rawValue) failed: \(message)") }
            if let why = result.replacedUnreadableState { Output.warn("the stored state was unreadable and has been replaced: \(why)") }
            for line in CollectReport.lines(result) { Output.line(line) }
        }
        return setup.plan.allFailed(in: collected)
    }
}

/// What both modes need: the configuration, the collector, the source and the plan.
struct CollectSetup: Sendable {
    let config: CollectorConfig
    let collector: Collector
    let source: any InfraSource
    let plan: CollectionPlan
    let detector: ChangeDetector
    /// With --watch on a cluster: Kubernetes Events are followed as they happen (`EventWatch`), not polled.
    let eventWatch: EventWatchRunner?
    let intervalSeconds: Int64
    let repoPath: String

    init(command c: CollectCommand) throws {
        let store = try c.global.openStore()
        var config: CollectorConfig
        do {
            config = try CollectorConfig(values: store.config.sections["collector"] ?? .null)
        } catch let error as MemoryModel.ValidationError {
            throw MemoryModel.ValidationError("\(MemoryConfig.path): \(error.message)")
        }
        if let context = c.context { config.context = context }
        if let kubeconfig = c.kubeconfig { config.kubeconfig = absolutePath(kubeconfig) }
        self.config = config
        collector = Collector(config: config, logger: Log.logger)
        if let dir = c.fromDir {
            let path = absolutePath(dir)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw MemoryModel.ValidationError("--from-dir \(dir) is not a directory")
            }
            source = DirectorySource(directory: path, complete: c.complete)
        } else {
            source = KubectlSource(config: config, logger: Log.logger)
        }
        plan = CollectionPlan(kinds: try c.source.map(CollectionPlan.parseSources), available: collector.kinds)
        var detector = ChangeDetector(config: config)
        if c.watch, c.fromDir == nil, plan.kinds.contains(.events) {
            eventWatch = EventWatchRunner(config: config, logger: Log.logger)
            detector.recordsAlerts = false
        } else {
            eventWatch = nil
        }
        self.detector = detector
        intervalSeconds = try c.interval.map { try DurationText.seconds($0, what: "--interval") } ?? config.intervalSeconds
        repoPath = c.global.repoPath
    }

    func record(_ collected: InfraSnapshot, at time: Timestamp, store: MemoryStore) throws -> InfraRepository.SaveResult {
        try InfraRepository.record(collected, at: time, detector: detector, store: store) { previous, change in
            plan.restoreSkipped(previous: previous, in: &change)
        }
    }
}

enum CollectReport {
    static func json(_ r: InfraRepository.SaveResult, failures: [InfraKind: String], round: Int? = nil, at: Timestamp? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        if let round { pairs.append(("round", .number(Double(round)))) }
        if let at { pairs.append(("at", .string(at.iso8601))) }
        pairs += [
            ("commit", r.commit.map { .string($0.hex) } ?? .null),
            ("changed", .bool(r.commit != nil)),
            ("baseline", .bool(r.baseline)),
            ("components", .number(Double(r.snapshot.components.count))),
            ("health", HealthSummary(r.snapshot).counts),
            ("events", .array(r.events.map(\.json))),
            ("failed_sources", .object(failures.keys.sorted().map { ($0.rawValue, .string(failures[$0]!)) })),
            ("paths", .array(r.paths.map { .string($0) })),
        ]
        if let why = r.replacedUnreadableState { pairs.append(("replaced_unreadable_state", .string(why))) }
        return .object(pairs)
    }

    static func lines(_ r: InfraRepository.SaveResult) -> [String] {
        let h = HealthSummary(r.snapshot)
        var out = ["\(r.snapshot.components.count) components: \(h.healthy) healthy, \(h.degraded) degraded, \(h.critical) critical"]
        if r.baseline && r.commit != nil { out.append("first state stored (a baseline: no events)") }
        if !r.events.isEmpty {
            out.append("\(r.events.count) change\(r.events.count == 1 ? "" : "s"):")
            for e in r.events { out.append("  " + TimelineText.line(e)) }
        }
        if let commit = r.commit {
            out.append("committed \(commit.short)")
        } else {
            out.append("no change; nothing committed")
        }
        return out
    }
}

/// A flag set from a signal handler and read by the loop.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

/// The loop's task, for a signal handler that may run before the task exists.
final class TaskHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    private var cancelled = false

    func set(_ t: Task<Void, Never>) {
        lock.lock(); task = t; let c = cancelled; lock.unlock()
        if c { t.cancel() }
    }

    func cancel() {
        lock.lock(); cancelled = true; let t = task; lock.unlock()
        t?.cancel()
    }
}

/// `--watch`: the collector loop, until SIGTERM or SIGINT. A signal lets the round in progress finish
/// (its commit included) and interrupts only the sleep between rounds.
struct WatchRun: Sendable {
    let setup: CollectSetup
    let json: Bool

    func run() async {
        let stop = StopFlag()
        let setup = self.setup, json = self.json
        let progress = isatty(2) == 1
        let loop = CollectorLoop(collector: setup.collector, source: SelectedSource(setup.source, kinds: setup.plan.kinds),
                                 intervalSeconds: Double(setup.intervalSeconds),
                                 backoff: Backoff(initialSeconds: setup.intervalSeconds,
                                                  maximumSeconds: max(15 * 60, setup.intervalSeconds)))
        // Signals are taken over before the loop starts; one that arrives before the task exists still stops it.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let holder = TaskHolder()
        let queue = DispatchQueue(label: "cmem.collect.signals")
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: number, queue: queue)
            s.setEventHandler {
                if progress { WatchRun.stderr("cmem collect: stopping after the current round") }
                stop.set()
                holder.cancel()
            }
            s.resume()
            return s
        }
        let retention = RetentionSchedule()
        let watcherDone = DispatchSemaphore(value: 0)
        if let runner = setup.eventWatch {
            Thread.detachNewThread {
                EventFollower(runner: runner, repoPath: setup.repoPath, config: setup.config, json: json).run { stop.isSet }
                watcherDone.signal()
            }
        } else {
            watcherDone.signal()
        }
        let task = Task {
            await loop.run(shouldStop: { stop.isSet }) { round in
                WatchRun.handle(round, setup: setup, json: json, progress: progress)
                WatchRun.retain(retention, setup: setup)
            }
        }
        holder.set(task)
        await task.value
        stop.set()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                watcherDone.wait()
                c.resume()
            }
        }
        for s in sources { s.cancel() }
    }

    /// Retention once a day, after a round (see `RetentionSchedule`); a failure is reported and tried again later.
    static func retain(_ schedule: RetentionSchedule, setup: CollectSetup) {
        do {
            let store = try MemoryStore(path: setup.repoPath, logger: Log.logger)
            if let report = try schedule.runIfDue(store: store), let commit = report.commit {
                stderr("cmem collect: retention committed \(commit.prefix(7)): \(RetentionCommand.describe(report.plan))")
            }
        } catch {
            stderr("cmem: warning: retention failed (tried again later): \(error)")
        }
    }

    /// One round: record it (opening the store afresh, so a memory that was briefly missing or locked only
    /// costs that round), then report. Errors are reported and the loop goes on.
    static func handle(_ round: CollectorRound, setup: CollectSetup, json: Bool, progress: Bool) {
        let attempted = setup.plan.kinds.subtracting(round.retrying.keys)
        let failures = setup.plan.failures(in: round.snapshot).filter { attempted.contains($0.key) }
        for (kind, message) in failures.sorted(by: { $0.key < $1.key }) {
            stderr("warning: source \(kind.rawValue) failed: \(message); it will be retried with backoff")
        }
        do {
            let store = try MemoryStore(path: setup.repoPath, logger: Log.logger)
            let result = try setup.record(round.snapshot, at: round.at, store: store)
            if json {
                stdout(CollectReport.json(result, failures: failures, round: round.number, at: round.at).json)
            } else if result.commit != nil {
                var line = "\(round.at.iso8601) committed \(result.commit!.short)"
                line += result.baseline ? ": first state" : ": \(result.events.count) change\(result.events.count == 1 ? "" : "s")"
                stdout(line)
                for e in result.events { stdout("  " + TimelineText.line(e)) }
            }
            if progress {
                let retrying = round.retrying.keys.map(\.rawValue).sorted()
                stderr("round \(round.number): \(result.snapshot.components.count) components, \(result.events.count) events"
                       + (result.commit == nil ? ", no change" : ", committed")
                       + (retrying.isEmpty ? "" : "; backing off: \(retrying.joined(separator: ", "))"))
            }
        } catch {
            if json {
                stdout(JSONValue.object([("round", .number(Double(round.number))), ("at", .string(round.at.iso8601)),
                                         ("error", .object([("message", .string("\(error)"))]))]).json)
            }
            stderr("cmem: error: round \(round.number) was not recorded: \(error)")
        }
    }

    static func stdout(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func stderr(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// `--watch` on a cluster: Kubernetes Events followed with the API's watch, each Warning recorded once
/// (by uid) as it happens, with a `collector_gap` event when some may have been missed. Where it resumes
/// (the last resourceVersion, the Events already recorded) is machine-local: `.git/cmem/collector/event-watch.json`.
struct EventFollower: Sendable {
    let runner: EventWatchRunner
    let repoPath: String
    let config: CollectorConfig
    let json: Bool

    var statePath: String { repoPath + "/.git/cmem/collector/event-watch.json" }

    func run(shouldStop: @escaping @Sendable () -> Bool) {
        var state = EventWatch.State()
        if let data = FileManager.default.contents(atPath: statePath), let v = try? JSONValue.parse(String(decoding: data, as: UTF8.self)) {
            state = EventWatch.State(json: v)
        }
        let path = statePath, repo = repoPath, json = self.json
        runner.run(EventWatch(config: config, state: state), shouldStop: shouldStop) { events, updates, state in
            if !events.isEmpty || !updates.isEmpty {
                // New alerts and the counts of those already recorded, in one commit.
                let store = try MemoryStore(path: repo, logger: Log.logger)
                let counts = Dictionary(updates.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
                let (writes, _) = try store.transaction { tx -> [MemoryStore.EventWrite] in
                    let writes = try store.stageEvents(events, into: tx)
                    try store.updateEvents(updates.map(\.id), in: tx) { e in
                        guard let u = counts[e.id], case var .object(pairs) = e.details else { return e }
                        pairs.removeAll { $0.0 == "count" || $0.0 == "last_seen" }
                        pairs.append(("count", .number(Double(u.count))))
                        if let last = u.lastSeen { pairs.append(("last_seen", .string(last))) }
                        var next = e
                        next.details = .object(pairs)
                        return next
                    }
                    return writes
                }
                for w in writes {
                    guard case let .added(e) = w else { continue }
                    WatchRun.stdout(json ? JSONValue.object([("event", e.json)]).json : "  " + TimelineText.line(e))
                }
            }
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(state.json.json + "\n", to: path, durable: false)
        }
    }
}
