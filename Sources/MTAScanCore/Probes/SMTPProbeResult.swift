/// A step of the STARTTLS probe: the reply mtascan waits for.
public enum SMTPProbeStage: String, Sendable, CaseIterable {
    /// The server's greeting (RFC 5321 §4.3.1: 220).
    case banner
    /// The reply to EHLO (250).
    case ehlo
    /// The reply to HELO, after EHLO got a 5yz (250).
    case helo
    /// The reply to STARTTLS (RFC 3207 §4: 220).
    case starttls
    /// The TLS handshake, done by the engine.
    case tls
    /// The reply to QUIT (221).
    case quit
}

/// Why the probe did not end with TLS established, or what went wrong after.
public struct SMTPProbeFailure: Sendable, Equatable {
    /// Stable kebab-case, reported as the `reason` detail.
    public enum Reason: String, Sendable, CaseIterable {
        /// The engine's timer for the stage ran out.
        case timeout
        /// The server closed the connection.
        case closed
        /// The connection broke: the server reset it (RST), so a read failed or
        /// a write found the peer gone; the engine's `error` detail names the
        /// system error (`econnreset`, `epipe`, ...).
        case reset
        /// A 4yz reply, "Transient Negative Completion" (RFC 5321 §4.2.1):
        /// greylisting, load, a temporary block.
        case temporary
        /// A 5yz reply, "Permanent Negative Completion".
        case permanent
        /// A 2yz or 3yz reply other than the one the stage expects (a banner of 250, EHLO answered with 354).
        case unexpectedCode = "unexpected-code"
        /// Bytes that are not an SMTP reply (RFC 5321 §4.2); detail `problem`.
        case malformed
        /// A reply over `SMTPReplyLimits`; detail `problem`.
        case tooLong = "too-long"
        /// Bytes after a complete reply, sent before mtascan's next command.
        /// mtascan never pipelines, so no reply was due (RFC 5321 §4.3.1,
        /// RFC 2920 §3.2): the server talks out of turn.
        case unexpectedData = "unexpected-data"
        /// The server accepted EHLO without announcing STARTTLS, or accepted
        /// only HELO, with which no extension can be announced (RFC 3207 §4).
        case notAdvertised = "not-advertised"
        /// Stage `tls`: the engine reported the handshake failed.
        case handshake
    }

    public var stage: SMTPProbeStage
    public var reason: Reason
    /// The reply code, when a reply caused the failure.
    public var code: Int?
    /// The first line of that reply's text, cut to `SMTPProbeResult.maxTextBytes`.
    public var text: String?
    /// For `malformed` and `too-long`: what the reply parser found.
    public var problem: SMTPReplyFailure?

    public init(
        stage: SMTPProbeStage, reason: Reason, code: Int? = nil, text: String? = nil, problem: SMTPReplyFailure? = nil
    ) {
        self.stage = stage
        self.reason = reason
        self.code = code
        self.text = text
        self.problem = problem
    }

    /// The finding this failure means for the MX host, or nil when it is
    /// another layer's to report:
    ///
    /// | stage | reason | finding |
    /// |---|---|---|
    /// | `ehlo`, `helo` | `not-advertised` | `mx-no-starttls` |
    /// | `starttls` | `temporary`, `permanent`, `unexpected-code` (STARTTLS refused) | `mx-no-starttls` |
    /// | `banner`, `ehlo`, `helo`, `starttls` | any other (`timeout`, `closed`, `reset`, `temporary` — greylisting —, `permanent`, `unexpected-code`, `malformed`, `too-long`, `unexpected-data`) | `mx-smtp` |
    /// | `tls` | any | none: the engine reports `mx-tls` with the handshake's own reason |
    /// | `quit` | any | none: STARTTLS was tested; a sloppy goodbye harms no delivery |
    ///
    /// `mx-tcp` (no connection) never reaches the machine.
    public var findingCode: FindingCode? {
        switch (stage, reason) {
        case (.tls, _), (.quit, _):
            return nil
        case (_, .notAdvertised), (.starttls, .temporary), (.starttls, .permanent), (.starttls, .unexpectedCode):
            return .mxNoStartTLS
        default:
            return .mxSMTP
        }
    }

    /// The finding with details `stage`, `reason`, and `reply_code`,
    /// `reply_text`, `problem` when known (`code` is the finding's own key).
    /// The engine adds the host and address.
    public var finding: Finding? {
        guard let findingCode else { return nil }
        var details: JSONObject = ["stage": .string(stage.rawValue), "reason": .string(reason.rawValue)]
        if let code { details["reply_code"] = .int(code) }
        if let text { details["reply_text"] = .string(text) }
        if let problem { details["problem"] = .string(problem.rawValue) }
        return Finding(findingCode, details: details)
    }
}

/// Everything the STARTTLS probe of one MX address learned.
public struct SMTPProbeResult: Sendable, Equatable {
    /// The banner's text (its lines joined by LF) is cut to this many bytes.
    public static let maxBannerBytes = 512
    /// A failing reply's text is cut to this many bytes.
    public static let maxTextBytes = 256

    /// One reply awaited: its stage and code, nil if none came (timeout,
    /// close, bytes that were no reply).
    public struct Step: Sendable, Equatable {
        public var stage: SMTPProbeStage
        public var code: Int?

        public init(_ stage: SMTPProbeStage, _ code: Int?) {
            self.stage = stage
            self.code = code
        }
    }

    /// The banner's text, whatever its code; nil if none was read.
    public var banner: String?
    /// From the EHLO reply, if EHLO was accepted.
    public var capabilities: SMTPCapabilities?
    public var startTLSAdvertised = false
    /// EHLO was refused with a 5yz and HELO was tried.
    public var usedHELO = false
    /// The engine reported a completed TLS handshake after STARTTLS.
    public var tlsEstablished = false
    /// Every step in order, including the TLS handshake (code nil) and QUIT.
    public var steps: [Step] = []
    /// The first thing that went wrong; nil when the probe ended with TLS and a 221.
    public var failure: SMTPProbeFailure?
    /// Some reply line ended in a bare LF (RFC 5321 §2.3.8 requires CRLF).
    public var sawBareLF = false
    /// The server sent bytes after its 220 to STARTTLS, before the handshake.
    /// They were discarded, never read as if TLS protected them (RFC 3207
    /// §4.2: nothing learnt before TLS may be trusted). A broken server, or
    /// something in the path injecting plaintext.
    public var plaintextAfterSTARTTLS = false

    public init() {}

    /// `mx-smtp` or `mx-no-starttls`, or nil (see `SMTPProbeFailure.findingCode`).
    public var finding: Finding? { failure?.finding }
}
