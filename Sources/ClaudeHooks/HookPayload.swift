import Foundation
import MemoryModel

/// The JSON Claude Code writes on a hook's stdin. Every event carries `session_id`, `transcript_path`,
/// `cwd` and `hook_event_name`; the rest depends on the event. Decoding is tolerant: unknown fields are
/// ignored, missing optional ones are nil, and values of an unexpected type read as absent.
public struct HookPayload: Sendable {
    /// The whole object as sent, for fields this type does not name.
    public let raw: JSONValue
    public let claudeSessionID: String
    public let transcriptPath: String?
    /// The directory Claude Code runs in: it selects the project, not the hook process's own directory.
    public let cwd: String
    public let eventName: String

    /// Payloads larger than this are not parsed (a Write of a huge file); the hook then fails quietly.
    public static let maxBytes = 32 << 20

    public init(json: JSONValue, fallbackCWD: String = FileManager.default.currentDirectoryPath) throws {
        guard case .object = json else { throw HookError.invalidPayload("the payload is not a JSON object") }
        guard let sid = json["session_id"]?.stringValue, !sid.isEmpty, sid.utf8.count <= 512 else {
            throw HookError.invalidPayload("the payload has no session_id")
        }
        raw = json
        claudeSessionID = sid
        transcriptPath = json["transcript_path"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let cwd = json["cwd"]?.stringValue ?? ""
        self.cwd = cwd.hasPrefix("/") ? cwd : fallbackCWD
        eventName = json["hook_event_name"]?.stringValue ?? ""
    }

    public init(bytes: [UInt8], fallbackCWD: String = FileManager.default.currentDirectoryPath) throws {
        guard bytes.count <= HookPayload.maxBytes else {
            throw HookError.invalidPayload("the payload is \(bytes.count) bytes, over the \(HookPayload.maxBytes)-byte limit")
        }
        let value: JSONValue
        do {
            value = try bytes.withUnsafeBufferPointer { try JSONValue.parse(bytes: $0, exactIntegers: false) }
        } catch {
            throw HookError.invalidPayload("stdin is not JSON (\(error))")
        }
        try self.init(json: value, fallbackCWD: fallbackCWD)
    }

    public func string(_ key: String) -> String? { raw[key]?.stringValue }

    /// SessionStart: `startup`, `resume`, `clear` or `compact`.
    public var source: String? { string("source") }
    /// UserPromptSubmit.
    public var prompt: String? { string("prompt") }
    /// PostToolUse / PostToolUseFailure.
    public var toolName: String? { string("tool_name") }
    public var toolInput: JSONValue { raw["tool_input"] ?? .object([]) }
    public var toolResponse: JSONValue? { raw["tool_response"] }
    /// PostToolUseFailure: what went wrong, e.g. "Command exited with non-zero status code 1".
    public var error: String? { string("error") }
    /// Stop (newer Claude Code versions send it; older ones only have the transcript).
    public var lastAssistantMessage: String? { string("last_assistant_message") }
    /// SessionEnd: `clear`, `logout`, `prompt_input_exit`, `other`, …
    public var reason: String? { string("reason") }
}

/// What a hook can fail with. None of these ever reaches Claude Code: the hook logs it and exits 0.
public enum HookError: Error, CustomStringConvertible, Sendable {
    case invalidPayload(String)
    case unknownEvent(String)

    public var description: String {
        switch self {
        case let .invalidPayload(m): return "invalid hook payload: \(m)"
        case let .unknownEvent(e): return "unknown hook event \(e)"
        }
    }
}
