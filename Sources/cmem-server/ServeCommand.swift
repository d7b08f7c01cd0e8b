import ArgumentParser

// Placeholder: replaced by the MemoryServer owner's implementation.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Memory Service.")
    func run() async throws { throw CleanExit.message("serve is not available in this build yet") }
}
