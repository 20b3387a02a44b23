/// An address as it goes into `MAIL FROM:<…>` and `RCPT TO:<…>` (RFC 5321
/// §4.1.2 `Path`): `local@domain`, printable ASCII only, no spaces, angle
/// brackets or quotes. Stricter than the grammar on purpose: a campaign's
/// addresses come from scanned records (`rua` mailto URIs), and whatever
/// does not pass here cannot reach a command line, so a crafted address
/// cannot inject a second command. SMTPUTF8 is not spoken.
public struct MailPath: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    /// RFC 5321 §4.5.3.1: local part ≤ 64 octets, domain ≤ 255, path ≤ 256.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard (3...254).contains(bytes.count),
              let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1, at <= 64,
              bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !"<>\"\\()[],;:".utf8.contains($0) }),
              DomainName(String(decoding: bytes[(at + 1)...], as: UTF8.self)) != nil
        else { return nil }
        self.text = text
    }

    /// The part after the last `@` (checked as a domain name by `init`).
    public var domain: String { text.split(separator: "@").last.map(String.init) ?? "" }
    public var description: String { text }
}
