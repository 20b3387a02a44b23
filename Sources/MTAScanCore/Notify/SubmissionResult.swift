/// Where a submission dialogue was when something happened (stable kebab-case,
/// recorded in the campaign's send log).
public enum SubmissionStage: String, Sendable, Equatable, CaseIterable {
    case banner, ehlo, starttls, tls
    case ehloTLS = "ehlo-tls"
    case auth
    case authUser = "auth-user"
    case authPassword = "auth-password"
    case mail, rcpt, data
    /// The message and its final `.` were sent; the relay's reply to them is awaited.
    case endOfData = "end-of-data"
    case rset, quit
}

/// Why a submission failed (stable kebab-case).
public struct SubmissionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, Equatable {
        case closed, reset, timeout
        /// Bytes that are no SMTP reply, or a reply too long.
        case malformed
        /// Bytes after a reply before the next command (nothing is pipelined).
        case unexpectedData = "unexpected-data"
        /// The relay does not offer STARTTLS: nothing is sent in clear, credentials least of all.
        case noSTARTTLS = "no-starttls"
        /// The handshake failed or the certificate is not valid for the relay's name.
        case tls
        /// Neither PLAIN nor LOGIN is offered after STARTTLS.
        case noAuthMechanism = "no-auth-mechanism"
        /// 535 and friends: wrong credentials, or AUTH refused.
        case authRejected = "auth-rejected"
        /// A 4yz reply: try again later.
        case temporary
        /// A 5yz reply.
        case permanent
        case unexpectedCode = "unexpected-code"
    }

    public var stage: SubmissionStage
    public var reason: Reason
    public var code: Int?
    /// The first line of the reply, or the engine's explanation (TLS).
    public var text: String?

    public init(stage: SubmissionStage, reason: Reason, code: Int? = nil, text: String? = nil) {
        self.stage = stage
        self.reason = reason
        self.code = code
        self.text = text
    }

    /// Whether the same message may go through on a later attempt unchanged.
    public var isTemporary: Bool {
        switch reason {
        case .closed, .reset, .timeout, .temporary: return true
        case .authRejected: return code.map { (400...499).contains($0) } ?? false
        default: return false
        }
    }

    public var description: String {
        var text = "\(stage.rawValue): \(reason.rawValue)"
        if let code { text += " \(code)" }
        if let reply = self.text { text += " \(reply)" }
        return text
    }
}

/// How a submission ended.
public struct SubmissionResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The relay took the message: 250 to the end of DATA. `queueID` from
        /// Postfix-style `queued as ID` text, when the reply has one.
        case accepted(queueID: String?, reply: String)
        /// `--dry-run`: every recipient accepted, then RSET; DATA never sent.
        case dryRun
        case failed(SubmissionFailure)
    }

    public var outcome: Outcome
    /// The message was sent in full but the relay's verdict never came (the
    /// connection broke or timed out at `end-of-data`): the relay may have
    /// queued it (RFC 1047). The caller must not send it again without care.
    public var uncertain: Bool
    /// The commands sent and the reply codes, for the log (credentials redacted).
    public var transcript: [String]

    public init(outcome: Outcome, uncertain: Bool = false, transcript: [String] = []) {
        self.outcome = outcome
        self.uncertain = uncertain
        self.transcript = transcript
    }

    /// `250 2.0.0 Ok: queued as 4Xk1bq2Z3Rz9` → `4Xk1bq2Z3Rz9`.
    public static func queueID(in reply: String) -> String? {
        let parts = reply.split(separator: "queued as ", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let id = parts[1].prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return id.isEmpty ? nil : String(id.prefix(64))
    }
}
