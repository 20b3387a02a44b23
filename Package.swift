// swift-tools-version:6.1
import PackageDescription

// Layers, each depending only on those above it:
//   MTAScanCore    pure Swift: parsers, matchers, classifier, input readers, NDJSON. No I/O, no C.
//   MTAScanEngine  event loop, sockets, DNS, TLS, SMTP, HTTP over libuv/ldns/OpenSSL.
//   MTAScanNotify  notification campaigns: the campaign database (SQLite via GRDB),
//                  messages from templates (Mustache). Reads scans through the core.
//   mtascan        the command-line tool: parses flags and wires the others together.
let package = Package(
    name: "mtascan",
    products: [
        .executable(name: "mtascan", targets: ["mtascan"]),
        .library(name: "MTAScanCore", targets: ["MTAScanCore"]),
        .library(name: "MTAScanEngine", targets: ["MTAScanEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(name: "CLibUV", pkgConfig: "libuv", providers: [.apt(["libuv1-dev"])]),
        .systemLibrary(name: "CLDNS", pkgConfig: "ldns", providers: [.apt(["libldns-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "CMTAScanShims", dependencies: ["COpenSSL"]),

        .target(name: "MTAScanCore"),
        .target(
            name: "MTAScanEngine",
            dependencies: ["MTAScanCore", "CLibUV", "CLDNS", "COpenSSL", "CMTAScanShims"]
        ),
        .target(
            name: "MTAScanNotify",
            dependencies: [
                "MTAScanCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .executableTarget(
            name: "mtascan",
            dependencies: [
                "MTAScanCore", "MTAScanEngine", "MTAScanNotify",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // jemalloc in place of glibc's malloc, for the whole process (the
            // Swift runtime, OpenSSL, libuv, ldns): a scan allocates and frees
            // small objects by the million on two loop threads, and glibc's
            // arenas spent 8% of a DNS scan's CPU in malloc, free and their
            // consolidation. docs/performance.md has the measurement.
            linkerSettings: [.linkedLibrary("jemalloc")]
        ),

        .testTarget(name: "MTAScanEngineTests", dependencies: ["MTAScanEngine", "MTAScanCore"]),
        .testTarget(name: "IntegrationTests", dependencies: ["MTAScanCore"]),
        .testTarget(name: "MTAScanNotifyTests", dependencies: ["MTAScanNotify", "MTAScanCore"]),
        .testTarget(name: "MTAScanCoreTests", dependencies: ["MTAScanCore"], resources: [.copy("Fixtures")]),
        // The command-line tool's own parts (progress reporting), tested in-process.
        .testTarget(name: "MTAScanCLITests", dependencies: ["mtascan", "MTAScanCore"]),
    ],
    swiftLanguageModes: [.v6]
)
