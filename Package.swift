// swift-tools-version:6.1
import PackageDescription

// Layers, each depending only on those above it:
//   MTAScanCore    pure Swift: parsers, matchers, classifier, input readers, NDJSON. No I/O, no C.
//   MTAScanEngine  event loop, sockets, DNS, TLS, SMTP, HTTP over libuv/ldns/OpenSSL.
//   mtascan        the command-line tool: parses flags and wires the two together.
let package = Package(
    name: "mtascan",
    products: [
        .executable(name: "mtascan", targets: ["mtascan"]),
        .library(name: "MTAScanCore", targets: ["MTAScanCore"]),
        .library(name: "MTAScanEngine", targets: ["MTAScanEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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
        .executableTarget(
            name: "mtascan",
            dependencies: [
                "MTAScanCore", "MTAScanEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "MTAScanEngineTests", dependencies: ["MTAScanEngine", "MTAScanCore"]),
        .testTarget(name: "IntegrationTests", dependencies: ["MTAScanCore"]),
        .testTarget(name: "MTAScanCoreTests", dependencies: ["MTAScanCore"], resources: [.copy("Fixtures")]),
        // The command-line tool's own parts (progress reporting), tested in-process.
        .testTarget(name: "MTAScanCLITests", dependencies: ["mtascan", "MTAScanCore"]),
    ],
    swiftLanguageModes: [.v6]
)
