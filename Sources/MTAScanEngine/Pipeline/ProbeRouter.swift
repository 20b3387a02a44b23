import MTAScanCore

/// Sends a probe request to the desk that owns its destination IP and brings
/// the answer back to the loop that asked.
struct ProbeRouter: Sendable {
    let group: EventLoopGroup
    let desks: [LoopBound<ProbeDesk>]

    /// Called on `origin`; `completion` runs on `origin`.
    func policy(_ key: ProbeKey, from origin: EventLoop,
                _ completion: @escaping (ScheduledOutcome<PolicyFetchResult>) -> Void) {
        route(key, from: origin, via: { $0.requestPolicy($1, $2) }, completion)
    }

    func mx(_ key: ProbeKey, from origin: EventLoop,
            _ completion: @escaping (ScheduledOutcome<STARTTLSProbeResult>) -> Void) {
        route(key, from: origin, via: { $0.requestMX($1, $2) }, completion)
    }

    func reportEndpoint(_ key: ProbeKey, from origin: EventLoop,
                        _ completion: @escaping (ScheduledOutcome<PolicyFetchResult>) -> Void) {
        route(key, from: origin, via: { $0.requestReportEndpoint($1, $2) }, completion)
    }

    private func route<Result: Sendable>(
        _ key: ProbeKey, from origin: EventLoop,
        via request: @escaping @Sendable (ProbeDesk, ProbeKey, @escaping (ScheduledOutcome<Result>) -> Void) -> Void,
        _ completion: @escaping (ScheduledOutcome<Result>) -> Void
    ) {
        let loop = group.loop(for: key.address)
        guard let desk = desks.first(where: { $0.value.loop === loop }) else { return completion(.excluded) }
        let back = LoopBound(completion)
        _ = desk.value.loop.execute {
            request(desk.value, key) { outcome in _ = origin.execute { back.value(outcome) } }
        }
    }
}
