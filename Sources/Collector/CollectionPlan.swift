import MemoryModel

/// Which kinds one `cmem collect` reads, from `--source`, and how a partial collection is stored.
///
/// Kinds that are not read keep what the stored state says about them: their components are carried
/// over unchanged (the change detector treats them like a source that failed) and their source status
/// stays as it was, so `--source argocd` never reports every Deployment as removed.
public struct CollectionPlan: Sendable, Equatable {
    /// The kinds read this time.
    public var kinds: Set<InfraKind>
    /// The kinds the collector would read without `--source`.
    public var available: Set<InfraKind>

    /// Marks a kind that was not read in the snapshot until the stored state says more.
    public static let notCollectedMessage = "not collected (excluded by --source)"

    public init(kinds: Set<InfraKind>? = nil, available: Set<InfraKind>) {
        self.available = available
        self.kinds = (kinds ?? available).intersection(available)
    }

    /// Kinds that are not read, with the message recorded for them in the collected snapshot.
    public var skipped: [InfraKind: String] {
        Dictionary(uniqueKeysWithValues: available.subtracting(kinds).map { ($0, CollectionPlan.notCollectedMessage) })
    }

    /// Source groups for `--source`: `kubernetes` (every Kubernetes kind but events), `argocd`
    /// (applications), `events` (Warning events, which become alerts), `all`, or single kinds (`pods`).
    public static let groups: [(String, Set<InfraKind>)] = [
        ("kubernetes", Set(InfraKind.allCases).subtracting([.events, .applications])),
        ("argocd", [.applications]),
        ("events", [.events]),
        ("all", Set(InfraKind.allCases)),
    ]

    /// Parses `--source kubernetes,argocd,events` (commas or spaces; `k8s` is `kubernetes`).
    public static func parseSources(_ text: String) throws -> Set<InfraKind> {
        var kinds = Set<InfraKind>()
        let words = text.split(whereSeparator: { $0 == "," || $0 == " " }).map { $0.lowercased() }
        guard !words.isEmpty else { throw ValidationError("--source is empty; name one or more of \(validWords)") }
        for word in words {
            let w = word == "k8s" ? "kubernetes" : word == "argo" ? "argocd" : word
            if let group = groups.first(where: { $0.0 == w }) {
                kinds.formUnion(group.1)
            } else if let kind = InfraKind(rawValue: w) {
                kinds.insert(kind)
            } else {
                throw ValidationError("--source \(JSONValue.quoted(word)) is not a source; use \(validWords)")
            }
        }
        return kinds
    }

    static var validWords: String {
        groups.map(\.0).joined(separator: ", ") + ", or a kind (" + InfraKind.allCases.map(\.rawValue).joined(separator: ", ") + ")"
    }

    /// Restores the status of kinds that were not read to what the previous state said. On a first
    /// collection there is nothing to restore and the kind stays marked as not collected, so that a later
    /// full collection takes its components as a baseline rather than as additions.
    public func restoreSkipped(previous: InfraSnapshot?, in change: inout InfraChange) {
        for kind in available.subtracting(kinds) {
            if let status = previous?.sources[kind.rawValue] {
                change.snapshot.sources[kind.rawValue] = status
            }
        }
    }

    /// The kinds that were read and failed, with their messages.
    public func failures(in snapshot: InfraSnapshot) -> [InfraKind: String] {
        var out: [InfraKind: String] = [:]
        for kind in kinds {
            if case let .failed(message)? = snapshot.sources[kind.rawValue] { out[kind] = message }
        }
        return out
    }

    /// Whether nothing worked: some kinds failed and none was read (a kind that is absent, such as Argo CD
    /// applications on a cluster without Argo CD, is neither). `cmem collect --once` then exits 1.
    public func allFailed(in snapshot: InfraSnapshot) -> Bool {
        !failures(in: snapshot).isEmpty && !kinds.contains { snapshot.sources[$0.rawValue] == .ok }
    }
}

/// A source limited to some kinds: the others are reported as not collected (the watch loop reads every
/// kind of its collector; this is how `--source` reaches it).
public struct SelectedSource: InfraSource {
    public let base: any InfraSource
    public let kinds: Set<InfraKind>

    public init(_ base: any InfraSource, kinds: Set<InfraKind>) {
        self.base = base
        self.kinds = kinds
    }

    public func fetch(_ kind: InfraKind) async -> SourceResult {
        guard kinds.contains(kind) else { return .failed(CollectionPlan.notCollectedMessage) }
        return await base.fetch(kind)
    }
}
