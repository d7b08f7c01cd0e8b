import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Ahead/behind, pending writes, conflicts that need a human.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem status is not available in this build yet") }
}
