import ArgumentParser
import Foundation
import MemoryCore
import MemoryModel
import MemoryStore

/// Writing results: JSON for scripts, short readable text for people, errors as one clear sentence.
enum Output {
    static func json(_ value: JSONValue) {
        print(value.prettyJSON)
    }

    static func line(_ text: String) {
        print(text)
    }

    static func warn(_ text: String) {
        FileHandle.standardError.write(Data(("warning: " + text + "\n").utf8))
    }

    /// Whether to colour output: only on a terminal, and never when NO_COLOR is set (no-color.org).
    static let useColor: Bool = {
        if let v = environment("NO_COLOR"), !v.isEmpty { return false }
        return isatty(1) == 1 && environment("TERM") != "dumb"
    }()

    static func bold(_ s: String) -> String { useColor ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    static func dim(_ s: String) -> String { useColor ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
    static func red(_ s: String) -> String { useColor ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
    static func yellow(_ s: String) -> String { useColor ? "\u{1B}[33m\(s)\u{1B}[0m" : s }

    static func severity(_ s: Severity) -> String {
        switch s {
        case .critical, .error: return red(s.rawValue)
        case .warning: return yellow(s.rawValue)
        case .info: return s.rawValue
        }
    }
}

/// A failure that has already been explained to the user.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension ParsableCommand {
    /// Runs `body`, turning every error into one clear message (JSON with --json) and exit status 1.
    func run(json: Bool, _ body: () throws -> Void) throws {
        try reportingErrors(json: json, body)
    }
}

/// Runs `body`, turning every error into one clear message (JSON with --json) and an exit code: 2 for
/// invalid input, 1 for anything else. Shared by ArgumentParser's commands and the FastPath.
func reportingErrors(json: Bool, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ArgumentParser.ValidationError {
        throw reportFailure(json: json, error.message, code: 2)
    } catch let error as MemoryModel.ValidationError {
        throw reportFailure(json: json, error.message, code: 2)
    } catch let CoreError.invalid(message) {
        throw reportFailure(json: json, message, code: 2)
    } catch let error as CoreError {
        if case .noActiveSession = error {
            throw reportFailure(json: json, "\(error); start one with `cmem session start --task …` or pass --session ID", code: 1)
        }
        throw reportFailure(json: json, "\(error)", code: 1)
    } catch {
        throw reportFailure(json: json, "\(error)", code: 1)
    }
}

func reportFailure(json: Bool, _ message: String, code: Int32) -> ExitCode {
    if json {
        Output.json(.object([("error", .object([("message", .string(message))]))]))
    } else {
        FileHandle.standardError.write(Data("cmem: error: \(message)\n".utf8))
    }
    return ExitCode(code)
}

/// Time options accept ISO 8601 (`2026-01-19`, `2026-01-19T14:30:00Z`) or a duration ago (`2h`, `7d`).
func parseTime(_ text: String, what: String) throws -> Timestamp {
    try Timestamp.parse(text, what: what)
}

/// For `validate()`: a duration option that must be longer than zero, with ArgumentParser's error.
func positiveDuration(_ text: String, _ option: String) throws {
    do {
        guard try DurationText.seconds(text, what: option) > 0 else {
            throw ArgumentParser.ValidationError("\(option) must be longer than 0s")
        }
    } catch let error as MemoryModel.ValidationError {
        throw ArgumentParser.ValidationError(error.message)
    }
}
