/// What a known provider does for a domain, which decides which names it is
/// matched against (docs/providers.md).
public enum ProviderKind: String, Sendable, Hashable, CaseIterable {
    /// Serves `https://mta-sts.<domain>/…` for its customers: matched against the
    /// CNAME targets of `mta-sts.<domain>` (or the name itself without a CNAME).
    case policyHost = "policy-host"
    /// Receives the domain's mail: matched against MX host names.
    case mail
}

/// One catalogue line: names equal to `suffix` or below it (on a label
/// boundary) belong to `provider`.
public struct ProviderEntry: Sendable, Hashable {
    public let kind: ProviderKind
    /// Lower-case, no trailing dot.
    public let suffix: String
    /// Stable kebab-case id, e.g. `google`, `microsoft-365`, `mailhardener`.
    public let provider: String

    /// Validates and normalises; nil for a suffix that is not a domain name or an id that is not kebab-case.
    public init?(kind: ProviderKind, suffix: String, provider: String) {
        guard let name = DomainName(suffix), ProviderEntry.isValidID(provider) else { return nil }
        self.kind = kind
        self.suffix = name.text
        self.provider = provider
    }

    /// `[a-z0-9]+(-[a-z0-9]+)*`, at most 63 characters: ids are column values
    /// researchers group by, so they stay plain.
    public static func isValidID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty, bytes.count <= 63, bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
            return false
        }
        var previousHyphen = false
        for byte in bytes {
            if byte == UInt8(ascii: "-") {
                if previousHyphen { return false }
                previousHyphen = true
            } else {
                guard ASCII.isDigit(byte) || (byte &- 0x61 < 26) else { return false }
                previousHyphen = false
            }
        }
        return true
    }
}
