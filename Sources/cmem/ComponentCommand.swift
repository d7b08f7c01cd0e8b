import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct ComponentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "component", abstract: "The event history of one component, newest first.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem component is not available in this build yet") }
}
