import MTAScanCore

/// Checks forward-confirmed reverse DNS of an address with mtascan's own
/// resolver client: PTR, then A or AAAA of each PTR name (at most 8).
/// Loop-confined, like the client.
enum FCrDNSCheck {
    static func run(_ address: IPAddress, client: DNSClient, _ completion: @escaping (FCrDNSOutcome) -> Void) {
        guard let bits = IPBits(address.description) else { return completion(.noPTR) }
        let reverse = ReverseName.of(bits)
        client.query(reverse, .ptr) { lookup in
            let result = lookup.coreResult { if case .ptr(let name) = $0 { name } else { nil } }
            if result.status.isFailure { return completion(.lookupFailed(name: reverse.text, status: result.status)) }
            let names = Array(Set(result.values)).sorted().prefix(8).compactMap { DomainName($0) }
            guard !names.isEmpty else { return completion(.noPTR) }
            let type: DNSRecordType = bits.isIPv4 ? .a : .aaaa
            var remaining = names.count
            var confirmed: DomainName?
            var failure: FCrDNSOutcome?
            for name in names {
                client.query(name, type) { forward in
                    let addresses = forward.coreResult { rdata -> IPBits? in
                        switch rdata {
                        case .a(let v4): return IPBits(v4.text)
                        case .aaaa(let v6): return IPBits(v6.text)
                        default: return nil
                        }
                    }
                    if addresses.values.contains(bits), confirmed == nil || name.text < (confirmed?.text ?? "") { confirmed = name }
                    if addresses.status.isFailure, failure == nil { failure = .lookupFailed(name: name.text, status: addresses.status) }
                    remaining -= 1
                    guard remaining == 0 else { return }
                    if let confirmed { completion(.confirmed(name: confirmed)) }
                    else { completion(failure ?? .notConfirmed(names: names.map(\.text))) }
                }
            }
        }
    }

    /// Runs the checks on a private loop, all at once, and waits: for the CLI,
    /// before a scan starts. The outcomes are in the order of `addresses`.
    static func blocking(_ addresses: [IPAddress], configuration: DNSClientConfiguration) throws -> [FCrDNSOutcome] {
        var outcomes = [FCrDNSOutcome](repeating: .noPTR, count: addresses.count)
        guard !addresses.isEmpty else { return outcomes }
        var setupError: (any Error)?
        _ = try EventLoop.run { loop in
            do {
                let client = try DNSClient(loop: loop, configuration: configuration)
                var remaining = addresses.count
                for (index, address) in addresses.enumerated() {
                    run(address, client: client) { result in
                        outcomes[index] = result
                        remaining -= 1
                        guard remaining == 0 else { return }
                        client.close()
                        loop.requestShutdown()
                    }
                }
            } catch {
                setupError = error
                loop.requestShutdown()
            }
        }
        if let setupError { throw setupError }
        return outcomes
    }
}

/// The scanner's side of FCrDNS, for the CLI.
public enum SourceIdentity {
    /// The forward-confirmed name of `address`, or why there is none.
    public static func check(_ address: IPAddress, configuration: DNSClientConfiguration) throws -> FCrDNSOutcome {
        try FCrDNSCheck.blocking([address], configuration: configuration)[0]
    }

    /// The outcomes for several addresses, in their order; the lookups run at once.
    public static func check(_ addresses: [IPAddress], configuration: DNSClientConfiguration) throws -> [FCrDNSOutcome] {
        try FCrDNSCheck.blocking(addresses, configuration: configuration)
    }

    /// Why `address` cannot be a source address of this machine (EADDRNOTAVAIL: it
    /// is not one of its addresses), or nil when a socket binds to it. Binding a
    /// UDP socket to port 0 sends nothing.
    public static func bindFailure(_ address: IPAddress) -> UVError? {
        var failure: UVError?
        do {
            _ = try EventLoop.run { loop in
                do throws(UVError) {
                    let socket = try UDPSocket(on: loop)
                    defer { socket.close() }
                    try socket.bind(to: SocketAddress(ip: address, port: 0))
                } catch {
                    failure = error
                }
                loop.requestShutdown()
            }
        } catch {
            return error
        }
        return failure
    }

    /// The local address the kernel would use toward `destination` (no packet is sent:
    /// connecting a UDP socket only selects the route).
    public static func sourceAddress(toward destination: SocketAddress) throws -> IPAddress {
        var found: IPAddress?
        var failure: UVError?
        _ = try EventLoop.run { loop in
            do throws(UVError) {
                let socket = try UDPSocket(on: loop)
                try socket.connect(to: destination)
                found = try socket.localAddress().ip
                socket.close()
            } catch {
                failure = error
            }
            loop.requestShutdown()
        }
        if let failure { throw failure }
        guard let found else { throw UVError.handleClosed }
        return found
    }
}
