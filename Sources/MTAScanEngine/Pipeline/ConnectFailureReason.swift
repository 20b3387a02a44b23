/// The `reason` of a `policy-tcp` / `mx-tcp` finding: a stable kebab-case word
/// for the failures the vocabulary names (refused, timeout, unreachable), the
/// errno name in lower case for anything rarer.
enum ConnectFailureReason {
    static func of(_ error: UVError) -> String {
        switch error.name {
        case "ECONNREFUSED": "refused"
        case "ETIMEDOUT": "timeout"
        case "EHOSTUNREACH", "ENETUNREACH": "unreachable"
        case "ECONNRESET": "reset"
        case "EADDRNOTAVAIL": "source-address-unavailable"
        case let name: name.lowercased()
        }
    }

    /// A setup failure before any packet (a bad source address, no TLS session) keeps its own words.
    static func of(_ error: any Error) -> String {
        (error as? UVError).map(of) ?? String(describing: error)
    }
}
