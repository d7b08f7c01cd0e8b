import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hooks", abstract: "Install git hooks in a code repository that feed the timeline.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem hooks is not available in this build yet") }
}
