import MTAScanCore

/// `SMTPReplyParser` reading reply after reply (`reset()` between them, the
/// bytes after each reply carried to the next, as a pipelining client
/// would), with the payload cut where a control byte says, under caps
/// another control byte chooses.
///
/// Checks: the replies and the final failure do not depend on the cuts
/// (fed whole gives the same); `unconsumedByteCount` never exceeds the piece
/// just fed; a finished reply stays finished; a reply has 1...maxLines
/// lines, a code of 200...559, and took at most `maxReplyBytes`.
enum SMTPReplyTarget {
    static let target = FuzzTarget(
        name: "smtp-reply",
        summary: "SMTP reply parser: replies independent of cuts, unconsumed ≤ piece, caps hold"
    ) { input in
        var input = input
        let splits = input.splits()
        let caps = input.byte()
        let payload = input.rest
        let limits = caps & 1 == 0
            ? SMTPReplyLimits()
            : SMTPReplyLimits(maxLineBytes: 4 + Int(caps >> 4), maxLines: 1 + Int(caps >> 1 & 7), maxReplyBytes: 8 + Int(caps))

        let expected = replies(in: [payload[...]], limits: limits)
        let actual = replies(in: splits.pieces(of: payload), limits: limits)
        Invariant.require(actual == expected, "replies depend on the cuts:\n\(actual)\n\(expected)")
    }

    /// Every outcome the parser reaches over `pieces`, in order: each
    /// `.complete` reply, then a final `.failed` if one came.
    private static func replies(in pieces: [ArraySlice<UInt8>], limits: SMTPReplyLimits) -> [SMTPReplyProgress] {
        var parser = SMTPReplyParser(limits: limits)
        var outcomes: [SMTPReplyProgress] = []
        var consumedInReply = 0
        for piece in pieces {
            var pending = piece
            while !pending.isEmpty {
                let progress = parser.feed(pending)
                switch progress {
                case .needMore:
                    consumedInReply += pending.count
                    pending = []
                case .failed:
                    Invariant.require(parser.feed(pending) == progress, "a failure did not stay")
                    outcomes.append(progress)
                    return outcomes
                case .complete(let reply):
                    let unconsumed = parser.unconsumedByteCount
                    Invariant.require(unconsumed <= pending.count, "unconsumed \(unconsumed) of \(pending.count) fed")
                    consumedInReply += pending.count - unconsumed
                    Invariant.require(consumedInReply <= limits.maxReplyBytes, "reply of \(consumedInReply) bytes")
                    Invariant.require(
                        (1...limits.maxLines).contains(reply.lines.count), "reply of \(reply.lines.count) lines")
                    Invariant.require((200...559).contains(reply.code), "code \(reply.code)")
                    Invariant.require(parser.feed(pending) == progress, "a complete reply did not stay")
                    outcomes.append(progress)
                    parser.reset()
                    consumedInReply = 0
                    pending = pending.suffix(unconsumed)
                }
            }
        }
        return outcomes
    }
}
