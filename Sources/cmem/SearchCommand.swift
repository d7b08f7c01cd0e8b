import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Full-text search over events, decisions and sessions.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem search is not available in this build yet") }
}
