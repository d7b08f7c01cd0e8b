import Foundation
import Mustache

/// The Mustache templates for note bodies. Defaults are built in (from `templates/`); a memory repository
/// overrides any of them with `.cmem/templates/NAME.mustache`.
public final class Templates: @unchecked Sendable {
    public static let names = ["session", "decision", "timeline-day", "timeline-event", "handoff"]
    private let sources: [String: String]
    public let overridden: [String]
    // Compiled on first use: a hook or `event record` renders one template, an import renders thousands.
    private var compiled: [String: MustacheTemplate] = [:]
    private let lock = NSLock()

    public init(root: String?) throws {
        var sources: [String: String] = [:]
        var overridden: [String] = []
        for name in Templates.names {
            var source = DefaultTemplates.all[name]!
            if let root {
                let path = "\(root)/.cmem/templates/\(name).mustache"
                try MemoryStore.refuseLinks(root: root, relative: ".cmem/templates/\(name).mustache")
                if let bytes = try AtomicFile.read(path, limit: 1 << 20) {
                    guard let text = String(validating: bytes, as: UTF8.self) else {
                        throw StoreError.invalid(".cmem/templates/\(name).mustache is not valid UTF-8")
                    }
                    // Fail at open, naming the file, rather than at the first write.
                    do { _ = try MustacheTemplate(string: text) } catch {
                        throw StoreError.invalid(".cmem/templates/\(name).mustache does not parse: \(error)")
                    }
                    source = text
                    overridden.append(name)
                }
            }
            sources[name] = source
        }
        self.sources = sources
        self.overridden = overridden
    }

    public func render(_ name: String, _ context: [String: Any]) -> String {
        lock.lock()
        defer { lock.unlock() }
        if let template = compiled[name] { return template.render(context) }
        // Notes are Markdown, not HTML: no entity escaping. Built-in templates always parse (a test
        // renders each); an override was checked when it was loaded.
        guard let template = try? MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + sources[name]!) else { return "" }
        compiled[name] = template
        return template.render(context)
    }

    /// The default template text, for `cmem init` to show and for tests.
    public static func defaultSource(_ name: String) -> String? { DefaultTemplates.all[name] }
}
