import Logging
import MemoryModel

/// Reads every source and builds a snapshot. Sources run concurrently and independently: one failing
/// (no kubectl, a bad context, a timeout, garbage JSON) is recorded in `InfraSnapshot.sources` and the
/// others carry on.
public struct Collector: Sendable {
    public var config: CollectorConfig
    public var logger: Logger

    public init(config: CollectorConfig = CollectorConfig(), logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// The kinds this configuration reads.
    public var kinds: Set<InfraKind> {
        var all = Set(InfraKind.allCases)
        if config.argocd == .off { all.remove(.applications) }
        return all
    }

    /// Collects `kinds` (all by default) from `source`. Kinds in `skipped` are not read; they are recorded
    /// as failed with the given message (the loop uses this for sources that are backing off).
    public func collect(from source: any InfraSource, kinds: Set<InfraKind>? = nil,
                        skipped: [InfraKind: String] = [:]) async -> InfraSnapshot {
        var results = await fetch(from: source, kinds: (kinds ?? self.kinds).subtracting(skipped.keys))
        for (kind, message) in skipped { results[kind] = .failed(message) }
        return snapshot(from: results)
    }

    /// The raw outputs, read concurrently.
    public func fetch(from source: any InfraSource, kinds: Set<InfraKind>) async -> [InfraKind: SourceResult] {
        await withTaskGroup(of: (InfraKind, SourceResult).self) { group in
            for kind in kinds.sorted() {
                group.addTask { (kind, await source.fetch(kind)) }
            }
            var results: [InfraKind: SourceResult] = [:]
            for await (kind, result) in group { results[kind] = result }
            return results
        }
    }

    /// Parses raw outputs and rolls pods up into their workloads. Pure and synchronous: the benchmark
    /// times this together with `ChangeDetector.compare`.
    public func snapshot(from results: [InfraKind: SourceResult]) -> InfraSnapshot {
        let snapshot = SnapshotBuilder(config: config).build(results)
        for (kind, status) in snapshot.sources.sorted(by: { $0.key < $1.key }) {
            if case let .failed(message) = status {
                logger.debug("collector source failed", metadata: ["collector.kind": "\(kind)", "collector.error": "\(message)"])
            }
        }
        logger.debug("collector snapshot built", metadata: ["collector.components": "\(snapshot.components.count)"])
        return snapshot
    }
}

/// Exponential backoff for one source: after a failure, wait `initial`, then twice that, and so on up
/// to `maximum`; a success resets it.
public struct Backoff: Sendable, Equatable {
    public var initialSeconds: Int64
    public var maximumSeconds: Int64
    public var multiplier: Int64
    public private(set) var failures = 0
    public private(set) var nextAttempt: Timestamp?
    public private(set) var lastError: String?

    public init(initialSeconds: Int64 = 30, maximumSeconds: Int64 = 15 * 60, multiplier: Int64 = 2) {
        self.initialSeconds = max(0, initialSeconds)
        self.maximumSeconds = max(self.initialSeconds, maximumSeconds)
        self.multiplier = max(1, multiplier)
    }

    /// The wait after the `failures`-th consecutive failure.
    public func delaySeconds(afterFailures n: Int) -> Int64 {
        guard n > 0 else { return 0 }
        var delay = initialSeconds
        for _ in 1..<n {
            if delay >= maximumSeconds / multiplier { return maximumSeconds }
            delay *= multiplier
        }
        return min(delay, maximumSeconds)
    }

    /// Records a failure and returns how long to wait before the next attempt.
    @discardableResult
    public mutating func recordFailure(_ message: String, at time: Timestamp) -> Int64 {
        failures += 1
        lastError = message
        let delay = delaySeconds(afterFailures: failures)
        nextAttempt = time.adding(seconds: delay)
        return delay
    }

    public mutating func recordSuccess() {
        failures = 0
        nextAttempt = nil
        lastError = nil
    }

    public func isReady(at time: Timestamp) -> Bool {
        guard let nextAttempt else { return true }
        return time >= nextAttempt
    }
}

/// One round of the watch loop.
public struct CollectorRound: Sendable {
    public var number: Int
    public var at: Timestamp
    public var snapshot: InfraSnapshot
    /// Kinds that were not read this round because they are backing off, with their next attempt.
    public var retrying: [InfraKind: Timestamp]
}

/// The watch loop behind `cmem infra watch`: collect, hand the snapshot to `onRound` (which compares,
/// writes and commits), sleep, repeat. A failing source is retried with backoff and never stops the loop;
/// neither does an error thrown by `onRound`, which is logged. The loop ends when `shouldStop` says so
/// (checked between rounds) or when its task is cancelled.
public struct CollectorLoop: Sendable {
    public var collector: Collector
    public var source: any InfraSource
    public var intervalSeconds: Double
    public var backoff: Backoff

    public init(collector: Collector, source: any InfraSource, intervalSeconds: Double, backoff: Backoff = Backoff()) {
        self.collector = collector
        self.source = source
        self.intervalSeconds = intervalSeconds
        self.backoff = backoff
    }

    public func run(now: @escaping @Sendable () -> Timestamp = { Timestamp.now() },
                    shouldStop: @escaping @Sendable () async -> Bool = { false },
                    onRound: @escaping @Sendable (CollectorRound) async throws -> Void) async {
        var backoffs: [InfraKind: Backoff] = [:]
        var number = 0
        let logger = collector.logger
        while !Task.isCancelled {
            if await shouldStop() { break }
            number += 1
            let time = now()
            var skipped: [InfraKind: String] = [:]
            var retrying: [InfraKind: Timestamp] = [:]
            for (kind, b) in backoffs where !b.isReady(at: time) {
                skipped[kind] = b.lastError ?? "failed"
                retrying[kind] = b.nextAttempt
            }
            let snapshot = await collector.collect(from: source, kinds: collector.kinds, skipped: skipped)
            for kind in collector.kinds where skipped[kind] == nil {
                if case let .failed(message)? = snapshot.sources[kind.rawValue] {
                    var b = backoffs[kind] ?? backoff
                    let delay = b.recordFailure(message, at: time)
                    backoffs[kind] = b
                    logger.info("collector source will be retried", metadata: [
                        "collector.kind": "\(kind.rawValue)", "collector.retry_seconds": "\(delay)",
                    ])
                } else {
                    backoffs[kind] = nil
                }
            }
            do {
                try await onRound(CollectorRound(number: number, at: time, snapshot: snapshot, retrying: retrying))
            } catch {
                logger.info("collector round failed", metadata: ["collector.round": "\(number)", "collector.error": "\(error)"])
            }
            if Task.isCancelled { break }
            if await shouldStop() { break }
            if intervalSeconds > 0 {
                try? await Task.sleep(nanoseconds: UInt64(intervalSeconds * 1e9))
            }
        }
    }
}
