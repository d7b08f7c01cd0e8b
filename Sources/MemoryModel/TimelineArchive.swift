/// `timeline/archive.md`: the months retention took out of the working tree whole (day files and
/// summary), each with the commit that still holds them, so that a lookup into an archived month goes
/// straight to that commit instead of walking history.
public struct TimelineArchive: Sendable, Equatable {
    public struct Month: Sendable, Equatable {
        public var month: String
        public var detail: String
        public init(month: String, detail: String) {
            self.month = month
            self.detail = detail
        }
    }

    public static let path = "timeline/archive.md"
    public var months: [Month] = []

    public init() {}

    public init(values: [(String, JSONValue)], path: String) throws {
        for (key, value) in values where key == "archived" {
            guard case let .array(items) = value else {
                throw NoteError(path: path, line: 1, message: "archived must be a list of {month, detail}")
            }
            for item in items {
                guard let month = item["month"]?.stringValue, let detail = item["detail"]?.stringValue else {
                    throw NoteError(path: path, line: 1, message: "each entry of archived needs month and detail")
                }
                months.append(Month(month: month, detail: detail))
            }
        }
    }

    public func entry() -> String {
        YAMLWriter.records("archived", months.map { [("month", .string($0.month)), ("detail", .string($0.detail))] })
    }

    public static func newBody(generated: String) -> String {
        "\n# Archived timeline\n\n" + ManagedSection.wrap(generated)
    }

    public func generated() -> String {
        var out = "Months whose day files and summary left the working tree (`cmem retention`). Git history keeps them: "
        out += "`cmem timeline --from-history --since YYYY-MM-01`, or `git show COMMIT:timeline/YYYY/MM/summary.md`.\n\n"
        out += "| month | in commit |\n|---|---|\n"
        for m in months.sorted(by: { ($0.month, $0.detail) < ($1.month, $1.detail) }) { out += "| \(m.month) | \(m.detail) |\n" }
        return out
    }
}
