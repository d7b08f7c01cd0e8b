import Foundation

/// Stops a `sync --watch` loop from another thread or a signal handler: the current sync finishes (a
/// merge is never cut in half), then the loop returns.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private let wake = DispatchSemaphore(value: 0)

    public init() {}

    public func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        lock.unlock()
        if first { wake.signal() }
    }

    public var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// Sleeps up to `seconds`; returns true as soon as the signal is stopped.
    public func wait(seconds: Double) -> Bool {
        if isStopped { return true }
        _ = wake.wait(timeout: .now() + seconds)
        return isStopped
    }
}

extension Synchronizer {
    /// Syncs every `interval` seconds until `stop` is signalled. A failed round (remote down, a conflict
    /// waiting for a human) is reported to `each` and the loop carries on: the next round retries.
    public func watch(interval: Double, options: Options, stop: StopSignal, each: (Result<Report, Error>) -> Void) {
        while !stop.isStopped {
            let result = Result { try sync(options) }
            each(result)
            if stop.wait(seconds: max(0.1, interval)) { break }
        }
    }
}
