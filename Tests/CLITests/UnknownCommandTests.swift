import Foundation
import Testing
import TestSupport

/// A command line naming a command that does not exist: which word, and what the commands are.
@Suite struct UnknownCommandTests {
    func run(_ arguments: [String]) throws -> ProcessResult {
        let dir = TemporaryDirectory("cmem-unknown")
        return try CMemBinary.run(arguments, repo: dir.file("memory"), cwd: dir.path)
    }

    @Test func anUnknownCommandIsNamedWithTheCommands() throws {
        let r = try run(["prune", "status"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("cmem: error: unknown command \"prune\"; the commands are: init, session, handoff, event, timeline, "), "\(r.stderr)")
        #expect(r.stderr.contains(", serve, "), "\(r.stderr)")
        #expect(!r.stderr.contains("unexpected argument"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    @Test func anUnknownSubcommandIsNamedWithItsGroupsCommands() throws {
        let r = try run(["session", "bogus"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr == "cmem: error: unknown session command \"bogus\"; the session commands are: start, decide, action, update, end, current, show, list\n",
                "\(r.stderr)")
        // Hidden commands are not offered.
        let hooks = try run(["hooks", "bogus"])
        #expect(hooks.status == 2)
        #expect(hooks.stderr == "cmem: error: unknown hooks command \"bogus\"; the hooks commands are: install, uninstall, status\n", "\(hooks.stderr)")
    }

    @Test func knownCommandsStillGoToArgumentParser() throws {
        // An unknown option or a value of the wrong kind is ArgumentParser's to report, with exit status 2
        // like every other invalid input (its own code, 64, stays for `cmem hook`).
        let r = try run(["session", "current", "--no-such-option"])
        #expect(r.status == 2, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("Unknown option '--no-such-option'") && !r.stderr.contains("unknown command"), "\(r.stderr)")
        let big = try run(["timeline", "--limit", "99999999999999999999"])
        #expect(big.status == 2 && big.stderr.contains("--limit"), "\(big.status) \(big.stderr)")
        let help = try run(["session", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("start"))
    }
}
