// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so the main build and test suite never
// pay for the benchmark harness. Run: `cd Benchmarks && swift package benchmark`.
let package = Package(
    name: "mtascan-benchmarks",
    dependencies: [
        .package(name: "mtascan", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                .product(name: "MTAScanCore", package: "mtascan"),
                .product(name: "MTAScanEngine", package: "mtascan"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
