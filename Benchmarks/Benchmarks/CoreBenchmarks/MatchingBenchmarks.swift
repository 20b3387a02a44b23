import Benchmark
import MTAScanCore

func registerMatchingBenchmarks() {
    guard let wildcard = MXPattern("*.mail.example.com"), let exact = MXPattern("mx1.mail.example.com") else { return }

    Benchmark("mx-match wildcard") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(wildcard.matches("mx1.mail.example.com."))
        }
    }

    Benchmark("mx-match exact") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(exact.matches("MX1.mail.example.com"))
        }
    }

    let names = ["example.com", "www.example.com", "*.mail.example.com", "mail.example.net"]
    Benchmark("cert-name match (4 SANs, wildcard hit)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(CertificateNameMatcher.matches(dnsNames: names, host: "mx1.mail.example.com"))
        }
    }
}
