import Testing

@testable import MTAScanEngine

@Suite struct DNSNameCacheTests {
    private func wire(_ labels: [[UInt8]]) -> [UInt8] {
        labels.flatMap { [UInt8($0.count)] + $0 } + [0]
    }

    /// More names than slots, each asked twice, some differing only in case:
    /// every answer is what `DNSNameText` prints, whether found or made anew.
    @Test func answersAreAlwaysWhatDNSNameTextPrints() {
        var cache = DNSNameCache()
        var random = SplitMix64(state: 0x4E41_4D45)
        var names: [[UInt8]] = []
        for index in 0..<(DNSNameCache.slots * 2) {
            let host = Array("mx\(index)".utf8)
            let provider = (0..<Int.random(in: 1...12, using: &random)).map { _ in
                UInt8.random(in: 0x61...0x7A, using: &random)
            }
            names.append(wire([host, provider, Array("test".utf8)]))
        }
        names.append(wire([Array("MX1".utf8), Array("Example".utf8), Array("NET".utf8)]))
        names.append(wire([Array("mx1".utf8), Array("example".utf8), Array("net".utf8)]))
        names.append(wire([[0x2E, 0x5C, 0x00, 0x1B]]))
        names.append([0])
        for _ in 0..<2 {
            for name in names.shuffled(using: &random) {
                name.withUnsafeBufferPointer { bytes in
                    #expect(cache.text(wire: bytes) == DNSNameText.text(wire: bytes))
                }
            }
        }
    }

    @Test func malformedNamesAreNotRemembered() {
        var cache = DNSNameCache()
        let truncated: [UInt8] = [5, 0x61, 0x62]
        for _ in 0..<2 {
            truncated.withUnsafeBufferPointer { #expect(cache.text(wire: $0) == nil) }
        }
    }

    @Test func theEmptyCacheOnlyPasses() {
        var none = DNSNameCache.none
        let name = wire([Array("example".utf8), Array("com".utf8)])
        name.withUnsafeBufferPointer { #expect(none.text(wire: $0) == "example.com") }
    }
}
