import MTAScanCore

/// One reason the peer's certificate is not PKIX-valid for the name we asked for.
/// A certificate can have several (self-signed and expired and for another
/// name); `TLSHandshakeOutcome.verificationFailures` lists them all, most
/// important first.
public struct TLSVerificationFailure: Sendable, Equatable, CustomStringConvertible {
    public let reason: TLSFailureReason
    /// OpenSSL's `X509_V_ERR_*` code; nil for the name check, which is ours.
    public let verifyError: Int?
    /// OpenSSL's text for `verifyError` ("certificate has expired"), or ours.
    public let message: String
    /// Position in the verified chain the error is about: 0 is the leaf.
    public let depth: Int?

    public init(reason: TLSFailureReason, verifyError: Int? = nil, message: String, depth: Int? = nil) {
        self.reason = reason
        self.verifyError = verifyError
        self.message = message
        self.depth = depth
    }

    public var description: String {
        var text = reason.rawValue + ": " + message
        if let depth { text += " (depth \(depth))" }
        return text
    }

    public func json() -> JSONValue {
        var object = JSONObject()
        object["reason"] = .string(reason.rawValue)
        object["error"] = .string(message)
        object["verify_error"] = verifyError.map { .int($0) } ?? .null
        object["depth"] = depth.map { .int($0) } ?? .null
        return .object(object)
    }
}
