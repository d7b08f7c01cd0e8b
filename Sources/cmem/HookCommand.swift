import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hook", abstract: "Claude Code hook handlers (read JSON on stdin).")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem hook is not available in this build yet") }
}
