/// What `HTTPResponseParser` made of the bytes so far.
public enum HTTPParseProgress: Sendable, Equatable {
    /// The response is not complete: feed more bytes, or call `finish()` when the peer closes.
    case needMore
    /// The final response. Bytes after it are ignored (the request says `Connection: close`).
    case complete(HTTPResponse)
    case failed(HTTPParseFailure)
}

/// Why a response could not be read, with as much of it as was read.
public struct HTTPParseFailure: Error, Sendable, Equatable {
    /// The stable kebab-case reason, reported as the `reason` detail of `policy-http`.
    public enum Reason: String, Sendable, CaseIterable {
        /// The peer closed before sending a byte.
        case noResponse = "no-response"
        /// The peer closed before the response was complete.
        case truncated
        /// Not `HTTP/1.x SP 3DIGIT [SP reason]` with a status of 100...599 (RFC 9112 §4).
        case malformedStatusLine = "malformed-status-line"
        /// A 101: the request asked for no protocol switch (RFC 9110 §15.2.2).
        case unexpectedUpgrade = "unexpected-upgrade"
        /// More 1xx interim responses than `HTTPParserLimits.maxInterimResponses`.
        case tooManyInterimResponses = "too-many-interim-responses"
        /// A field line that is not `token ":" OWS value OWS`, whitespace before
        /// the colon (RFC 9112 §5.1), or a control byte in a value (RFC 9110 §5.5).
        case malformedHeader = "malformed-header"
        /// A line starting with whitespace in the header section: `obs-fold`
        /// (RFC 9112 §5.2), or whitespace before the first field (§2.2).
        case obsFold = "obs-fold"
        /// The header section exceeds `HTTPParserLimits.maxHeaderBytes`.
        case headerTooLarge = "header-too-large"
        /// More fields than `HTTPParserLimits.maxHeaderFields`.
        case tooManyHeaders = "too-many-headers"
        /// A `Content-Length` that is not `1*DIGIT`, or several that differ (RFC 9112 §6.3 rule 5).
        case badContentLength = "bad-content-length"
        /// A `Transfer-Encoding` other than exactly `chunked`: the request sent no
        /// `TE`, so nothing else may be applied (RFC 9112 §7.4); or any
        /// `Transfer-Encoding` in an HTTP/1.0 response (RFC 9112 §6.1: faulty framing).
        case badTransferEncoding = "bad-transfer-encoding"
        /// Both `Transfer-Encoding` and `Content-Length`: RFC 9112 §6.3 rule 3 says
        /// this "ought to be handled as an error" (request smuggling, response splitting).
        case ambiguousLength = "ambiguous-length"
        /// A chunk-size line that is not `1*HEXDIG [chunk-ext]`, is longer than
        /// `HTTPParserLimits.maxChunkLineBytes`, or chunk data not followed by a line break.
        case badChunk = "bad-chunk"
        /// A malformed trailer field, or a trailer section over its limits.
        case badTrailer = "bad-trailer"
        /// The body exceeds the parser's `maxBodyBytes`; detected as soon as a
        /// `Content-Length` or chunk size announces it, or the bytes pass it.
        case bodyTooLarge = "body-too-large"
    }

    public var reason: Reason
    /// The status of the final response, if its status line was read
    /// (so a 404 with a broken body still reports 404).
    public var status: Int?
    /// The whole head, when the failure came after it (in the body or trailers).
    public var head: HTTPResponseHead?
    /// The announced `Content-Length` when `reason` is `body-too-large` and one was given.
    public var contentLength: Int?

    public init(_ reason: Reason, status: Int? = nil, head: HTTPResponseHead? = nil, contentLength: Int? = nil) {
        self.reason = reason
        self.status = status ?? head?.status
        self.head = head
        self.contentLength = contentLength
    }
}
