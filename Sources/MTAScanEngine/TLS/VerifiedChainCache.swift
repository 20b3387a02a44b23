/// What PKIX verification said about chains already verified, so that the
/// same chain met again (a hosting provider's certificate naming many of its
/// customers' policy hosts, one wildcard behind many MX names) costs a lookup,
/// not two more signature checks and a path search.
///
/// Verification is a function of the certificates sent, the trust store and
/// the time. The key is the certificates' digests, in the order sent; each
/// cache belongs to one `TLSContext` and so to one trust store. Time enters
/// only through validity periods: an entry holds the latest `notBefore` and
/// the earliest `notAfter` of the chain that was built (the trust anchor
/// included) and answers only while the time is inside that window, where
/// every time check gives what it gave then. A result with a time error
/// (something expired or not yet valid) lies outside its own window and is
/// never kept.
///
/// Pure, not thread-safe: used on its context's loop. Times are Unix seconds,
/// compared as OpenSSL compares them (valid from `notBefore`, expired at
/// `notAfter`).
final class VerifiedChainCache {
    struct Entry {
        let failures: [TLSVerificationFailure]
        let validFrom: Int64
        let validUntil: Int64
    }

    private var entries: BoundedCache<[UInt8], Entry>
    private(set) var hits = 0
    private(set) var misses = 0

    init(capacity: Int = 4096) {
        entries = BoundedCache(capacity: capacity)
    }

    var count: Int { entries.count }

    /// The failures recorded for `key`, if they still hold at `now`.
    func failures(for key: [UInt8], now: Int64) -> [TLSVerificationFailure]? {
        guard let entry = entries[key], entry.validFrom <= now, now < entry.validUntil else {
            misses += 1
            return nil
        }
        hits += 1
        return entry.failures
    }

    /// Keeps `failures` for `key` if `now` is inside the chain's validity
    /// window (otherwise the result depends on the time and is not kept).
    func record(_ failures: [TLSVerificationFailure], for key: [UInt8], validFrom: Int64, validUntil: Int64,
                now: Int64) {
        guard validFrom <= now, now < validUntil else { return }
        entries.insert(Entry(failures: failures, validFrom: validFrom, validUntil: validUntil), for: key)
    }
}

@available(*, unavailable)
extension VerifiedChainCache: Sendable {}
