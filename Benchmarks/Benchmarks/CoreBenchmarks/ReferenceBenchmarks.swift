import Benchmark
import Foundation

// Same-run references for the figures in docs/performance.md: what the
// standard library or Foundation takes for a comparable job on the same input.
// Absolute times on shared machines are noise; the ratios are the figures.
func registerReferenceBenchmarks() {
    let policy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.mail.example.net\r\nmax_age: 604800\r\n"
    Benchmark("reference: stdlib split of the typical policy into lines and key/value") { benchmark in
        for _ in benchmark.scaledIterations {
            var pairs = 0
            for line in policy.split(separator: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                pairs += parts.count
            }
            blackHole(pairs)
        }
    }

    let host = "mx1.mail.example.com."
    Benchmark("reference: naive mx match (lowercased + hasSuffix)") { benchmark in
        for _ in benchmark.scaledIterations {
            let lowered = host.lowercased()
            blackHole(lowered.hasSuffix(".mail.example.com.") && !lowered.dropLast(18).contains("."))
        }
    }

    let suffixes: Set<String> = ["co.uk", "uk", "com", "net", "org"]
    Benchmark("reference: Set<String> lookups of the 4 suffixes of mx1.mail.example.co.uk") { benchmark in
        for _ in benchmark.scaledIterations {
            var hits = 0
            for candidate in ["mx1.mail.example.co.uk", "mail.example.co.uk", "example.co.uk", "co.uk"] where suffixes.contains(candidate) {
                hits += 1
            }
            blackHole(hits)
        }
    }

    let record: [String: Any] = [
        "schema_version": 1, "domain": "example.com", "verdict": "misconfigured",
        "mx": [["preference": 10, "host": "mail.example.com", "addresses": ["192.0.2.1", "2001:db8::1"]]],
        "sts_record": ["txt": ["v=STSv1; id=20240101"], "id": "20240101"],
        "policy": ["mode": "enforce", "max_age": 604800, "mx": ["mail.exmaple.com"]],
        "findings": [["code": "mx-pattern-mismatch", "kind": "typo", "scope": "all", "mx_host": "mail.example.com",
                      "pattern": "mail.exmaple.com", "distance": 2, "severity": "error", "component": "consistency"]],
    ]
    Benchmark("reference: Foundation JSONSerialization of the same scan record") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]))
        }
    }
}
