import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct InfraCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "infra", abstract: "Infrastructure state: current, component, diff, health.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem infra is not available in this build yet") }
}
