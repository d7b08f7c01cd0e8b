import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "collect", abstract: "Collect Kubernetes and Argo CD state and record changes.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem collect is not available in this build yet") }
}
