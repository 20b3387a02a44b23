import Benchmark
import MTAScanCore

// Each benchmark runs its body `scaledIterations` times so per-operation
// figures (ns/op) are readable straight off the Time column (scalingFactor .kilo).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2)
    )
    registerMatchingBenchmarks()
    registerPolicyBenchmarks()
    registerOutputBenchmarks()
    registerDNSBenchmarks()
    registerRecordBenchmarks()
    registerPublicSuffixListBenchmarks()
    registerReferenceBenchmarks()
}
