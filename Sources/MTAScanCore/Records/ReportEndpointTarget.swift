/// Where a usable TLS-RPT `rua` URI (RFC 8460 §3) sends its reports, as far as
/// a reachability check needs it: the mail domain of a `mailto:` URI, or the
/// host, port and request target of an `https:` URI.
///
/// Only URIs that `ReportURI` accepted get here, so the syntax is known good;
/// what this adds is the split. A `mailto:` URI with several addresses
/// (`%2C`-separated, RFC 6068) is checked by its first address only; an
/// address literal or an IP-literal host has nothing to look up and is left
/// unchecked (`target` nil).
public struct ReportEndpointTarget: Sendable, Hashable {
    public enum Scheme: String, Sendable, Hashable {
        case mailto
        case https
    }

    public var scheme: Scheme
    /// The mail domain (`mailto:`) or the host (`https:`), normalised.
    public var host: DomainName
    /// `https:` only: 443 unless the URI names another port.
    public var port: Int
    /// `https:` only: path and query as sent in the request line (`/` when empty).
    public var requestTarget: String

    public init(scheme: Scheme, host: DomainName, port: Int, requestTarget: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.requestTarget = requestTarget
    }

    /// The de-duplication key: two URIs with the same key get the same answer
    /// (`mailto:a@x` and `mailto:b@x` share the domain `x`).
    public var key: String {
        switch scheme {
        case .mailto: return "mailto:" + host.text
        case .https: return "https://\(host.text):\(port)\(requestTarget)"
        }
    }

    /// Longest request target sent; a longer one is left unchecked rather
    /// than sent cut (a different URL) or whole (a hostile record's megabyte).
    public static let maxRequestTargetBytes = 1024

    /// The target of a usable rua URI; nil when there is nothing to look up
    /// (an address literal, an IP-literal host, a %-encoded domain).
    public static func parse(_ uri: String) -> ReportEndpointTarget? {
        let bytes = Array(uri.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let scheme = String(decoding: bytes[..<colon].map(ASCII.lower), as: UTF8.self)
        let rest = bytes[(colon + 1)...]
        switch scheme {
        case "mailto": return mailto(rest)
        case "https": return https(rest)
        default: return nil
        }
    }

    /// `mailto:local@domain[%2C...][?hfields]`: the domain of the first address.
    private static func mailto(_ rest: ArraySlice<UInt8>) -> ReportEndpointTarget? {
        let to = rest.prefix { $0 != UInt8(ascii: "?") }
        // The first address ends at the first encoded comma after its `@`.
        guard let at = to.firstIndex(of: UInt8(ascii: "@")) else { return nil }
        var end = at + 1
        while end < to.endIndex {
            if to[end] == UInt8(ascii: "%"), end + 2 < to.endIndex, to[end + 1] == UInt8(ascii: "2"),
               to[end + 2] | 0x20 == UInt8(ascii: "c") {
                break
            }
            end += 1
        }
        let domain = to[(at + 1)..<end]
        // An address literal or a %-encoded domain: nothing a resolver is asked for here.
        guard !domain.contains(UInt8(ascii: "[")), !domain.contains(UInt8(ascii: "%")),
              case .success(let name) = DomainName.parse(bytes: domain) else { return nil }
        return ReportEndpointTarget(scheme: .mailto, host: name, port: 25, requestTarget: "")
    }

    /// `https://[userinfo@]host[:port][/path][?query][#fragment]`.
    private static func https(_ rest: ArraySlice<UInt8>) -> ReportEndpointTarget? {
        guard rest.count >= 2, rest.first == UInt8(ascii: "/"), rest.dropFirst().first == UInt8(ascii: "/") else {
            return nil
        }
        let afterSlashes = rest.dropFirst(2)
        let authorityEnd = afterSlashes.firstIndex {
            $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
        } ?? afterSlashes.endIndex
        var authority = afterSlashes[..<authorityEnd]
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[(at + 1)...] }
        guard authority.first != UInt8(ascii: "[") else { return nil }
        let colon = authority.firstIndex(of: UInt8(ascii: ":")) ?? authority.endIndex
        let hostBytes = authority[..<colon]
        // A dotted quad is an address, not a name: nothing to resolve.
        guard !hostBytes.allSatisfy({ ASCII.isDigit($0) || $0 == UInt8(ascii: ".") }),
              case .success(let host) = DomainName.parse(bytes: hostBytes) else { return nil }
        var port = 443
        let digits = authority[colon...].dropFirst()
        if !digits.isEmpty {
            guard digits.count <= 5, digits.allSatisfy(ASCII.isDigit) else { return nil }
            port = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard (1...65535).contains(port) else { return nil }
        }
        var target = afterSlashes[authorityEnd...].prefix { $0 != UInt8(ascii: "#") }
        if target.first == UInt8(ascii: "?") || target.isEmpty { target = ArraySlice([UInt8(ascii: "/")] + target) }
        guard target.count <= maxRequestTargetBytes else { return nil }
        return ReportEndpointTarget(scheme: .https, host: host, port: port,
                                    requestTarget: String(decoding: target, as: UTF8.self))
    }
}
