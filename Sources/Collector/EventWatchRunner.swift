import ChildProcess
import Foundation
import Logging
import MemoryModel

/// Runs `EventWatch` against the cluster: `kubectl get --raw '/api/v1/events?watch=true&…'` as a child that
/// streams for as long as the API server keeps the watch open (it closes it every half hour or so), then
/// again from the last resourceVersion, until told to stop. What the watch produces is handed to `record`
/// in batches (at most `flushEvents` events, at least every `flushSeconds` while events arrive) together
/// with the state to keep: `record` commits the events first and saves the state after, so the stream is
/// read again from before anything not yet committed (event IDs come from Event uids: a replay adds nothing).
public struct EventWatchRunner: Sendable {
    public var kubectl: String
    public var context: String?
    public var kubeconfig: String?
    public var flushEvents: Int
    public var flushSeconds: Double
    public var logger: Logger

    public init(kubectl: String = "kubectl", context: String? = nil, kubeconfig: String? = nil, flushEvents: Int = 500,
                flushSeconds: Double = 2, logger: Logger) {
        self.kubectl = kubectl
        self.context = context
        self.kubeconfig = kubeconfig
        self.flushEvents = flushEvents
        self.flushSeconds = flushSeconds
        self.logger = logger
    }

    public init(config: CollectorConfig, logger: Logger) {
        self.init(kubectl: config.kubectl, context: config.context, kubeconfig: config.kubeconfig.map(KubectlSource.expandTilde), logger: logger)
    }

    /// The command line of one watch.
    public func arguments(_ watch: EventWatch) -> [String] {
        KubectlSource.commandPrefix(kubectl, kubeconfig: kubeconfig, context: context) + ["get", "--raw", watch.watchPath, "--request-timeout=0"]
    }

    /// New events, counts that rose on events already recorded, and the state to keep once both are written.
    public typealias Record = @Sendable ([TimelineEvent], [EventWatch.CountUpdate], EventWatch.State) throws -> Void

    /// Watches until `shouldStop` says so. A kubectl that fails (not installed, no permission to watch
    /// Events) is retried with backoff, from 5 s up to 5 min, and logged; it never ends the loop.
    public func run(_ initial: EventWatch, now: @escaping @Sendable () -> Timestamp = { .now() },
                    shouldStop: @escaping @Sendable () -> Bool, record: @escaping Record) {
        let box = Box(initial)
        var delay = 5.0
        while !shouldStop() {
            let started = box.watch.starting(at: now())
            if !started.isEmpty { box.pending += started }
            let ok = runOnce(box, now: now, shouldStop: shouldStop, record: record)
            if shouldStop() { break }
            if ok {
                delay = 5
                continue
            }
            logger.info("event watch will be retried", metadata: ["collector.retry_seconds": "\(Int(delay))"])
            var waited = 0.0
            while waited < delay, !shouldStop() {
                usleep(200_000)
                waited += 0.2
            }
            delay = min(delay * 2, 300)
        }
        flush(box, record: record)
    }

    final class Box: @unchecked Sendable {
        var watch: EventWatch
        var pending: [TimelineEvent] = []
        var lines = LineSplitter()
        var lastFlush = DispatchTime.now().uptimeNanoseconds
        var failure: Error?
        /// Lines were read since the state was last handed over (a count or resourceVersion moved on).
        var dirty = false
        init(_ watch: EventWatch) { self.watch = watch }
    }

    /// One kubectl watch; returns whether it ended without an error.
    func runOnce(_ box: Box, now: @escaping @Sendable () -> Timestamp, shouldStop: @escaping @Sendable () -> Bool,
                 record: @escaping Record) -> Bool {
        let flushEvents = self.flushEvents, flushNanos = UInt64(flushSeconds * 1e9)
        var child = ChildProcess(arguments(box.watch), maxOutputBytes: 1 << 20)
        // A quiet cluster sends nothing for minutes: neither a stop nor the events already read may wait for the
        // next line. Asked about once a second, on the thread that reads the stream.
        child.shouldStop = {
            let due = DispatchTime.now().uptimeNanoseconds - box.lastFlush >= flushNanos
            if due, box.dirty || !box.pending.isEmpty { self.flush(box, record: record) }
            return shouldStop() || box.failure != nil
        }
        child.onStdout = { bytes in
            for line in box.lines.feed(bytes) {
                box.pending += box.watch.ingest(line: line, at: now())
                box.dirty = true
            }
            let due = DispatchTime.now().uptimeNanoseconds - box.lastFlush >= flushNanos
            if box.pending.count >= flushEvents || (due && box.dirty) { self.flush(box, record: record) }
            return !shouldStop() && box.failure == nil
        }
        let out: ChildOutput
        do {
            out = try child.run()
        } catch {
            logger.info("event watch could not start kubectl", metadata: ["collector.error": "\(error)"])
            return false
        }
        for line in box.lines.finish() { box.pending += box.watch.ingest(line: line, at: now()) }
        flush(box, record: record)
        if let failure = box.failure {
            logger.info("event watch could not record", metadata: ["collector.error": "\(failure)"])
            box.failure = nil
            return false
        }
        if out.status != 0, !shouldStop() {
            logger.info("event watch ended", metadata: ["collector.exit": "\(out.status)", "collector.error": "\(KubectlSource.errorLine(out.stderr))"])
            return false
        }
        box.watch.state.lastContact = now()
        return true
    }

    /// Hands what is pending to `record`. A failure keeps it pending (and stops this watch, which restarts
    /// from the state last saved), so nothing acknowledged by the API is dropped.
    func flush(_ box: Box, record: Record) {
        box.lastFlush = DispatchTime.now().uptimeNanoseconds
        let updates = box.watch.takeCountUpdates()
        do {
            try record(box.pending, updates, box.watch.state)
            box.pending = []
            box.dirty = false
        } catch {
            box.watch.restore(updates)
            box.failure = error
        }
    }
}
