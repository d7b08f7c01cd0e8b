import ArgumentParser
import Foundation
import MemoryIndex
import MemoryModel
import MemoryStore

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "The search index: which commit it reflects, its size, and a rebuild.",
        subcommands: [Status.self, Rebuild.self],
        defaultSubcommand: Status.self
    )

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Which commit the index reflects, counts, staleness, snapshot size.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try run(json: global.json) {
                let (_, index) = try IndexAccess.open(global)
                let s = index.status()
                if global.json {
                    Output.json(.object([
                        ("commit", s.freshness.commit.map { .string($0) } ?? .null), ("head", s.head.map { .string($0) } ?? .null),
                        ("stale", .bool(s.isStale)), ("events", .number(Double(s.events))), ("decisions", .number(Double(s.decisions))),
                        ("sessions", .number(Double(s.sessions))), ("files", .number(Double(s.files))), ("terms", .number(Double(s.terms))),
                        ("snapshot_bytes", .number(Double(s.snapshotBytes))), ("snapshot_directory", .string(s.snapshotDirectory)),
                        ("freshness", s.freshness.json),
                    ]))
                    return
                }
                Output.line("index at \(s.freshness.summary)" + (s.isStale ? Output.yellow(" (stale: HEAD is \(s.head.map { String($0.prefix(7)) } ?? "?"))") : " (current)"))
                Output.line("\(Plural.count(s.events, "event")), \(Plural.count(s.decisions, "decision")), \(Plural.count(s.sessions, "session")) in \(Plural.count(s.files, "file")); \(Plural.count(s.terms, "term"))")
                Output.line("snapshot: \(s.snapshotBytes / 1024) KB in \(s.snapshotDirectory)")
                if !s.freshness.warnings.isEmpty { Output.line("\(s.freshness.warnings.count) notes skipped (see warnings above)") }
            }
        }
    }

    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rebuild", abstract: "Discard the snapshot and build the index from the notes.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try run(json: global.json) {
                let store = try global.openStore()
                try MemoryIndex.discardSnapshot(repoPath: store.root)
                let start = Timestamp.now()
                let index = try MemoryIndex.open(repoPath: store.root, logger: Log.logger)
                let s = index.status()
                let ms = Timestamp.now().milliseconds - start.milliseconds
                if global.json {
                    Output.json(.object([("events", .number(Double(s.events))), ("decisions", .number(Double(s.decisions))),
                                         ("sessions", .number(Double(s.sessions))), ("milliseconds", .number(Double(ms)))]))
                } else {
                    Output.line("rebuilt: \(Plural.count(s.events, "event")), \(Plural.count(s.decisions, "decision")), \(Plural.count(s.sessions, "session")) in \(ms) ms")
                }
            }
        }
    }
}
