import ArgumentParser
import Foundation
import MemoryModel
import MemoryStore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import JSON Lines records (\"kind\": \"event\" | \"session\"); re-importing adds nothing.",
        discussion: "Reads FILE, or stdin when FILE is -. Commits in batches; stops at a malformed line with its number."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The JSON Lines file, or - for stdin.") var file: String
    @Option(name: .long, help: "Records per commit.") var batch: Int = 20_000

    func run() throws {
        try run(json: global.json) {
            guard batch > 0 else { throw MemoryModel.ValidationError("--batch must be positive") }
            let store = try global.openStore()
            let handle: FileHandle
            if file == "-" { handle = .standardInput } else {
                guard let h = FileHandle(forReadingAtPath: file) else { throw CommandFailure(message: "cannot read \(file)") }
                handle = h
            }
            let showProgress = isatty(2) == 1
            let start = Date()
            do {
                let report = try store.importJSONLines(from: handle, source: file == "-" ? "stdin" : (file as NSString).lastPathComponent,
                                                       batchSize: batch) { r in
                    guard showProgress else { return }
                    let rate = Double(r.lines) / max(Date().timeIntervalSince(start), 0.001)
                    FileHandle.standardError.write(Data("\r\u{1B}[Kimported \(r.lines) lines (\(r.eventsAdded) events, \(r.sessionsAdded) sessions), \(Int(rate)) lines/s".utf8))
                }
                if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
                emit(report, seconds: Date().timeIntervalSince(start))
            } catch let error as MemoryStore.ImportError {
                if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
                if !global.json { emit(error.report, seconds: Date().timeIntervalSince(start)) }
                throw CommandFailure(message: "\(file): \(error.description) (everything before it is imported)")
            }
        }
    }

    func emit(_ r: MemoryStore.ImportReport, seconds: Double) {
        if global.json {
            Output.json(.object([
                ("lines", .number(Double(r.lines))), ("events_added", .number(Double(r.eventsAdded))),
                ("events_duplicate", .number(Double(r.eventsDuplicate))), ("sessions_added", .number(Double(r.sessionsAdded))),
                ("sessions_duplicate", .number(Double(r.sessionsDuplicate))), ("decisions_added", .number(Double(r.decisionsAdded))),
                ("commits", .number(Double(r.commits))), ("resumed_files", .number(Double(r.resumedFiles))),
                ("seconds", .number((seconds * 1000).rounded() / 1000)),
            ]))
        } else {
            if r.resumedFiles > 0 {
                Output.line("completed an interrupted import: committed \(r.resumedFiles) files it had written but not committed")
            }
            Output.line("imported \(Plural.count(r.eventsAdded, "event")) (\(r.eventsDuplicate) already present), \(Plural.count(r.sessionsAdded, "session")) (\(r.sessionsDuplicate) already present), \(Plural.count(r.decisionsAdded, "decision")) in \(Plural.count(r.commits, "commit"))")
        }
    }
}
