import GitKit
import MemoryIndex
import MemoryModel

/// An incident timeline with a known cause, buried in unrelated events, to measure correlators.
public struct CorrelationScenario: Sendable {
    public var name: String
    public var summary: String
    /// The scenario's own events and the noise, in time order.
    public var events: [TimelineEvent]
    /// `.cmem/components.yaml`, when the scenario declares dependencies.
    public var componentsYAML: String?
    public var request: CorrelationRequest
    /// IDs that count as the right answer (a commit and its deployment are both right). Empty: there
    /// is no cause, and the right answer is to say so.
    public var expectedCauses: Set<String>

    /// Writes the scenario as a memory repository at `root` and commits it.
    public func materialize(at root: String) throws {
        var paths = try MemoryFiles.write(events: events, to: root)
        if let componentsYAML {
            try MemoryFiles.writeText(componentsYAML, to: root, path: ComponentCatalog.path)
            paths.append(ComponentCatalog.path)
        }
        let repo = try GitRepository.createOrOpen(at: root)
        try repo.commit(paths: paths, message: "scenario \(name)", author: Signature(name: "scenario", email: "scenario@example.com"))
    }

    /// Whether a result is right at rank 1 and within the first three.
    public func grade(_ result: CorrelationResult) -> (top1: Bool, top3: Bool) {
        if expectedCauses.isEmpty {
            let right = result.probableCause == nil
            return (right, right)
        }
        let top1 = result.probableCause.map { expectedCauses.contains($0.event.id) } ?? false
        let top3 = result.related.prefix(3).contains { expectedCauses.contains($0.event.id) }
        return (top1, top3 || top1)
    }
}

extension CorrelationScenario {
    /// Right answers over many scenarios: cause cases at rank 1 and in the first three, "no cause" cases
    /// answered as such.
    public struct Tally: Sendable {
        public var causes = 0, top1 = 0, top3 = 0, nones = 0, noneRight = 0

        public init() {}

        public mutating func add(_ s: CorrelationScenario, _ r: CorrelationResult) {
            let g = s.grade(r)
            if s.expectedCauses.isEmpty {
                nones += 1
                noneRight += g.top1 ? 1 : 0
            } else {
                causes += 1
                top1 += g.top1 ? 1 : 0
                top3 += g.top3 ? 1 : 0
            }
        }

        public var text: String { "top-1 \(top1)/\(causes), top-3 \(top3)/\(causes), none \(noneRight)/\(nones)" }
    }
}
