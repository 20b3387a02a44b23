import MTAScanCore

/// `HTTPResponseParser` fed the payload in the pieces a control byte
/// chooses, then `finish()` as the peer's close, under caps another control
/// byte chooses (small caps reach every limit branch quickly).
///
/// Checks: the outcome does not depend on where the bytes were cut (fed
/// whole gives the same); a result once `.complete` or `.failed` stays so
/// whatever is fed after; a body is never longer than the bytes fed nor than
/// `maxBodyBytes`; a status is 100...599.
enum HTTPResponseTarget {
    static let target = FuzzTarget(
        name: "http-response",
        summary: "HTTP response parser: split-invariant, sticky end, body ≤ bytes fed and ≤ cap"
    ) { input in
        var input = input
        let splits = input.splits()
        let caps = input.byte()
        let payload = input.rest
        let makeParser = { () -> HTTPResponseParser in
            guard caps & 1 == 1 else { return HTTPResponseParser() }
            // Small caps, all from one byte: body 0...127, header 32...(32 + 4 × 127).
            let scale = Int(caps >> 1)
            return HTTPResponseParser(
                maxBodyBytes: scale,
                limits: HTTPParserLimits(
                    maxHeaderBytes: 32 + 4 * scale, maxHeaderFields: 1 + scale % 8, maxInterimResponses: scale % 3,
                    maxChunkLineBytes: 1 + scale % 16, maxTrailerBytes: 8 + scale, maxTrailerFields: scale % 4))
        }

        var whole = makeParser()
        var expected = whole.feed(payload)
        if expected == .needMore { expected = whole.finish() }

        var parser = makeParser()
        var progress = HTTPParseProgress.needMore
        for piece in splits.pieces(of: payload) {
            let next = parser.feed(piece)
            if progress != .needMore {
                Invariant.require(next == progress, "a finished parse changed after more bytes")
            }
            progress = next
        }
        if progress == .needMore { progress = parser.finish() }
        Invariant.require(progress == expected, "outcome depends on the split:\n\(progress)\n\(expected)")
        Invariant.require(parser.finish() == progress, "finish() after the end changed the outcome")

        switch progress {
        case .complete(let response):
            Invariant.require(response.body.count <= payload.count, "body longer than the bytes fed")
            Invariant.require(response.body.count <= parser.maxBodyBytes, "body over its cap")
            Invariant.require((100...599).contains(response.status), "status \(response.status)")
            _ = response.contentType  // the Content-Type parser reads header values too
        case .failed(let failure):
            if let status = failure.status { Invariant.require((100...599).contains(status), "status \(status)") }
        case .needMore:
            Invariant.require(false, "needMore after finish()")
        }
    }
}
