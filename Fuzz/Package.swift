// swift-tools-version:6.1
import PackageDescription

// The libFuzzer harness lives in its own package, on `../` by path, so the
// main `swift build --build-tests` and its CI time never pay for it, and the
// sanitizer flags apply only here. Build and run through `tools/fuzz.sh`
// (docs/reliability.md, "Fuzzing"), which passes `--sanitize=fuzzer
// --sanitize=address` so that every module, MTAScanCore and MTAScanEngine
// included, is built with coverage instrumentation and ASan.
let package = Package(
    name: "mtascan-fuzz",
    dependencies: [
        .package(name: "mtascan", path: "../"),
    ],
    targets: [
        // One executable for every target: one link instead of a dozen, which
        // keeps the CI smoke build short. `MTASCAN_FUZZ_TARGET` picks the
        // target (FuzzTargets.swift). libFuzzer supplies `main`, hence
        // `-parse-as-library`.
        .executableTarget(
            name: "MTAScanFuzz",
            dependencies: [
                .product(name: "MTAScanCore", package: "mtascan"),
                .product(name: "MTAScanEngine", package: "mtascan"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
