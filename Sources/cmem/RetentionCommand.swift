import ArgumentParser
import MemoryModel
import MemoryStore

struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Shape the working tree: compact old sessions, roll old day files into month summaries (git history keeps it all).",
        subcommands: [Status.self, Apply.self],
        defaultSubcommand: Status.self
    )

    /// The day retention counts ages from: today (UTC), or another day to see what a run then would do.
    struct Day: ParsableArguments {
        @Option(name: .long, help: "Count ages from this UTC day (YYYY-MM-DD) instead of today.") var today: String?

        func timestamp() throws -> Timestamp {
            guard let today else { return .now() }
            guard today.count == 10, let t = Timestamp(iso8601: today) else {
                throw MemoryModel.ValidationError("--today \(today) is not a day (YYYY-MM-DD)")
            }
            return t
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "What is detailed, summarised and archived; sizes; what the next run would do.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var day: Day

        func run() throws {
            try run(json: global.json) {
                let store = try global.openStore()
                let s = try store.retentionStatus(today: try day.timestamp())
                if global.json { return Output.json(s.json) }
                let p = s.next
                Output.line("policy: sessions \(days(p.sessionDays)), day files \(days(p.timelineDays)), summaries \(days(p.summaryDays))")
                Output.line("detailed: \(s.detailed.files) day files, \(kb(s.detailed.bytes))" + range(s.detailed.oldest, s.detailed.newest))
                Output.line("summarised: \(s.summarised.files) month summaries, \(kb(s.summarised.bytes)), \(s.summarisedEvents) events"
                    + range(s.summarised.oldest, s.summarised.newest))
                Output.line("sessions: \(s.sessions) notes, \(s.compactedSessions) with their action log compacted")
                Output.line("archive: git history" + (s.archivedMonths.isEmpty ? "" : " (\(s.archivedMonths.count) months out of the tree, see timeline/archive.md)"))
                Output.line("next run (\(p.today)): " + RetentionCommand.describe(p))
                for w in p.waiting { Output.line("  waits: \(w.path) \(w.reason)") }
            }
        }

        func days(_ n: Int) -> String { n == 0 ? "kept forever" : "\(n) days" }
        func kb(_ n: Int64) -> String { "\((n + 1023) / 1024) KB" }
        func range(_ a: String?, _ b: String?) -> String {
            guard let a, let b else { return "" }
            return " (\(a) to \(b))"
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "apply", abstract: "Compact what is due in one commit; says what it did.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var day: Day
        @Flag(name: .long, help: "Say what would be done; write nothing.") var dryRun = false

        func run() throws {
            try run(json: global.json) {
                let store = try global.openStore()
                let r = try store.applyRetention(today: try day.timestamp(), dryRun: dryRun)
                if global.json { return Output.json(r.json) }
                let what = RetentionCommand.describe(r.plan)
                if dryRun {
                    Output.line("would do (\(r.plan.today)): " + what)
                } else if let commit = r.commit {
                    Output.line("\(what); committed \(commit.prefix(7)); the detail stays in \(r.detail?.prefix(7) ?? "?")")
                    if !r.notesKept.isEmpty { Output.line("prose kept in the summaries from: " + r.notesKept.joined(separator: ", ")) }
                } else {
                    Output.line("nothing to do (\(r.plan.today)); no commit")
                }
                for w in r.plan.waiting { Output.line("waits: \(w.path) \(w.reason)") }
            }
        }
    }

    static func describe(_ p: RetentionPlan) -> String {
        guard !p.isEmpty else { return "nothing due" }
        var parts: [String] = []
        if !p.rollups.isEmpty {
            parts.append("roll \(p.dayCount) day file\(p.dayCount == 1 ? "" : "s") into \(p.rollups.count) month "
                + "summar\(p.rollups.count == 1 ? "y" : "ies") (\(p.rollups.map(\.month).joined(separator: ", ")))")
        }
        if !p.sessions.isEmpty { parts.append("compact the action logs of \(Plural.count(p.sessions.count, "session"))") }
        if !p.archived.isEmpty { parts.append("archive \(Plural.count(p.archived.count, "file")) to git history") }
        return parts.joined(separator: ", ")
    }
}
