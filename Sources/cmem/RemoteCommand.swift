import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remote", abstract: "Manage the git remote the memory syncs with.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem remote is not available in this build yet") }
}
