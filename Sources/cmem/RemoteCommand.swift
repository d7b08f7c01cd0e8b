import ArgumentParser
import Foundation
import MemoryModel
import MemoryStore
import MemorySync

struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Manage the git remote the memory syncs with (plain `git remote` works too).",
        subcommands: [List.self, Add.self, SetURL.self, Remove.self],
        defaultSubcommand: List.self
    )
}

extension RemoteCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the remotes and their URLs.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try run(json: global.json) {
                let store = try global.openStore()
                let remotes = try Remotes.list(repository: store.root)
                if global.json {
                    Output.json(.array(remotes.map { .object([("name", .string($0.name)), ("url", .string($0.url))]) }))
                } else if remotes.isEmpty {
                    Output.line("no remotes; add one with `cmem remote add origin URL`")
                } else {
                    for r in remotes { Output.line("\(r.name)\t\(r.url)") }
                }
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a remote: any git URL (ssh, https, a path); `cmem sync` then pushes to it."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Its name, usually origin.") var name: String
        @Argument(help: "Its URL, e.g. git@host:team/memory.git.") var url: String

        func run() throws {
            try run(json: global.json) {
                let store = try global.openStore()
                try Remotes.add(repository: store.root, name: name, url: url)
                try MergeDriverSetup.configure(repository: store.git)
                if global.json {
                    Output.json(.object([("name", .string(name)), ("url", .string(url))]))
                } else {
                    Output.line("added remote \(name) \(url); run `cmem sync` to sync with it")
                }
            }
        }
    }

    struct SetURL: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-url", abstract: "Change a remote's URL.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The remote's name.") var name: String
        @Argument(help: "Its new URL.") var url: String

        func run() throws {
            try run(json: global.json) {
                let store = try global.openStore()
                try Remotes.setURL(repository: store.root, name: name, url: url)
                if global.json {
                    Output.json(.object([("name", .string(name)), ("url", .string(url))]))
                } else {
                    Output.line("remote \(name) now points at \(url)")
                }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a remote (nothing local is deleted).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The remote's name.") var name: String

        func run() throws {
            try run(json: global.json) {
                let store = try global.openStore()
                try Remotes.remove(repository: store.root, name: name)
                if global.json { Output.json(.object([("removed", .string(name))])) } else { Output.line("removed remote \(name)") }
            }
        }
    }
}
