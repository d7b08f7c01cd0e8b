import Foundation
import MemoryModel
import MemoryStore

/// What this clone last agreed on with each remote, in `.git/cmem/sync.json` (machine-local, never
/// committed). It lets sync notice a remote whose history was rewritten: the commit we last synced
/// must still be in the remote branch.
struct SyncState {
    struct Entry {
        var commit: String
        var time: String
        /// The remote's URL then: a remote pointed elsewhere (a new server) starts afresh.
        var url: String
    }

    var remotes: [String: Entry] = [:]
    let path: String

    init(stateDir: String) {
        path = (stateDir as NSString).appendingPathComponent("sync.json")
        guard let bytes = try? AtomicFile.read(path, limit: 1 << 20),
              let value = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)),
              case let .object(pairs)? = value["remotes"] else { return }
        for (key, entry) in pairs {
            if let commit = entry["commit"]?.stringValue {
                remotes[key] = Entry(commit: commit, time: entry["time"]?.stringValue ?? "", url: entry["url"]?.stringValue ?? "")
            }
        }
    }

    mutating func record(_ key: String, commit: String, url: String, at time: Timestamp = .now()) {
        remotes[key] = Entry(commit: commit, time: time.iso8601, url: url)
    }

    /// The commit last synced with `key`, if the remote still has the same URL.
    func known(_ key: String, url: String) -> String? {
        guard let entry = remotes[key], entry.url.isEmpty || entry.url == url else { return nil }
        return entry.commit
    }

    func save() throws {
        let value = JSONValue.object([("remotes", .object(remotes.keys.sorted().map { key in
            (key, JSONValue.object([("commit", .string(remotes[key]!.commit)), ("time", .string(remotes[key]!.time)),
                                    ("url", .string(remotes[key]!.url))]))
        }))])
        try AtomicFile.write(value.json + "\n", to: path, durable: false)
    }
}
