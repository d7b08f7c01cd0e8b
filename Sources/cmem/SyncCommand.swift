import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sync", abstract: "Commit, fetch, merge and push the memory repository.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem sync is not available in this build yet") }
}
