import Benchmark
import MTAScanCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(2))

    let pattern = MXPattern("*.mail.example.com")!
    Benchmark("mx-match wildcard", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(pattern.matches("mx1.mail.example.com."))
        }
    }
}
