/// A response code (RFC 1035 §4.1.1, extended to 12 bits by EDNS, RFC 6891 §6.1.3).
public enum DNSResponseCode: Sendable, Hashable, CustomStringConvertible {
    case noError
    case formErr
    case servFail
    case nxDomain
    case notImp
    case refused
    /// Any other code, as on the wire (with EDNS, the 12-bit extended value).
    case other(UInt16)

    public init(rawValue: UInt16) {
        switch rawValue {
        case 0: self = .noError
        case 1: self = .formErr
        case 2: self = .servFail
        case 3: self = .nxDomain
        case 4: self = .notImp
        case 5: self = .refused
        default: self = .other(rawValue)
        }
    }

    public var rawValue: UInt16 {
        switch self {
        case .noError: 0
        case .formErr: 1
        case .servFail: 2
        case .nxDomain: 3
        case .notImp: 4
        case .refused: 5
        case .other(let code): code
        }
    }

    /// The IANA mnemonic, or `RCODE<n>`: a stable label for output and metrics.
    public var description: String {
        switch self {
        case .noError: "NOERROR"
        case .formErr: "FORMERR"
        case .servFail: "SERVFAIL"
        case .nxDomain: "NXDOMAIN"
        case .notImp: "NOTIMP"
        case .refused: "REFUSED"
        case .other(let code): "RCODE\(code)"
        }
    }
}
