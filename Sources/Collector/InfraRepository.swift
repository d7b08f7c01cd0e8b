import Foundation
import GitKit
import MemoryModel
import MemoryStore

/// The infrastructure state in the memory repository:
///
/// - `infrastructure/state.json`: the last stored `InfraSnapshot`, as `canonicalJSON()` (sorted keys,
///   nothing volatile), for programs;
/// - `infrastructure/README.md`: `markdownPage()`, for people: what is running and what is unhealthy.
///
/// Both are committed only when their bytes change, together with the timeline events the change caused,
/// in one commit. `git log infrastructure/state.json` is therefore the history of the state, and
/// `state(atOrBefore:)` reads it back for `cmem infra diff --since`.
public enum InfraRepository {
    public static let statePath = "infrastructure/state.json"
    public static let pagePath = "infrastructure/README.md"

    /// What one save did.
    public struct SaveResult: Sendable {
        /// The commit made, or nil when nothing changed.
        public var commit: ObjectID?
        /// The events added to the timeline (events already there are not repeated).
        public var events: [TimelineEvent]
        /// Whether `state.json` or `README.md` was rewritten.
        public var stateChanged: Bool
        /// The first state stored in this repository: a baseline, which gives no events.
        public var baseline: Bool
        /// The snapshot as stored.
        public var snapshot: InfraSnapshot
        /// The previous state could not be read and was replaced (its text is still in git history).
        public var replacedUnreadableState: String?
        /// The files written, repository-relative.
        public var paths: [String]
    }

    /// The state stored at some commit.
    public struct StoredState: Sendable {
        public var snapshot: InfraSnapshot
        /// Nil only for a state file that is on disk but not committed yet (a commit failed; the next
        /// write or `cmem sync` commits it).
        public var commit: CommitInfo?

        /// When the state was committed (to the second).
        public var committedAt: Timestamp? { commit.map { Timestamp(seconds: $0.time) } }
    }

    // MARK: Reading

    /// The current state, or nil before the first collection.
    public static func load(store: MemoryStore) throws -> InfraSnapshot? {
        guard let text = try store.readText(statePath) else { return nil }
        return try InfraSnapshot(canonicalJSON: text)
    }

    /// The current state with the commit that last wrote it.
    public static func current(store: MemoryStore) throws -> StoredState? {
        guard let snapshot = try load(store: store) else { return nil }
        let commit = try gitCall { try store.git.log(path: statePath, limit: 1).first }
        return StoredState(snapshot: snapshot, commit: commit)
    }

    /// The state as committed at `time`: the newest commit of `state.json` made at or before it (commit
    /// times have one-second resolution). Nil when no state had been collected by then.
    public static func state(atOrBefore time: Timestamp, store: MemoryStore) throws -> StoredState? {
        let seconds = time.seconds
        guard let commit = try gitCall({ try store.git.log(path: statePath, limit: 1) { $0.time <= seconds }.first }) else {
            return nil
        }
        guard let bytes = try gitCall({ try store.git.blob(at: commit.id, path: statePath) }) else { return nil }
        let snapshot = try InfraSnapshot(canonicalJSON: String(decoding: bytes, as: UTF8.self))
        return StoredState(snapshot: snapshot, commit: commit)
    }

    /// The commits that changed the state, newest first.
    public static func history(store: MemoryStore, limit: Int = 50) throws -> [CommitInfo] {
        try gitCall { try store.git.log(path: statePath, limit: limit) }
    }

    // MARK: Writing

