/// Every command mtascan can send to a mail server, and there are only these.
///
/// mtascan measures whether STARTTLS works; it never delivers mail. There is
/// deliberately no `MAIL`, `RCPT`, `DATA`, `BDAT`, `VRFY`, `EXPN` or `RSET`
/// case, and `SMTPProbeMachine.Action.send` carries an `SMTPCommand`, not
/// bytes: no state, input or bug of the machine can make it start a mail
/// transaction, because the type has no way to say one.
public enum SMTPCommand: Sendable, Equatable {
    /// RFC 5321 §4.1.1.1.
    case ehlo(DomainName)
    /// RFC 5321 §4.1.1.1, for servers that refuse EHLO.
    case helo(DomainName)
    /// RFC 3207 §4.
    case startTLS
    /// RFC 5321 §4.1.1.10.
    case quit

    public var verb: String {
        switch self {
        case .ehlo: return "EHLO"
        case .helo: return "HELO"
        case .startTLS: return "STARTTLS"
        case .quit: return "QUIT"
        }
    }

    /// The command line with its CRLF. A `DomainName` holds only letters,
    /// digits, `-`, `_` and dots, so nothing can be injected.
    public var bytes: [UInt8] {
        switch self {
        case .ehlo(let name), .helo(let name):
            return Array("\(verb) \(name.text)\r\n".utf8)
        case .startTLS, .quit:
            return Array("\(verb)\r\n".utf8)
        }
    }
}
