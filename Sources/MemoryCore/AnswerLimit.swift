/// How many entries an answer holds when the asker names no limit, and the most a remote asker (REST, MCP)
/// may name. One table for every front end: a question asked without a limit gets the same answer from the
/// CLI, the Memory Service and the MCP server. The CLI names no maximum (it reads a local memory for the
/// person at the keyboard); the service and the MCP server do, since their answers cross a network or an
/// agent's context.
public struct AnswerLimit: Sendable, Equatable {
    public let defaultValue: Int
    public let maximum: Int

    public var range: ClosedRange<Int> { 1...maximum }

    public static let search = AnswerLimit(defaultValue: 10, maximum: 100)
    public static let decisions = AnswerLimit(defaultValue: 10, maximum: 100)
    public static let timeline = AnswerLimit(defaultValue: 100, maximum: 1000)
    public static let componentHistory = AnswerLimit(defaultValue: 50, maximum: 1000)
    /// Related events besides the probable cause.
    public static let correlate = AnswerLimit(defaultValue: 10, maximum: 100)
    public static let sessions = AnswerLimit(defaultValue: 20, maximum: 100)
    /// Commits of the audit history.
    public static let log = AnswerLimit(defaultValue: 20, maximum: 100)
}
