import MTAScanCore

/// Messages as one mbox file for review in a mail client (`notify render`):
/// the mboxrd format (a `From ` separator line per message, and `>` added
/// before any body line that begins with `>*From `), LF line ends as mbox
/// files have them.
public enum Mbox {
    public static func entry(_ message: MailMessage, envelopeFrom: String, date: Int64) -> [UInt8] {
        var text = "From \(envelopeFrom) \(asctime(date))\n"
        let lines = String(decoding: message.bytes, as: UTF8.self).replacing("\r\n", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines.dropLast(lines.last == "" ? 1 : 0) {
            if line.drop(while: { $0 == ">" }).hasPrefix("From ") { text += ">" }
            text += line + "\n"
        }
        return Array((text + "\n").utf8)
    }

    /// `Fri Dec  4 16:30:00 2026`, UTC: the date of an mbox separator line.
    static func asctime(_ seconds: Int64) -> String {
        // From "Fri, 04 Dec 2026 16:30:00 +0000".
        let parts = UnixTime.rfc5322(seconds).split(separator: " ")
        guard parts.count == 6 else { return "Thu Jan  1 00:00:00 1970" }
        let day = parts[1].hasPrefix("0") ? " " + parts[1].dropFirst() : String(parts[1])
        return "\(parts[0].dropLast()) \(parts[2]) \(day) \(parts[4]) \(parts[3])"
    }
}
