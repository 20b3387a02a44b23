import Benchmark
import MTAScanEngine

/// Decoding a DNS response: the Swift decoder (what `DNSMessage.parse` takes
/// for the record types a scan reads) beside ldns alone (`parseWithLDNS`),
/// the reference it must agree with, on the same bytes in the same run.
func registerDNSBenchmarks() {
    // An MX answer as a resolver sends it: question, two MX records
    // compressed against the question, EDNS.
    let mxAnswer: [UInt8] =
        [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 1]
        + [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 15, 0, 1]
        + [0xC0, 12, 0, 15, 0, 1, 0, 0, 0x0E, 0x10, 0, 9, 0, 10, 4] + Array("mail".utf8) + [0xC0, 12]
        + [0xC0, 12, 0, 15, 0, 1, 0, 0, 0x0E, 0x10, 0, 21, 0, 20, 13] + Array("mx-backup-ovh".utf8)
        + [3] + Array("net".utf8) + [0]
        + [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]
    // NXDOMAIN for `_mta-sts.`, with the zone's SOA: most answers of a sweep.
    let nxdomain: [UInt8] =
        [0x56, 0x78, 0x81, 0x83, 0, 1, 0, 0, 0, 1, 0, 1]
        + [8] + Array("_mta-sts".utf8) + [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 16, 0, 1]
        + [0xC0, 21, 0, 6, 0, 1, 0, 0, 0x0E, 0x10, 0, 39]
        + [3] + Array("ns1".utf8) + [0xC0, 21] + [10] + Array("hostmaster".utf8) + [0xC0, 21]
        + [0x78, 0xBE, 0x4E, 0x41, 0, 0, 0x1C, 0x20, 0, 0, 0x0E, 0x10, 0, 0x12, 0x75, 0, 0, 0, 1, 0x2C]
        + [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]
    precondition((try? DNSMessage.parse(mxAnswer).get()) != nil, "the MX benchmark message does not parse")
    precondition((try? DNSMessage.parse(nxdomain).get()) != nil, "the NXDOMAIN benchmark message does not parse")
    precondition(DNSMessage.parse(mxAnswer) == DNSMessage.parseWithLDNS(mxAnswer))
    precondition(DNSMessage.parse(nxdomain) == DNSMessage.parseWithLDNS(nxdomain))

    for (label, message) in [("MX, 2 answers", mxAnswer), ("NXDOMAIN + SOA", nxdomain)] {
        Benchmark("DNS response decode (\(label))") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(DNSMessage.parse(message)) }
        }
        Benchmark("DNS response decode (\(label)), ldns reference") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(DNSMessage.parseWithLDNS(message)) }
        }
    }
}
