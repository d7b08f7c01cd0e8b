import ArgumentParser
import Foundation
import Logging
import MemoryServer

/// `cmem serve`: the Memory Service, the REST API and webhooks over the memory repository.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Memory Service: the REST API and webhooks over the memory repository.",
        discussion: """
        Listens on 127.0.0.1:8080 by default. Any other address needs a bearer token (CMEM_TOKEN or \
        --token-file); clients send it as `Authorization: Bearer TOKEN`. GitHub webhooks are verified with \
        the secret in CMEM_WEBHOOK_SECRET or --webhook-secret-file. Prints `listening on http://HOST:PORT` \
        once ready; SIGTERM finishes the requests in flight, then exits. The API is described in \
        docs/openapi.yaml.
        """
    )

    @Option(name: .long, help: "The memory repository (default: $CMEM_REPO, else ~/.cortex/memory).")
    var repo: String?

    @Option(name: .long, help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The port to listen on; 0 picks a free one.")
    var port = 8080

    @Option(name: .long, help: "A file holding the bearer token (default: $CMEM_TOKEN).")
    var tokenFile: String?

    @Option(name: .long, help: "A file holding the GitHub webhook secret (default: $CMEM_WEBHOOK_SECRET).")
    var webhookSecretFile: String?

    @Option(name: .long, help: "Connections served at once; more wait to be accepted.")
    var maxConnections = ServerConfiguration.ConnectionLimits().maxConnections

    @Option(name: .long, help: "Seconds a new connection has to send its first request's headers.")
    var headerTimeout = ServerConfiguration.ConnectionLimits().headerSeconds

    @Option(name: .long, help: "Seconds an idle connection is kept open.")
    var idleTimeout = ServerConfiguration.ConnectionLimits().idleSeconds

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let repoPath = repo ?? env["CMEM_REPO"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cortex/memory")
        var config = ServerConfiguration(repositoryPath: repoPath, host: host, port: port)
        config.limits = .init(maxConnections: maxConnections, headerSeconds: headerTimeout, idleSeconds: idleTimeout)
        do {
            config.token = try tokenFile.map { try ServeCommand.secret(from: $0, what: "token file") }
                ?? env["CMEM_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            config.webhookSecret = try webhookSecretFile.map { try ServeCommand.secret(from: $0, what: "webhook secret file") }
                ?? env["CMEM_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
            let logger = ServeCommand.logger()
            let app = try MemoryServer.application(configuration: config, logger: logger) { host, port in
                let shown = host.contains(":") ? "[\(host)]" : host
                // Unbuffered, so a parent reading the pipe sees it at once.
                FileHandle.standardOutput.write(Data("listening on http://\(shown):\(port)\n".utf8))
            }
            try await app.runService()
        } catch let error as ExitCode {
            throw error
        } catch where MemoryServer.isAddressInUse(error) {
            FileHandle.standardError.write(Data("cmem serve: error: port \(port) on \(host) is in use; stop what is using it or pass --port\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("cmem serve: error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// A secret from a file, without the trailing newline editors and `echo` add.
    static func secret(from path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read the \(what) \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("the \(what) \(path) is not UTF-8 text") }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ValidationError("the \(what) \(path) is empty") }
        return trimmed
    }

    /// Logs go to stderr, info and above unless CMEM_LOG_LEVEL says otherwise; stdout carries only the
    /// `listening on` line.
    static func logger() -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["CMEM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        return Logger(label: "cmem.server")
    }
}
