import ArgumentParser
import Foundation
import MemoryCore
import MemoryModel

/// `cmem handoff`: where a project left off, as the handoff note written at its last session's end says
/// (GET /memory/handoff/{project}).
struct HandoffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handoff",
        abstract: "Where a project left off: the handoff note written when its last session ended."
    )
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "The project (default: the project of --cwd).") var project: String?
    @Option(name: .long, help: "The working directory that selects the project (default: the current directory).") var cwd: String?

    func run() throws {
        try run(json: global.json) {
            let memory = try global.openMemory()
            let name = project ?? memory.project(cwd: cwd ?? FileManager.default.currentDirectoryPath).name
            guard !name.isEmpty else { throw MemoryModel.ValidationError("--project is empty") }
            guard let handoff = try memory.handoff(project: name) else {
                throw Handoff.none(project: name)
            }
            if global.json { Output.json(handoff.json) } else { Output.line(handoff.text) }
        }
    }
}
