import Benchmark
import MTAScanCore

func registerOutputBenchmarks() {
    // A record shaped like a scan result of an MTA-STS domain with one finding.
    let finding = Finding(.mxPatternMismatch, ["kind": "typo", "scope": "all", "mx_host": "mail.example.com", "pattern": "mail.exmaple.com", "distance": 2])
    let record: JSONValue = .object([
        "schema_version": 1,
        "domain": "example.com",
        "verdict": "misconfigured",
        "mx": .array([.object(["preference": 10, "host": "mail.example.com", "addresses": ["192.0.2.1", "2001:db8::1"]])]),
        "sts_record": .object(["txt": ["v=STSv1; id=20240101"], "id": "20240101"]),
        "policy": .object(["mode": "enforce", "max_age": 604800, "mx": ["mail.exmaple.com"]]),
        "findings": .array([finding.json]),
    ])
    Benchmark("NDJSON encode (scan record, ~400 B)") { benchmark in
        // Non-copyable: made in the closure, reused across its iterations.
        var writer = JSONWriter(capacity: 4096)
        for _ in benchmark.scaledIterations {
            writer.reset()
            writer.writeLine(record)
            blackHole(writer.bytes.count)
        }
    }
}
