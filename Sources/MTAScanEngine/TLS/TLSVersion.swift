/// A TLS protocol version: a configured bound or the version a handshake
/// negotiated. A struct over the wire value (RFC 8446 §4.2.1: 0x0301 is TLS 1.0,
/// 0x0304 TLS 1.3) rather than an enum, so that whatever a library reports can
/// be recorded without a trap or a lossy "unknown".
public struct TLSVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let wireValue: UInt16

    public init(wireValue: UInt16) { self.wireValue = wireValue }

    public static let tls1_0 = TLSVersion(wireValue: 0x0301)
    public static let tls1_1 = TLSVersion(wireValue: 0x0302)
    public static let tls1_2 = TLSVersion(wireValue: 0x0303)
    public static let tls1_3 = TLSVersion(wireValue: 0x0304)

    /// `TLSv1.0` … `TLSv1.3` (OpenSSL writes TLS 1.0 as `TLSv1`; the minor
    /// number is kept here so that the four names sort and compare alike).
    public var name: String {
        switch wireValue {
        case 0x0300: return "SSLv3"
        case 0x0301...0x0304: return "TLSv1.\(wireValue - 0x0301)"
        default: return "0x" + String(wireValue, radix: 16)
        }
    }

    public var description: String { name }

    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool { lhs.wireValue < rhs.wireValue }
}
