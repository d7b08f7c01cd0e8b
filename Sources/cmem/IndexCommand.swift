import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "index", abstract: "The search index: status and rebuild.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem index is not available in this build yet") }
}
