// swift-tools-version:6.1
import PackageDescription

// One settings array for every target: Swift 6 language mode means strict concurrency everywhere.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

// libgit2 and what it depends on, linked statically from libgit2-dev's archives: loading libgit2.so
// and its twenty shared libraries (OpenSSL, Kerberos, libssh2, …) cost 1.5 ms of every cmem process,
// and cmem uses libgit2 only on local repositories. GSSAPI is stubbed (CGitFast/no_gssapi.c) and the
// CA-bundle loaders are wrapped (CGitFast/no_ca_bundle.c); the network goes through the git CLI.
let staticLibgit2: [String] = [
    "--start-group", "-l:libgit2.a", "-l:libmbedtls.a", "-l:libmbedx509.a", "-l:libmbedcrypto.a", "-l:libhttp_parser.a",
    "-l:libssh2.a", "-l:libcrypto.a", "-l:libpcre2-8.a", "-l:libz.a", "--end-group",
    "--wrap=mbedtls_x509_crt_parse_file", "--wrap=mbedtls_x509_crt_parse_path",
].flatMap { ["-Xlinker", $0] }

// Linux only: libgit2 and its dependencies are linked from Debian's static archives, and the store, the
// index and the server use Glibc, inotify and Linux's stat fields directly. No Apple platform is declared.
let package = Package(
    name: "cortex-memory",
    products: [
        .executable(name: "cmem", targets: ["cmem"]),
        .executable(name: "cmem-server", targets: ["cmem-server"]),
        .executable(name: "cmem-bench", targets: ["cmem-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
    ],
    targets: [
        // MARK: C
        .systemLibrary(
            name: "CLibGit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // SHA-1 and segmented deflate for GitKit's fast commit path, and the stand-ins that keep libgit2's
        // network dependencies out (zlib comes with libgit2-dev).
        .target(
            name: "CGitFast",
            cSettings: [.unsafeFlags(["-O3"])]
        ),

        // MARK: Libraries, in dependency order
        .target(
            name: "GitKit",
            dependencies: ["CLibGit2", "CGitFast"],
            swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(staticLibgit2)]
        ),
        .target(
            name: "MemoryModel",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Redaction",
            swiftSettings: swiftSettings
        ),
        // The one way cmem starts another program (git, kubectl, argocd): clean signals, no leaked
        // descriptors, timeouts that stop the whole process group.
        .target(
            name: "ChildProcess",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryStore",
            dependencies: [
                "GitKit", "MemoryModel", "Redaction",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryIndex",
            dependencies: [
                "GitKit", "MemoryModel",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Collector",
            dependencies: [
                "MemoryModel", "MemoryStore", "GitKit", "ChildProcess",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ClaudeHooks",
            dependencies: [
                "MemoryCore", "MemoryStore", "MemoryModel", "Redaction", "ChildProcess",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemorySync",
            dependencies: [
                "GitKit", "MemoryStore", "MemoryModel", "ChildProcess",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The application core: the rules every front end shares
        .target(
            name: "MemoryCore",
            dependencies: [
                "MemoryStore", "MemoryModel", "MemoryIndex", "Collector", "GitKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Network interfaces (linked only into cmem-server, to keep cmem's start-up small)
        .target(
            name: "MemoryServer",
            dependencies: [
                "MemoryCore", "MemoryStore", "MemoryModel", "MemoryIndex", "Collector", "Redaction", "GitKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MemoryMCP",
            dependencies: [
                "MemoryCore", "MemoryStore", "MemoryModel", "MemoryIndex", "Collector", "GitKit",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables
        .executableTarget(
            name: "cmem",
            dependencies: [
                "MemoryCore", "MemoryStore", "MemoryModel", "MemoryIndex", "Collector", "ClaudeHooks", "MemorySync", "Redaction", "GitKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "cmem-server",
            dependencies: [
                "MemoryServer", "MemoryMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "cmem-bench",
            dependencies: ["CmemFixtures", "MemoryStore", "MemoryModel", "MemoryIndex", "Collector",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // MARK: Fixtures (generators, scenario suites, synthetic clusters, benchmark clients): linked only
        // by the tests and cmem-bench, never by cmem or cmem-server.
        .target(
            name: "CmemFixtures",
            dependencies: [
                "MemoryModel", "MemoryStore", "MemoryIndex", "Collector", "MemorySync", "GitKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: ["GitKit", "MemoryModel"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "GitKitTests", dependencies: ["GitKit", "TestSupport", "CmemFixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "MemoryModelTests", dependencies: ["MemoryModel"], swiftSettings: swiftSettings),
        .testTarget(name: "ChildProcessTests", dependencies: ["ChildProcess", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MemoryStoreTests",
            dependencies: ["MemoryStore", "MemoryModel", "GitKit", "TestSupport", "CmemFixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "RedactionTests", dependencies: ["Redaction", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MemoryIndexTests",
            dependencies: ["MemoryIndex", "MemoryModel", "GitKit", "TestSupport", "CmemFixtures"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CollectorTests",
            dependencies: ["Collector", "MemoryModel", "MemoryStore", "GitKit", "TestSupport", "CmemFixtures", .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ClaudeHooksTests",
            dependencies: ["ClaudeHooks", "MemoryCore", "MemoryStore", "MemoryModel", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MemorySyncTests",
            dependencies: ["MemorySync", "MemoryModel", "GitKit", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MemoryServerTests",
            dependencies: [
                "MemoryServer", "MemoryStore", "MemoryModel", "TestSupport", "CmemFixtures", "MemoryCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            exclude: ["Fixtures", "Browser"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MemoryMCPTests",
            dependencies: ["MemoryMCP", "MemoryStore", "MemoryModel", "TestSupport", .product(name: "MCP", package: "swift-sdk")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MemoryCoreTests",
            dependencies: ["MemoryCore", "MemoryStore", "MemoryModel", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["TestSupport", "MemoryModel"],
            swiftSettings: swiftSettings
        ),
        // Every corpus secret through every front end (the real binaries), then looked for in the repository.
        .testTarget(
            name: "RedactionChannelTests",
            dependencies: ["TestSupport", "MemoryModel", "MemoryServer"],
            swiftSettings: swiftSettings
        ),
    ]
)