    /// Compares `collected` with the stored state and commits the result: the new state (when it differs)
    /// and the events, in one commit. The comparison runs under the write lock, so two collectors writing
    /// to the same memory never both report the same change.
    ///
    /// - Parameter adjust: edits the comparison's result before it is stored (the CLI uses it to keep the
    ///   status of sources it was told not to read).
    @discardableResult
    public static func record(_ collected: InfraSnapshot, at time: Timestamp, detector: ChangeDetector = ChangeDetector(),
                              store: MemoryStore,
                              adjust: (_ previous: InfraSnapshot?, _ change: inout InfraChange) -> Void = { _, _ in }) throws -> SaveResult {
        let (partial, commit) = try store.transaction { tx -> SaveResult in
            var unreadable: String?
            var previous: InfraSnapshot?
            if let text = try tx.read(statePath) {
                do {
                    previous = try readable(text)
                } catch let error as NewerFormatError {
                    throw error
                } catch {
                    // A broken state file must not stop collection for good: start again from this round
                    // (the broken text stays in git history).
                    unreadable = "\(error)"
                }
            }
            var change = detector.compare(old: previous, new: collected, at: time)
            adjust(previous, &change)
            var result = try stage(change, in: tx, store: store, baseline: previous == nil)
            result.replacedUnreadableState = unreadable
            return result
        }
        var result = partial
        result.commit = commit.commit
        return result
    }

    /// Stores an already computed change: the state files when they differ, and the events, in one commit.
    /// No commit when nothing differs.
    @discardableResult
    public static func save(_ change: InfraChange, store: MemoryStore) throws -> SaveResult {
        let (partial, commit) = try store.transaction { tx -> SaveResult in
            let baseline = try tx.readBytes(statePath) == nil
            return try stage(change, in: tx, store: store, baseline: baseline)
        }
        var result = partial
        result.commit = commit.commit
        return result
    }

    /// Stages the state files (only those whose bytes change) and the events in `tx`.
    public static func stage(_ change: InfraChange, in tx: MemoryStore.Transaction, store: MemoryStore,
                             baseline: Bool) throws -> SaveResult {
        // The cluster's own text can hold credentials (an Application's `repoURL` with a token in it): the
        // state files pass the store's redactor, as every event and note does.
        let state = Array(store.redacted(change.snapshot.canonicalJSON()).utf8)
        let page = Array(store.redacted(change.snapshot.markdownPage()).utf8)
        var paths: [String] = []
        if try tx.readBytes(statePath) != state { paths.append(statePath) }
        if try tx.readBytes(pagePath) != page { paths.append(pagePath) }
        if !paths.isEmpty {
            tx.describe(headline(change, baseline: baseline))
            if paths.contains(statePath) { try tx.write(statePath, state) }
            if paths.contains(pagePath) { try tx.write(pagePath, page) }
        }
        let writes = try store.stageEvents(change.events, into: tx)
        var added: [TimelineEvent] = []
        for w in writes { if case let .added(e) = w { added.append(e) } }
        paths += Set(added.map(\.dayPath)).sorted()
        return SaveResult(commit: nil, events: added, stateChanged: paths.contains(statePath) || paths.contains(pagePath),
                          baseline: baseline, snapshot: change.snapshot, replacedUnreadableState: nil, paths: paths)
    }

    /// The first line of the commit message's list: what the state is now.
    static func headline(_ change: InfraChange, baseline: Bool) -> String {
        let s = change.snapshot
        let health = HealthSummary(s)
        var text = baseline ? "infrastructure: first state, \(s.components.count) components" : "infrastructure: "
        if !baseline {
            let n = change.events.count
            text += n == 0 ? "state updated" : "\(n) change\(n == 1 ? "" : "s")"
        }
        text += " (\(health.healthy) healthy, \(health.degraded) degraded, \(health.critical) critical"
        let failed = health.failedSources.keys.sorted()
        if !failed.isEmpty { text += "; failed: \(failed.joined(separator: ", "))" }
        return text + ")"
    }

    /// A state file written by a newer `cmem` is never overwritten by an older one.
    public struct NewerFormatError: Error, CustomStringConvertible, Sendable {
        public let version: Int
        public var description: String {
            "\(InfraRepository.statePath) has format version \(version); this cmem writes version \(InfraSnapshot.formatVersion). Upgrade cmem."
        }
    }

    static func readable(_ text: String) throws -> InfraSnapshot {
        let snapshot = try InfraSnapshot(canonicalJSON: text)
        if snapshot.version > InfraSnapshot.formatVersion { throw NewerFormatError(version: snapshot.version) }
        return snapshot
    }

    static func gitCall<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as GitError {
            throw StoreError.git(error)
        }
    }
}
