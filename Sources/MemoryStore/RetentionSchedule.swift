import Foundation
import MemoryModel

/// Retention from a long-running process (`cmem serve`, `cmem collect --watch`): at most once per UTC day,
/// and not in the first `delaySeconds` after the process started (a server restarted in a loop, or a test,
/// never pays for it). The day of the last run is kept machine-local in `.git/cmem/retention-day`, so a
/// restart the same day does not run it again. Unchecked Sendable: it holds only constants; the day is on disk.
public final class RetentionSchedule: @unchecked Sendable {
    let started: Timestamp
    let delaySeconds: Int64

    public init(delaySeconds: Int64 = 600, now: Timestamp = .now()) {
        started = now
        self.delaySeconds = delaySeconds
    }

    static let fileName = "retention-day"

    /// Applies retention if due; nil when it was not due. A run that fails is tried again the next time.
    public func runIfDue(store: MemoryStore, now: Timestamp = .now()) throws -> RetentionReport? {
        guard now.seconds - started.seconds >= delaySeconds else { return nil }
        let path = store.stateDir + "/" + Self.fileName
        var last: String?
        if let bytes = try? AtomicFile.read(path, limit: 64) { last = String(decoding: bytes, as: UTF8.self) }
        guard last?.trimmingCharacters(in: .whitespacesAndNewlines) != now.day else { return nil }
        let report = try store.applyRetention(today: now)
        try? AtomicFile.write(now.day + "\n", to: path, durable: false)
        return report
    }
}
