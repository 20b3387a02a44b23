import MTAScanCore

/// A and AAAA of MX host names, shared by every domain resolved on one loop.
///
/// One provider's MX serves millions of domains: each host name is resolved
/// once while it stays in the cache, and concurrent requests for a name in
/// flight wait for the same lookups instead of sending their own. Bounded:
/// the least recently inserted names are forgotten first (a FIFO of names is
/// enough, since popular hosts are re-inserted as soon as they are needed again).
/// Loop-confined, like the DNS client it uses.
final class HostAddressCache {
    private let client: DNSClient
    private let capacity: Int
    private var resolved: [String: HostAddresses] = [:]
    private var insertionOrder: [String] = []
    private var oldest = 0
    private var waiting: [String: [(HostAddresses) -> Void]] = [:]

    private(set) var hits = 0
    private(set) var misses = 0

    init(client: DNSClient, capacity: Int) {
        self.client = client
        self.capacity = max(1, capacity)
    }

    func addresses(of host: DomainName, _ completion: @escaping (HostAddresses) -> Void) {
        let key = host.text
        if let known = resolved[key] {
            hits += 1
            return completion(known)
        }
        if waiting[key] != nil {
            hits += 1
            waiting[key, default: []].append(completion)
            return
        }
        misses += 1
        waiting[key] = [completion]
        var ipv4: LookupResult<String>?
        var ipv6: LookupResult<String>?
        let finish = { [weak self] in
            guard let self, let ipv4, let ipv6 else { return }
            self.store(HostAddresses(ipv4: ipv4, ipv6: ipv6), for: key)
        }
        client.query(host, .a) { lookup in
            ipv4 = lookup.coreResult { if case .a(let address) = $0 { address.text } else { nil } }
            finish()
        }
        client.query(host, .aaaa) { lookup in
            ipv6 = lookup.coreResult { if case .aaaa(let address) = $0 { address.text } else { nil } }
            finish()
        }
    }

    private func store(_ addresses: HostAddresses, for key: String) {
        // Failed lookups are answered but not kept: the next domain retries them.
        if !addresses.ipv4.status.isFailure && !addresses.ipv6.status.isFailure {
            remember(addresses, for: key)
        }
        let callbacks = waiting.removeValue(forKey: key) ?? []
        for callback in callbacks { callback(addresses) }
    }

    private func remember(_ addresses: HostAddresses, for key: String) {
        if resolved.count >= capacity {
            // Evict the oldest insertions; compact the order list now and then.
            while resolved.count >= capacity, oldest < insertionOrder.count {
                resolved.removeValue(forKey: insertionOrder[oldest])
                oldest += 1
            }
            if oldest > capacity {
                insertionOrder.removeFirst(oldest)
                oldest = 0
            }
        }
        resolved[key] = addresses
        insertionOrder.append(key)
    }
}
