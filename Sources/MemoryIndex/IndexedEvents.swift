import MemoryModel

/// The live events of a time window as the index holds them: time, type and components, read from the
/// snapshot's columns without opening a note. A scorer of its own (a baseline, an experiment) can rank
/// thousands of them at the cost the built-in correlator pays, and re-read only the few it reports.
///
/// The window keeps the snapshot it was read from, so `record(at:)` stays valid while the index moves on.
public struct IndexedEvents: RandomAccessCollection, Sendable {
    public struct Element: Sendable {
        public let timestamp: Timestamp
        public let type: String
        public let components: [String]
    }

    let snapshot: Snapshot
    let root: String
    let addresses: [DocAddress]

    public var startIndex: Int { 0 }
    public var endIndex: Int { addresses.count }

    public subscript(position: Int) -> Element {
        let f = snapshot.facts(addresses[position])
        return Element(timestamp: Timestamp(milliseconds: f.ts), type: f.type, components: f.components)
    }

    /// The event at `position` re-read from its day file, with where it lives; nil when that file changed
    /// since the snapshot.
    public func record(at position: Int) -> (event: TimelineEvent, path: String, line: Int)? {
        let a = addresses[position]
        guard let e = snapshot.event(at: a, root: root) else { return nil }
        let (path, line) = snapshot.location(a)
        return (e, path, line)
    }
}

extension MemoryIndex {
    /// The live events of `[since, until)`, oldest first.
    public func indexedEvents(since: Timestamp, until: Timestamp) -> IndexedEvents {
        let snap = snapshot
        return IndexedEvents(snapshot: snap, root: repositoryPath,
                             addresses: snap.eventsInWindow(since: since.milliseconds, until: until.milliseconds))
    }
}
