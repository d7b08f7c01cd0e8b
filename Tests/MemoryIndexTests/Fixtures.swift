import CmemFixtures
import Foundation
import GitKit
import Logging
import MemoryModel
import TestSupport
@testable import MemoryIndex

/// Builders for the notes the tests write, in the on-disk format.
enum Fixture {
    static func time(_ iso: String) -> Timestamp { Timestamp(iso8601: iso)! }

    static func event(_ id: String, _ iso: String, _ type: String, _ description: String, components: [String] = [],
                      source: String = "test", severity: Severity = .info, details: [(String, JSONValue)] = [],
                      causedBy: String? = nil) -> TimelineEvent {
        TimelineEvent(id: id, timestamp: time(iso), type: type, source: source, description: description,
                      details: .object(details), causedBy: causedBy, components: components, severity: severity)
    }

    static func dayFile(_ events: [TimelineEvent]) -> (String, String) {
        let day = events[0].timestamp.day
        return (TimelineEvent.dayPath(for: events[0].timestamp), MemoryFiles.dayFile(day: day, events: events))
    }

    static var logger: Logger {
        var l = Logger(label: "test.index")
        l.logLevel = .critical
        return l
    }

    static func open(_ repo: TemporaryGitRepository, sweep: Int64 = 0) throws -> MemoryIndex {
        var o = MemoryIndex.Options()
        o.noteSweepInterval = sweep
        return try MemoryIndex.open(repoPath: repo.path, logger: logger, options: o)
    }
}
