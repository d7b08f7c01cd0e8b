import ArgumentParser
import Foundation
import MemoryCore
import MemoryStore

/// `cmem vault`: the notes that make the memory a vault to open in Obsidian (component notes, the home
/// note). `cmem sync` runs it too, after its merge; this is for a person who wants them now.
struct VaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Bring the component notes (components/) and the home note (Home.md) up to date.",
        discussion: "Only the generated part of each note is rewritten; what you write outside it stays.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try run(json: global.json) {
            let (memory, _) = try IndexAccess.queries(global)
            let report = try memory.refreshVault()
            for s in report.skipped where !global.json { Output.warn("left as it is: \(s.description)") }
            if global.json { return Output.json(report.json) }
            if report.written.isEmpty {
                Output.line("vault up to date (\(report.components) component notes, \(VaultNotes.homePath))")
            } else {
                Output.line("wrote \(report.written.count) note\(report.written.count == 1 ? "" : "s") (\(report.components) components)")
                for p in report.written.prefix(20) { Output.line("  \(p)") }
                if report.written.count > 20 { Output.line("  … and \(report.written.count - 20) more") }
            }
        }
    }

    /// For `cmem sync`, after its merge: the vault notes brought up to date on the way, never failing the
    /// sync (a problem is a warning). Not while a merge waits for a human.
    static func refreshQuietly(repository: String, json: Bool) {
        do {
            let store = try MemoryStore(path: repository, logger: Log.logger)
            guard !FileManager.default.fileExists(atPath: store.git.gitDir + "/MERGE_HEAD") else { return }
            let report = try Memory(store: store, logger: Log.logger).refreshVault()
            for s in report.skipped where !json { Output.warn("vault: left as it is: \(s.description)") }
        } catch {
            if !json { Output.warn("vault notes not brought up to date: \(error)") }
        }
    }
}
