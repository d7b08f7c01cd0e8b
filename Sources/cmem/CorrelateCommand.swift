import ArgumentParser

// Placeholder: replaced by the module owner's implementation.
struct CorrelateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "correlate", abstract: "What probably caused a symptom, ranked and explained.")
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []
    func run() throws { throw CleanExit.message("cmem correlate is not available in this build yet") }
}
