import Benchmark
import MTAScanCore

func registerPolicyBenchmarks() {
    let typical: [UInt8] = Array("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.mail.example.net\r\nmax_age: 604800\r\n".utf8)
    Benchmark("policy parse (typical, 2 mx)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(PolicyParser.parse(typical))
        }
    }

    let broken: [UInt8] = Array("version: STSv2\nMode: enforce\nmx: user@example.com\nmax_age: 99999999999\n".utf8)
    Benchmark("policy parse (broken, 4 findings)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(PolicyParser.parse(broken))
        }
    }
}
