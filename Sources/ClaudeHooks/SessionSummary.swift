import Foundation
import MemoryModel
import Redaction

/// The session summary when there is no model to write one: built from what was recorded (the task,
/// decisions, commands, files, todos) and the last thing the assistant said in the transcript.
public enum SessionSummary {
    /// `previous`: the summary built before; without a readable last message, its "Last reply" is kept
    /// (SessionEnd often finds no transcript where Stop found the message: it must not lose it).
    public static func build(_ s: Session, lastAssistantMessage: String?, redactor: Redactor, previous: String = "") -> String {
        var paragraphs: [String] = []
        if let message = lastAssistantMessage.map({ redactor.redact($0) }), !message.isEmpty {
            paragraphs.append("Last reply: " + clip(collapse(message), 800))
        } else if let kept = previous.split(separator: "\n").first(where: { $0.hasPrefix("Last reply: ") }) {
            paragraphs.append(String(kept))
        }
        var facts: [String] = []
        let commands = s.actions.filter { $0.kind == "command" }
        if !commands.isEmpty {
            let failed = commands.filter { ($0.exitCode ?? 0) != 0 }
            var text = "\(commands.count) command\(commands.count == 1 ? "" : "s") run"
            if let last = failed.last {
                text += " (\(failed.count) failed, last `\(clip(collapse(last.detail), 80))` exit \(last.exitCode ?? 1))"
            }
            facts.append(text)
        }
        if !s.activeFiles.isEmpty {
            let shown = s.activeFiles.suffix(5).joined(separator: ", ")
            let more = s.activeFiles.count > 5 ? " and \(s.activeFiles.count - 5) more" : ""
            facts.append("files changed: \(shown)\(more)")
        }
        if !s.filesRead.isEmpty { facts.append("\(s.filesRead.count) file\(s.filesRead.count == 1 ? "" : "s") read") }
        if !s.decisions.isEmpty { facts.append("\(s.decisions.count) decision\(s.decisions.count == 1 ? "" : "s") recorded") }
        let open = s.todoList.filter(\.isOpen).count
        let done = s.todoList.count - open
        if !s.todoList.isEmpty { facts.append("todos: \(done) done, \(open) open") }
        if !s.blockers.isEmpty { facts.append("\(s.blockers.count) blocker\(s.blockers.count == 1 ? "" : "s")") }
        if !facts.isEmpty { paragraphs.append("Activity: " + facts.joined(separator: "; ") + ".") }
        if paragraphs.isEmpty, !s.currentTask.isEmpty { paragraphs.append("Started on: \(clip(s.currentTask, 200)); nothing recorded yet.") }
        return paragraphs.joined(separator: "\n")
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
