import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct DecisionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decisions", abstract: "Search decisions across all sessions.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem decisions is not available in this build yet") }
}
