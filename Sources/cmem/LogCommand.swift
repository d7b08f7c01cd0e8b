import ArgumentParser
import Foundation
import MemoryCore
import MemoryModel
import MemoryStore

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The audit history: which commit wrote what, when, and by whom.",
        discussion: "With a session, decision or event id, or a path in the repository, only the commits that wrote it."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "A session, decision or event id, or a path (default: the whole repository).") var target: String?
    @Option(name: .long, help: "At most this many commits.") var limit: Int = AnswerLimit.log.defaultValue

    func run() throws {
        try run(json: global.json) {
            let store = try global.openStore()
            let (path, commits) = try store.log(target: target, limit: limit)
            if global.json {
                Output.json(NoteHistory(path: path, commits: commits).json)
            } else {
                if commits.isEmpty { Output.line("no commits" + (target.map { " for \($0)" } ?? "")) }
                for c in commits {
                    Output.line("\(Output.yellow(c.id.short)) \(Timestamp(seconds: c.time).iso8601) \(c.authorName) <\(c.authorEmail)>  \(c.summary)")
                }
            }
        }
    }
}
