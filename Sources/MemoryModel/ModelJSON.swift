/// The JSON shapes every interface (CLI `--json`, REST, MCP) shares, with the seed's field names.
extension TimelineEvent {
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("event_id", .string(id)), ("timestamp", .string(timestamp.iso8601)), ("event_type", .string(type)),
            ("source", .string(source)), ("severity", .string(severity.rawValue)), ("description", .string(description)),
            ("affected_components", .array(components.map { .string($0) })), ("details", details),
        ]
        pairs.append(("caused_by", causedBy.map { .string($0) } ?? .null))
        return .object(pairs)
    }
}

extension Session {
    public var json: JSONValue {
        .object([
            ("session_id", .string(id)), ("project", .string(project)), ("working_directory", .string(workingDirectory)),
            ("status", .string(isActive ? "active" : "ended")),
            ("started_at", .string(startedAt.iso8601)), ("ended_at", endedAt.map { .string($0.iso8601) } ?? .null),
            ("updated", .string(updatedAt.iso8601)),
            ("current_task", .string(currentTask)), ("summary", .string(summary)),
            ("active_files", .array(activeFiles.map { .string($0) })), ("files_read", .array(filesRead.map { .string($0) })),
            ("todo_list", .array(todoList.map { .object([("text", .string($0.text)), ("status", .string($0.status))]) })),
            ("blockers", .array(blockers.map { .string($0) })), ("next_steps", .array(nextSteps.map { .string($0) })),
            ("decisions", .array(decisions.map { .string($0) })),
            ("actions", .array(actions.map { a in
                var p: [(String, JSONValue)] = [("time", .string(a.time.iso8601)), ("kind", .string(a.kind)), ("detail", .string(a.detail))]
                if let e = a.exitCode { p.append(("exit_code", .number(Double(e)))) }
                return .object(p)
            })),
            ("claude_session_id", claudeSessionID.map { .string($0) } ?? .null),
            ("previous_session", previousSession.map { .string($0) } ?? .null),
            ("carried_over", .array(carriedOver.map { c in
                .object([("kind", .string(c.kind)), ("text", .string(c.text)), ("from", .string(c.from))])
            })),
            ("code_head_start", codeHeadAtStart.map { .string($0) } ?? .null),
            ("code_head_end", codeHeadAtEnd.map { .string($0) } ?? .null),
        ])
    }
}

extension Decision {
    public var json: JSONValue {
        .object([
            ("decision_id", .string(id)), ("session_id", sessionID.map { .string($0) } ?? .null),
            ("timestamp", .string(timestamp.iso8601)), ("decision", .string(decision)), ("rationale", .string(rationale)),
            ("alternatives", .array(alternatives.map { .string($0) })), ("context", .string(context)),
            ("consequences", .string(consequences)), ("status", .string(status)),
            ("components", .array(components.map { .string($0) })), ("project", .string(project)),
        ])
    }
}

extension NoteError {
    public var json: JSONValue {
        .object([("path", .string(path)), ("line", .number(Double(line))), ("message", .string(message))])
    }
}

extension JSONValue {
    /// Indented JSON for people reading `--json` output.
    public var prettyJSON: String {
        var out = ""
        pretty(into: &out, indent: "")
        return out
    }

    private func pretty(into out: inout String, indent: String) {
        switch self {
        case let .array(items) where !items.isEmpty:
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += indent + "  "
                item.pretty(into: &out, indent: indent + "  ")
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += indent + "]"
        case let .object(pairs) where !pairs.isEmpty:
            out += "{\n"
            for (i, (k, v)) in pairs.enumerated() {
                out += indent + "  "
                JSONValue.quote(k, into: &out)
                out += ": "
                v.pretty(into: &out, indent: indent + "  ")
                out += i + 1 < pairs.count ? ",\n" : "\n"
            }
            out += indent + "}"
        default:
            write(into: &out)
        }
    }
}
