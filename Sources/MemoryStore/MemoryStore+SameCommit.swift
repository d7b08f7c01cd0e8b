import MemoryModel

extension MemoryStore {
    /// How far apart two reports of one commit may be dated and still be found: the hook dates a commit
    /// when it was committed, GitHub's push by the commit's own timestamp, and a merged pull request by
    /// when it was merged.
    static let sameCommitWindowDays: Int64 = 2

    /// Joins reports of a commit already in the timeline (or earlier in `events`) to the event recorded
    /// for it, as `GitEventType` says: that event's block is rewritten in place, naming every source.
    /// Returns what to record as new, and the answers for the reports that joined an event.
    ///
    /// The day files around each report are searched for its SHA with a byte scan first; only a file
    /// that holds the SHA is parsed.
    func joinSameCommits(_ events: [TimelineEvent], in tx: Transaction) throws -> (rest: [TimelineEvent], joined: [EventWrite]) {
        guard events.contains(where: { GitEventType.commitKey(of: $0) != nil }) else { return (events, []) }
        var rest: [TimelineEvent] = []
        var joined: [EventWrite] = []
        // Reports of one commit in this same call: the first is recorded, later ones join it.
        var firstInCall: [String: Int] = [:]
        for e in events {
            guard let key = GitEventType.commitKey(of: e) else {
                rest.append(e)
                continue
            }
            if let r = firstInCall[key] {
                if let merged = GitEventType.merging(e, into: rest[r]) { rest[r] = merged }
                joined.append(.duplicate(rest[r]))
                continue
            }
            if let (path, span, existing) = try findCommit(key, around: e.timestamp, in: tx) {
                guard let merged = GitEventType.merging(e, into: existing) else {
                    joined.append(.duplicate(existing))
                    continue
                }
                var bytes = try tx.readBytes(path) ?? []
                var block = Array(renderEventBlock(merged).utf8)
                // The span ends after the closing fence; the blank line after it stays where it was.
                while block.count >= 2, block[block.count - 1] == 10, block[block.count - 2] == 10 { block.removeLast() }
                bytes.replaceSubrange(span.start..<span.end, with: block)
                try tx.write(path, bytes)
                tx.describe("event \(existing.id) \(merged.type): also reported by \(GitEventType.sources(of: e).joined(separator: ", "))")
                joined.append(.merged(merged))
                continue
            }
            firstInCall[key] = rest.count
            rest.append(e)
        }
        return (rest, joined)
    }

    /// The event recorded for the commit `sha` in the day files within the window around `time`.
    private func findCommit(_ sha: String, around time: Timestamp, in tx: Transaction)
        throws -> (String, TimelineDay.BlockSpan, TimelineEvent)? {
        let needle = Array(sha.utf8)
        let day: Int64 = 86_400_000
        for offset in -MemoryStore.sameCommitWindowDays...MemoryStore.sameCommitWindowDays {
            let path = TimelineEvent.dayPath(for: Timestamp(milliseconds: time.milliseconds + offset * day))
            guard let bytes = try tx.readBytes(path), contains(bytes, needle) else { continue }
            let parsed = TimelineDay.parse(bytes, path: path, wantSpans: true)
            for (event, span) in zip(parsed.events, parsed.spans.filter { $0.timestamp != nil }) where event.id == span.id {
                if GitEventType.commitKey(of: event) == sha { return (path, span, event) }
            }
        }
        return nil
    }
}
