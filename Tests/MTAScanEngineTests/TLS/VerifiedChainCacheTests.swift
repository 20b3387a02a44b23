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
        let cache = VerifiedChainCache(capacity: 2)
        for key in [[UInt8(1)], [2], [1], [3]] {
            cache.record([], for: key, validFrom: 0, validUntil: 10, now: 5)
        }
        #expect(cache.count == 2)
        #expect(cache.failures(for: [1], now: 5) == nil)
        #expect(cache.failures(for: [2], now: 5) == [])
        #expect(cache.failures(for: [3], now: 5) == [])
        cache.record([], for: [4], validFrom: 0, validUntil: 10, now: 5)
        #expect(cache.failures(for: [2], now: 5) == nil)
        #expect(cache.failures(for: [3], now: 5) == [])
        #expect(cache.count == 2)
    }
}
