import MemoryModel

extension MemoryStore {
    /// Adds events to their day files inside a caller's transaction, so that they land in the same commit
    /// as the caller's other writes (the collector commits the infrastructure state and the events it
    /// caused together). Each event is validated first; an invalid one fails before anything is staged.
    /// Events already recorded (same ID) come back as `.duplicate` and add nothing.
    @discardableResult
    public func stageEvents(_ events: [TimelineEvent], into tx: Transaction) throws -> [EventWrite] {
        let events = events.map(redaction.event)
        for e in events { try e.validate() }
        return try stageEvents(events, in: tx, redacted: true)
    }
}
