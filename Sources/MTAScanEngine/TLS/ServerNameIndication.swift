/// The host name a client puts in the server_name extension (RFC 6066 §3):
/// a DNS host name in ASCII, "without a trailing dot", and never an IP address
/// literal. Names that cannot be sent as they are get no SNI at all rather
/// than a mangled one; their certificate check fails on its own.
enum ServerNameIndication {
    static let maxLength = 253

    /// The name to send, or nil when `host` is not a sendable host name.
    static func wireName(for host: String) -> String? {
        var bytes = Array(host.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= maxLength else { return nil }
        var labelLength = 0
        var labelsAllDigits = true
        var labelIsDigits = true
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard labelLength > 0 else { return nil }
                labelsAllDigits = labelsAllDigits && labelIsDigits
                labelLength = 0
                labelIsDigits = true
                continue
            }
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let isLetter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            guard isDigit || isLetter || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") else { return nil }
            labelIsDigits = labelIsDigits && isDigit
            labelLength += 1
            guard labelLength <= 63 else { return nil }
        }
        guard labelLength > 0 else { return nil }
        // All-numeric labels throughout: an IPv4 literal (IPv6 has `:`, refused above).
        if labelsAllDigits && labelIsDigits { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
