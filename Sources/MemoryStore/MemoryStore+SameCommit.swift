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
    /// Each day file around a report is read once per call and the SHAs it holds collected in one byte scan
    /// (every run of 40 or 64 hex digits), so an import of many commits costs one pass per day file, not one
    /// per commit; only a file that holds the SHA is parsed.
    func joinSameCommits(_ events: [TimelineEvent], in tx: Transaction) throws -> (rest: [TimelineEvent], joined: [EventWrite]) {
        guard events.contains(where: { GitEventType.commitKey(of: $0) != nil }) else { return (events, []) }
        var rest: [TimelineEvent] = []
        var joined: [EventWrite] = []
        // Reports of one commit in this same call: the first is recorded, later ones join it.
        var firstInCall: [String: Int] = [:]
        var shasIn: [String: Set<String>] = [:]
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
            if let (path, span, existing) = try findCommit(key, around: e.timestamp, in: tx, shas: &shasIn) {
                guard let merged = GitEventType.merging(e, into: existing) else {
                    joined.append(.duplicate(existing))
                    continue
                }
                var bytes = try tx.readBytes(path) ?? []
                // The span ends after the closing fence; the blank line after it stays where it was.
                bytes.replaceSubrange(span.start..<span.end, with: blockBytes(merged))
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
    private func findCommit(_ sha: String, around time: Timestamp, in tx: Transaction, shas: inout [String: Set<String>])
        throws -> (String, TimelineDay.BlockSpan, TimelineEvent)? {
        let day: Int64 = 86_400_000
        for offset in -MemoryStore.sameCommitWindowDays...MemoryStore.sameCommitWindowDays {
            let path = TimelineEvent.dayPath(for: Timestamp(milliseconds: time.milliseconds + offset * day))
            if shas[path] == nil { shas[path] = try tx.readBytes(path).map(MemoryStore.hexRuns) ?? [] }
            guard shas[path]!.contains(sha), let bytes = try tx.readBytes(path) else { continue }
            let parsed = TimelineDay.parse(bytes, path: path, wantSpans: true)
            for (event, span) in zip(parsed.events, parsed.spans.filter { $0.timestamp != nil }) where event.id == span.id {
                if GitEventType.commitKey(of: event) == sha { return (path, span, event) }
            }
        }
        return nil
    }

    /// Every run of exactly 40 or 64 hex digits in `bytes`, lowercased: the SHAs a day file mentions.
    static func hexRuns(_ bytes: [UInt8]) -> Set<String> {
        var found = Set<String>()
        var start = -1
        func isHex(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 97 && b <= 102) || (b >= 65 && b <= 70) }
        for i in 0...bytes.count {
            let hex = i < bytes.count && isHex(bytes[i])
            if hex {
                if start < 0 { start = i }
                continue
            }
            if start >= 0, i - start == 40 || i - start == 64 {
                found.insert(String(decoding: bytes[start..<i], as: UTF8.self).lowercased())
            }
            start = -1
        }
        return found
    }
}
