import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct MergeDriverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge-driver", abstract: "The git merge driver for memory notes (called by git).")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem merge-driver is not available in this build yet") }
}
