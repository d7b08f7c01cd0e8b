import Foundation
import Mustache

/// The Mustache templates for note bodies. Defaults are built in (from `templates/`); a memory repository
/// overrides any of them with `.cmem/templates/NAME.mustache`.
public struct Templates: Sendable {
    public static let names = ["session", "decision", "timeline-day", "timeline-event", "handoff"]
    private let templates: [String: MustacheTemplate]
    public let overridden: [String]

    public init(root: String?) throws {
        var compiled: [String: MustacheTemplate] = [:]
        var overridden: [String] = []
        for name in Templates.names {
            var source = DefaultTemplates.all[name]!
            if let root {
                let path = "\(root)/.cmem/templates/\(name).mustache"
                if let bytes = try AtomicFile.read(path, limit: 1 << 20) {
                    guard let text = String(validating: bytes, as: UTF8.self) else {
                        throw StoreError.invalid(".cmem/templates/\(name).mustache is not valid UTF-8")
                    }
                    source = text
                    overridden.append(name)
                }
            }
            do {
                // Notes are Markdown, not HTML: no entity escaping.
                compiled[name] = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + source)
            } catch {
                throw StoreError.invalid("template \(name).mustache does not parse: \(error)")
            }
        }
        templates = compiled
        self.overridden = overridden
    }

    public func render(_ name: String, _ context: [String: Any]) -> String {
        templates[name]!.render(context)
    }

    /// The default template text, for `cmem init` to show and for tests.
    public static func defaultSource(_ name: String) -> String? { DefaultTemplates.all[name] }
}
