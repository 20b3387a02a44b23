import MTAScanCore

/// Sends a probe request to the desk that owns its destination IP and brings
/// the answer back to the loop that asked.
struct ProbeRouter: Sendable {
    let group: EventLoopGroup
    let desks: [LoopBound<ProbeDesk>]

    private func desk(for address: SocketAddress) -> LoopBound<ProbeDesk>? {
        let loop = group.loop(for: address)
        return desks.first { $0.value.loop === loop }
    }

    /// Called on `origin`; `completion` runs on `origin`.
    func policy(_ key: ProbeKey, from origin: EventLoop,
                _ completion: @escaping (ScheduledOutcome<PolicyFetchResult>) -> Void) {
        guard let desk = desk(for: key.address) else { return completion(.excluded) }
        let back = LoopBound(completion)
        _ = desk.value.loop.execute {
            desk.value.requestPolicy(key) { outcome in _ = origin.execute { back.value(outcome) } }
        }
    }

    func mx(_ key: ProbeKey, from origin: EventLoop,
            _ completion: @escaping (ScheduledOutcome<STARTTLSProbeResult>) -> Void) {
        guard let desk = desk(for: key.address) else { return completion(.excluded) }
        let back = LoopBound(completion)
        _ = desk.value.loop.execute {
            desk.value.requestMX(key) { outcome in _ = origin.execute { back.value(outcome) } }
        }
    }
}
