import Testing
@testable import MTAScanEngine

@Suite struct VerifiedChainCacheTests {
    private let untrusted = [TLSVerificationFailure(reason: .untrusted, verifyError: 19, message: "m", depth: 1)]

    @Test func answersOnlyInsideTheChainsValidityWindow() {
        let cache = VerifiedChainCache()
        cache.record(untrusted, for: [1], validFrom: 100, validUntil: 200, now: 150)
        #expect(cache.failures(for: [1], now: 150) == untrusted)
        #expect(cache.failures(for: [1], now: 100) == untrusted)  // valid from notBefore itself
        #expect(cache.failures(for: [1], now: 199) == untrusted)
        #expect(cache.failures(for: [1], now: 200) == nil)  // expired at notAfter, as OpenSSL counts it
        #expect(cache.failures(for: [1], now: 99) == nil)
        #expect(cache.failures(for: [2], now: 150) == nil)
        #expect(cache.hits == 3)
        #expect(cache.misses == 3)
    }

    @Test func aResultOutsideItsOwnWindowIsNotKept() {
        let cache = VerifiedChainCache()
        cache.record([], for: [1], validFrom: 100, validUntil: 200, now: 200)
        cache.record([], for: [2], validFrom: 100, validUntil: 200, now: 50)
        #expect(cache.count == 0)
    }

    @Test func theOldestEntryGoesWhenFull() {
        var cache = BoundedCache<[UInt8], Int>(capacity: 2)
        for (value, key) in [[UInt8(1)], [2], [1], [3]].enumerated() {
            cache.insert(value, for: key)
        }
        #expect(cache.count == 2)
        #expect(cache[[1]] == nil)  // inserted first; its update did not make it younger
        #expect(cache[[2]] == 1)
        #expect(cache[[3]] == 3)
        cache.insert(4, for: [4])
        #expect(cache[[2]] == nil)
        #expect(cache[[3]] == 3)
        #expect(cache[[4]] == 4)
        #expect(cache.count == 2)
    }

    @Test func theChainCacheIsBoundedToo() {
        let cache = VerifiedChainCache(capacity: 3)
        for key in 0..<10 {
            cache.record([], for: [UInt8(key)], validFrom: 0, validUntil: 10, now: 5)
        }
        #expect(cache.count == 3)
        #expect(cache.failures(for: [9], now: 5) == [])
        #expect(cache.failures(for: [6], now: 5) == nil)
    }
}
