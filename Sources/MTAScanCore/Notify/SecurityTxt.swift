/// A `security.txt` file (RFC 9116), as `notify second-channel --security-txt`
/// reads it: who a domain wants security reports to go to, and until when
/// that holds (docs/notify.md, "The second channel").
///
/// Read: `Contact:` (one or more URIs, in order; `mailto:` ones are written
/// to, `https:` and others recorded only), `Expires:` (RFC 3339; exactly one,
/// required), other fields skipped; `#` comments; CRLF or LF; an OpenPGP
/// cleartext signature wrapper (RFC 4880 §7) is stripped, dash-escaping
/// undone, and the signature **not verified** (`signed` says there was one).
/// Bounded: at most `maxBytes` bytes and `maxLines` lines, each at most
/// `maxLineBytes`; anything larger is refused whole, as is text that is not UTF-8.
public struct SecurityTxt: Sendable, Equatable {
    public static let maxBytes = 32 * 1024
    public static let maxLines = 1000
    public static let maxLineBytes = 2048

    /// Every `Contact:` value, in order (RFC 9116 §2.5.3: the first is preferred).
    public var contacts: [String] = []
    /// The `Expires:` value as written, and as seconds since the epoch when it parses.
    public var expires: String?
    public var expiresAt: Int64?
    /// `Expires:` appeared more than once (RFC 9116 §2.5.5: MUST NOT).
    public var expiresRepeated = false
    /// Inside an OpenPGP cleartext signature (not verified).
    public var signed = false

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooLarge, tooManyLines, lineTooLong, notUTF8, badSignatureWrapper
        public var description: String {
            switch self {
            case .tooLarge: "larger than \(SecurityTxt.maxBytes) bytes"
            case .tooManyLines: "more than \(SecurityTxt.maxLines) lines"
            case .lineTooLong: "a line longer than \(SecurityTxt.maxLineBytes) bytes"
            case .notUTF8: "not UTF-8 text"
            case .badSignatureWrapper: "an OpenPGP signed message without its signature block"
            }
        }
    }

    public init() {}

    public static func parse(_ bytes: [UInt8]) throws(Failure) -> SecurityTxt {
        guard bytes.count <= maxBytes else { throw .tooLarge }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        guard lines.count <= maxLines else { throw .tooManyLines }
        guard lines.allSatisfy({ $0.utf8.count <= maxLineBytes }) else { throw .lineTooLong }
        var file = SecurityTxt()
        if let start = lines.firstIndex(where: { trimmed($0) == "-----BEGIN PGP SIGNED MESSAGE-----" }) {
            // Armor headers (`Hash: …`) up to the first blank line, then the text, dash-escaped, up to the signature.
            guard let blank = lines[(start + 1)...].firstIndex(where: { trimmed($0).isEmpty }),
                  let end = lines[(blank + 1)...].firstIndex(where: { trimmed($0) == "-----BEGIN PGP SIGNATURE-----" })
            else { throw .badSignatureWrapper }
            lines = lines[(blank + 1)..<end].map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }
            file.signed = true
        }
        for line in lines {
            let line = trimmed(line)
            guard !line.isEmpty, !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = trimmed(String(line[line.index(after: colon)...]))
            switch name {
            case "contact":
                if !value.isEmpty { file.contacts.append(value) }
            case "expires":
                if file.expires != nil { file.expiresRepeated = true }
                file.expires = value
                file.expiresAt = UnixTime.parseDateTime(value)
            default:
                continue   // Encryption, Policy, Preferred-Languages, …: not needed to write to a contact
            }
        }
        return file
    }

    /// The addresses of the `mailto:` contacts a campaign may write to at
    /// `now`, in order; or why none: no valid `Expires` (required), expired,
    /// or no `mailto:` contact (an `https:` form is recorded, not mailed).
    public func mailRecipients(at now: Int64) -> (addresses: [String], problem: String?) {
        guard let expires else { return ([], "no Expires field (RFC 9116 requires one): not used") }
        guard !expiresRepeated else { return ([], "Expires given more than once: not used") }
        guard let expiresAt else { return ([], "Expires \(expires) is no RFC 3339 date-time: not used") }
        guard expiresAt > now else { return ([], "expired \(expires): its contacts are not used") }
        var addresses: [String] = []
        for contact in contacts {
            guard let address = NoticeCandidate.mailtoAddress(contact).map({ $0.lowercased() }),
                  MailPath(address) != nil, !addresses.contains(address) else { continue }
            addresses.append(address)
        }
        guard !addresses.isEmpty else {
            let others = contacts.isEmpty ? "no Contact" : "no mailto: Contact (only \(contacts.joined(separator: ", ")))"
            return ([], "\(others): nothing to mail")
        }
        return (addresses, nil)
    }

    /// Without spaces, tabs and CRs at either end. One slice: rebuilding the
    /// string a character at a time through two reversals cost about 1.5 s
    /// per 32 KiB file under AddressSanitizer (the `security-txt` fuzz target).
    static func trimmed(_ text: String) -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !blank($0) }), let last = text.lastIndex(where: { !blank($0) })
        else { return "" }
        return String(text[first...last])
    }
}
