import MTAScanCore

/// A TLS session that cannot go on: the handshake (or a later record) failed.
/// Certificate problems are not failures of this kind; the handshake completes
/// and `TLSHandshakeOutcome.verificationFailures` lists them.
public struct TLSFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// `.alert` when the peer sent a fatal alert, otherwise `.protocol`.
    public let reason: TLSFailureReason
    /// The fatal alert the peer sent, if that is how the session ended.
    public let alert: TLSAlert?
    /// OpenSSL's error queue for this failure, oldest (usually the cause) first.
    public let errors: [OpenSSLErrorEntry]
    /// One line for people: OpenSSL's reason string, or what we saw when the
    /// library had nothing to say (the peer closed the stream mid-handshake).
    public let message: String

    public init(reason: TLSFailureReason, alert: TLSAlert? = nil, errors: [OpenSSLErrorEntry] = [], message: String) {
        self.reason = reason
        self.alert = alert
        self.errors = errors
        self.message = message
    }

    public var description: String {
        if let alert { return "\(reason.rawValue): \(alert.name) (\(message))" }
        return "\(reason.rawValue): \(message)"
    }

    /// Detail fields for a `policy-tls` / `mx-tls` finding:
    /// `reason`, `alert` and `alert_code` for alerts, `error` (OpenSSL's text).
    public var details: JSONObject {
        var object = JSONObject()
        object["reason"] = .string(reason.rawValue)
        if let alert {
            object["alert"] = .string(alert.name)
            object["alert_code"] = .int(Int(alert.code))
        }
        object["error"] = .string(message)
        return object
    }
}
