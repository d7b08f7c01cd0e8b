import MemoryModel

extension MemoryStore {
    /// Rewrites recorded events in place inside a caller's transaction: each event named in `ids` (found in
    /// the day file its ID names) is replaced by what `change` makes of it, redacted like any write. An
    /// event that is not found, or that `change` leaves as it is, is skipped; the time cannot change (the
    /// block stays where it is). Returns the events rewritten.
    ///
    /// For facts that grow after an event is recorded, such as the count of a Kubernetes Event that repeats.
    @discardableResult
    public func updateEvents(_ ids: [String], in tx: Transaction, _ change: (TimelineEvent) -> TimelineEvent) throws -> [TimelineEvent] {
        var byPath: [String: [String]] = [:]
        for id in ids {
            guard let day = Identifier.day(of: id), let time = Timestamp(iso8601: day) else { continue }
            byPath[TimelineEvent.dayPath(for: time), default: []].append(id)
        }
        var updated: [TimelineEvent] = []
        for (path, wanted) in byPath.sorted(by: { $0.key < $1.key }) {
            guard var bytes = try tx.readBytes(path) else { continue }
            let parsed = TimelineDay.parse(bytes, path: path, wantSpans: true)
            let spans = parsed.spans.filter { $0.timestamp != nil }
            let wantedSet = Set(wanted)
            // From the end, so earlier spans stay valid while later blocks change length.
            for (event, span) in zip(parsed.events, spans).reversed() where wantedSet.contains(event.id) && event.id == span.id {
                var next = redaction.event(change(event))
                next.id = event.id
                next.timestamp = event.timestamp
                try next.validate()
                guard next != event else { continue }
                bytes.replaceSubrange(span.start..<span.end, with: blockBytes(next))
                updated.append(next)
                tx.describe("event \(event.id) \(next.type): updated")
            }
            if updated.contains(where: { $0.dayPath == path }) { try tx.write(path, bytes) }
        }
        return updated
    }

    /// An event's block as the store writes it, ending after its closing fence (the blank line after a
    /// block in a day file belongs to the file, not the block).
    func blockBytes(_ e: TimelineEvent) -> [UInt8] {
        var block = Array(renderEventBlock(e).utf8)
        while block.count >= 2, block[block.count - 1] == 10, block[block.count - 2] == 10 { block.removeLast() }
        return block
    }
}
