import ArgumentParser
import Foundation
import MemorySync

/// Called by git, not by people: `cmem init` (and `cmem sync`) configure it in `.git/config` as
/// `merge.cmem-timeline.driver` and `merge.cmem-note.driver`, which `.gitattributes` names.
struct MergeDriverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-driver",
        abstract: "The git merge driver for memory notes (git runs it during merges and pulls).",
        discussion: """
        git runs `cmem merge-driver timeline|note %O %A %B %P --marker-size %L`: it merges the base, ours and \
        theirs files, writes the result over ours (%A), and exits 0 when clean, 1 when a conflict needs a human.
        """
    )

    @Argument(help: "timeline (day files) or note (sessions and decisions).") var kind: String
    @Argument(help: "The common ancestor's version (%O).") var base: String
    @Argument(help: "Our version (%A); receives the result.") var ours: String
    @Argument(help: "Their version (%B).") var theirs: String
    @Argument(help: "The path in the repository (%P), for messages.") var path: String?
    @Option(name: .long, help: "Length of conflict markers (%L).") var markerSize: Int = 7

    func validate() throws {
        guard MergeDriver.Kind(rawValue: kind) != nil else {
            throw ArgumentParser.ValidationError("unknown kind \(kind): use timeline or note")
        }
    }

    func run() throws {
        let stderr = FileHandle.standardError
        do {
            let outcome = try MergeDriver.run(kind: MergeDriver.Kind(rawValue: kind)!, base: base, ours: ours, theirs: theirs,
                                              path: path, markerSize: markerSize)
            for m in outcome.messages { stderr.write(Data("cmem merge-driver: \(m)\n".utf8)) }
            if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
        } catch let code as ExitCode {
            throw code
        } catch {
            stderr.write(Data("cmem merge-driver: \(path ?? ours): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
