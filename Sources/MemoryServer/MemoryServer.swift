import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import MemoryModel
import NIOCore

/// How `cmem serve` runs: where it listens, which repository it serves, and its secrets.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (printed when listening).
    public var port = 8080
    public var repositoryPath: String
    /// The bearer token clients must send. Required to listen on anything but loopback.
    public var token: String?
    /// The secret GitHub signs webhook deliveries with.
    public var webhookSecret: String?
    /// How long and how many: what a client that opens connections and sends nothing can hold.
    public var limits = ConnectionLimits()

    public struct ConnectionLimits: Sendable {
        /// Connections served at once; further ones wait in the listen backlog. Well under the usual
        /// 1,024-descriptor limit, which the index and the repository's files share.
        public var maxConnections = 512
        /// From accepting a connection to its first request's complete headers.
        public var headerSeconds: Int64 = 10
        /// A connection with no request in flight and nothing read for this long is closed.
        public var idleSeconds: Int64 = 60

        public init(maxConnections: Int = 512, headerSeconds: Int64 = 10, idleSeconds: Int64 = 60) {
            self.maxConnections = maxConnections
            self.headerSeconds = headerSeconds
            self.idleSeconds = idleSeconds
        }
    }

    public init(repositoryPath: String, host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, webhookSecret: String? = nil) {
        self.repositoryPath = repositoryPath
        self.host = host
        self.port = port
        self.token = token
        self.webhookSecret = webhookSecret
    }

    /// Loopback addresses: only this machine can connect.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Refuses configurations that would be unsafe or cannot work.
    public func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("port \(port) is not a TCP port (0–65535)") }
        if let token, token.isEmpty { throw ValidationError("the bearer token is empty") }
        if let token, token.utf8.count < 16 {
            throw ValidationError("the bearer token is \(token.utf8.count) characters; use at least 16 (e.g. `openssl rand -hex 32`)")
        }
        if let token, token.utf8.contains(where: { $0 < 0x21 || $0 > 0x7E }) {
            throw ValidationError("the bearer token must be printable ASCII without spaces")
        }
        if let secret = webhookSecret, secret.isEmpty { throw ValidationError("the webhook secret is empty") }
        guard limits.maxConnections >= 1, limits.headerSeconds >= 1, limits.idleSeconds >= 1 else {
            throw ValidationError("connection limits must be at least 1 (connection, second)")
        }
        if !isLoopback && token == nil {
            throw ValidationError("listening on \(host) exposes the memory beyond this machine: set a bearer token with CMEM_TOKEN or --token-file, or listen on 127.0.0.1")
        }
    }
}

/// Builds the Memory Service: the router with its route collections, and the application around it.
public enum MemoryServer {
    public static func router(service: MemoryService, configuration: ServerConfiguration, metrics: ServerMetrics) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestMiddleware(metrics: metrics))
        if let token = configuration.token {
            router.add(middleware: AuthMiddleware(token: Array(token.utf8)))
        }
        router.addRoutes(SessionRoutes(service: service).collection, atPath: "/memory/sessions")
        router.addRoutes(TimelineRoutes(service: service).collection, atPath: "/memory/timeline")
        router.addRoutes(InfrastructureRoutes(service: service).collection, atPath: "/memory/infrastructure")
        router.addRoutes(HandoffRoutes(service: service).collection, atPath: "/memory/handoff")
        router.addRoutes(HistoryRoutes(service: service).collection, atPath: "/memory/history")
        router.addRoutes(SearchRoutes(service: service).collection, atPath: "/memory")
        router.addRoutes(NoteRoutes(service: service).collection, atPath: "/memory")
        router.addRoutes(WebhookRoutes(service: service, webhookSecret: configuration.webhookSecret.map { Array($0.utf8) }, metrics: metrics).collection,
                         atPath: "/webhooks")
        router.addRoutes(OperationsRoutes(service: service, metrics: metrics).collection)
        router.addRoutes(WebRoutes().collection)
        return router
    }

    /// Whether `error` is the listening socket's bind failing because something else holds the address
    /// (NIO's `IOError` with EADDRINUSE), which `cmem serve` reports in words rather than as NIO's text.
    public static func isAddressInUse(_ error: Error) -> Bool {
        (error as? IOError)?.errnoCode == EADDRINUSE
    }

    /// The application for `configuration`, validated. `onListening` receives the bound host and port
    /// (the real one when the configuration asks for port 0).
    public static func application(
        configuration: ServerConfiguration, logger: Logger,
        onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) throws -> some ApplicationProtocol {
        try configuration.validate()
        let service = try MemoryService(repositoryPath: configuration.repositoryPath, logger: logger)
        // Retention once a day: checked every 10 minutes (the schedule skips the first 10 after start).
        Task.detached(priority: .background) {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 600 * 1_000_000_000)
                await service.applyRetentionIfDue()
            }
        }
        let metrics = ServerMetrics()
        let router = router(service: service, configuration: configuration, metrics: metrics)
        let limits = configuration.limits
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [HeaderDeadline(timeout: .seconds(limits.headerSeconds))],
                                                idleTimeout: .seconds(limits.idleSeconds))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cmem",
                                 availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                await onListening(configuration.host, port)
            },
            logger: logger
        )
    }
}
