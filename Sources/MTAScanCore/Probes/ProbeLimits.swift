// The bounds of the probe parsers. Every byte a probe holds comes from a peer
// that may be hostile, so each buffer has a cap and every cap ends in a
// failure, never in memory growth. The defaults sit well above what real
// servers send and far below what would hurt a scanner holding thousands of
// connections at once.

/// Bounds of `HTTPResponseParser` beyond the body cap, which is given apart
/// because it is the caller's policy (RFC 8461 §3.3: 64 KiB for a policy).
public struct HTTPParserLimits: Sendable, Equatable {
    /// Status line plus header fields plus line breaks of one header section.
    /// RFC 9112 §2.3 leaves the size to the recipient; 16 KiB is what common
    /// servers accept for requests (nginx's default large buffer is 8 KiB).
    public var maxHeaderBytes: Int
    /// Header fields of one section.
    public var maxHeaderFields: Int
    /// 1xx interim responses skipped before the final one (RFC 9110 §15.2).
    /// A policy host has no reason to send any; a few are tolerated.
    public var maxInterimResponses: Int
    /// One chunk-size line with its extensions (RFC 9112 §7.1.1), which are skipped.
    public var maxChunkLineBytes: Int
    /// The trailer section of a chunked body (RFC 9112 §7.1.2), which is discarded.
    public var maxTrailerBytes: Int
    /// Trailer fields.
    public var maxTrailerFields: Int

    public init(
        maxHeaderBytes: Int = 16 * 1024,
        maxHeaderFields: Int = 100,
        maxInterimResponses: Int = 4,
        maxChunkLineBytes: Int = 1024,
        maxTrailerBytes: Int = 4 * 1024,
        maxTrailerFields: Int = 32
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderFields = maxHeaderFields
        self.maxInterimResponses = maxInterimResponses
        self.maxChunkLineBytes = maxChunkLineBytes
        self.maxTrailerBytes = maxTrailerBytes
        self.maxTrailerFields = maxTrailerFields
    }
}

/// Bounds of `SMTPReplyParser`.
public struct SMTPReplyLimits: Sendable, Equatable {
    /// One reply line including code and line break. RFC 5321 §4.5.3.1.5
    /// caps a reply line at 512 octets, and §4.5.3.1.6 a text line at 1000;
    /// real banners and EHLO lines overstep the first now and then, and
    /// senders read them anyway, so the cap is twice the larger figure.
    public var maxLineBytes: Int
    /// Lines of one reply. EHLO replies carry a dozen or two; banners with
    /// ASCII art a few dozen. An endless `220-` banner fails here.
    public var maxLines: Int
    /// All lines of one reply together.
    public var maxReplyBytes: Int

    public init(maxLineBytes: Int = 2000, maxLines: Int = 100, maxReplyBytes: Int = 32 * 1024) {
        self.maxLineBytes = maxLineBytes
        self.maxLines = maxLines
        self.maxReplyBytes = maxReplyBytes
    }
}
