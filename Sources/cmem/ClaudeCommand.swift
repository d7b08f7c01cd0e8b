import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct ClaudeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "claude", abstract: "Install or remove the Claude Code integration.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem claude is not available in this build yet") }
}
