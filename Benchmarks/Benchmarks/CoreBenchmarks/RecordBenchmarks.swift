import Benchmark
import MTAScanCore

func registerRecordBenchmarks() {
    let sts: [[UInt8]] = [Array("v=STSv1; id=20240601T120000".utf8)]
    Benchmark("sts-record evaluate (valid)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(STSRecord.evaluate(sts))
        }
    }

    // What a real `_mta-sts` lookup often returns beside the record: noise to skip.
    let noisy: [[UInt8]] = [Array("v=spf1 include:_spf.example.com ~all".utf8), Array("v=STSv1; id=20240601T120000".utf8)]
    Benchmark("sts-record evaluate (valid + unrelated TXT)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(STSRecord.evaluate(noisy))
        }
    }

    let tlsrpt: [[UInt8]] = [Array("v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.com/v1".utf8)]
    Benchmark("tlsrpt-record evaluate (2 rua)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(TLSRPTRecord.evaluate(tlsrpt))
        }
    }
}

func registerPublicSuffixListBenchmarks() {
    guard let bytes = readWholeFile(PublicSuffixList.debianPath), let list = try? PublicSuffixList(listText: bytes) else {
        print("skipping PSL benchmarks: \(PublicSuffixList.debianPath) not readable")
        return
    }
    Benchmark("psl registrable domain (mx1.mail.example.co.uk)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(list.registrableDomain(of: "mx1.mail.example.co.uk"))
        }
    }
    Benchmark("psl load (whole Debian list)", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? PublicSuffixList(listText: bytes))
        }
    }
}
