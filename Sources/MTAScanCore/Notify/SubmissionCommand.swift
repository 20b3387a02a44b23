/// What the submission client sends, and only the submission client
/// (`SubmissionMachine`): the STARTTLS probe's `SMTPCommand` has no mail
/// transaction, and that type stays as it is. Addresses are `MailPath`s and
/// the EHLO name a `DomainName`, so no argument can carry a line break.
public enum SubmissionCommand: Sendable, Equatable {
    case ehlo(DomainName)
    case startTLS
    /// RFC 4954 §4 with RFC 4616: `AUTH PLAIN` and the initial response.
    case authPlain(user: String, password: String)
    /// `AUTH LOGIN` (draft-murchison-sasl-login), for relays without PLAIN;
    /// then the user name and the password, each base64 on a line of its own.
    case authLogin
    case authLoginUser(String)
    case authLoginPassword(String)
    case mailFrom(MailPath)
    case rcptTo(MailPath)
    case data
    /// The message, dot-stuffed, and the `.` line that ends it (RFC 5321 §4.5.2).
    case message([UInt8])
    case rset
    case quit

    public var bytes: [UInt8] {
        switch self {
        case .ehlo(let name): return Array("EHLO \(name.text)\r\n".utf8)
        case .startTLS: return Array("STARTTLS\r\n".utf8)
        case .authPlain(let user, let password):
            return Array("AUTH PLAIN ".utf8) + Base64.encode([0] + Array(user.utf8) + [0] + Array(password.utf8)) + [0x0D, 0x0A]
        case .authLogin: return Array("AUTH LOGIN\r\n".utf8)
        case .authLoginUser(let text), .authLoginPassword(let text): return Base64.encode(Array(text.utf8)) + [0x0D, 0x0A]
        case .mailFrom(let path): return Array("MAIL FROM:<\(path.text)>\r\n".utf8)
        case .rcptTo(let path): return Array("RCPT TO:<\(path.text)>\r\n".utf8)
        case .data: return Array("DATA\r\n".utf8)
        case .message(let message): return Self.dotStuffed(message)
        case .rset: return Array("RSET\r\n".utf8)
        case .quit: return Array("QUIT\r\n".utf8)
        }
    }

    /// For logs and the send log: never the credentials, never the message.
    public var logText: String {
        switch self {
        case .authPlain: return "AUTH PLAIN (credentials)"
        case .authLoginUser: return "(user name)"
        case .authLoginPassword: return "(password)"
        case .message(let bytes): return "(message, \(bytes.count) bytes)"
        default: return String(decoding: bytes.dropLast(2), as: UTF8.self)
        }
    }

    /// RFC 5321 §4.5.2: a line that starts with `.` gets another one, line
    /// ends become CRLF (a bare CR or LF is no line end in SMTP, §2.3.8, and
    /// relays treat them differently), the message ends with CRLF, and
    /// `.` CRLF follows.
    public static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            if byte == 0x0D || byte == 0x0A {
                // CRLF, a bare CR or a bare LF: one line end.
                if byte == 0x0D, index + 1 < message.count, message[index + 1] == 0x0A { index += 1 }
                output += [0x0D, 0x0A]
                atLineStart = true
            } else {
                if atLineStart && byte == UInt8(ascii: ".") { output.append(byte) }
                output.append(byte)
                atLineStart = false
            }
            index += 1
        }
        if !atLineStart { output += [0x0D, 0x0A] }
        return output + Array(".\r\n".utf8)
    }
}

/// RFC 4648 §4 base64, encoding only: what SMTP AUTH needs.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            let b0 = bytes[index], b1 = count > 1 ? bytes[index + 1] : 0, b2 = count > 2 ? bytes[index + 2] : 0
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            output.append(count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return output
    }
}
