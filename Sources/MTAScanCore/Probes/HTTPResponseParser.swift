/// An incremental, strict and bounded parser of one HTTP/1.x response
/// (RFC 9112) to the policy request (`PolicyFetchRequest`), which is a `GET`
/// with `Connection: close`.
///
/// The engine feeds it the decrypted bytes as they arrive and calls `finish()`
/// when the peer closes; it never holds more than one header line, one chunk
/// line and the body, each under its cap (`HTTPParserLimits`, `maxBodyBytes`).
/// Every cap ends in `.failed` as soon as it is passed, so a 10 MB body or a
/// 1 MB header costs no more memory than the caps.
///
/// Strict where leniency is what request smuggling and response splitting
/// feed on (RFC 9112 §11): field names are tokens, `obs-fold` is rejected,
/// `Content-Length` must be digits and agree with itself, `Transfer-Encoding`
/// must be exactly `chunked` and never come with a `Content-Length`.
/// Lenient where common clients are and nothing is at stake: a bare LF ends a
/// line (RFC 9112 §2.2 allows it), the reason phrase may be missing
/// (`HTTP/1.1 200`), and 1xx interim responses are skipped.
///
/// Body length follows RFC 9112 §6.3: none for 204 and 304, chunked if
/// `Transfer-Encoding` says so, else `Content-Length`, else until the peer closes.
public struct HTTPResponseParser: Sendable {
    public let maxBodyBytes: Int
    public let limits: HTTPParserLimits

    private enum State: Sendable {
        case statusLine
        case headerLine
        case fixedBody(remaining: Int)
        case bodyUntilClose
        case chunkSizeLine
        case chunkData(remaining: Int)
        /// The line break after a chunk's data.
        case chunkDataEnd
        case trailerLine
        case done(HTTPParseProgress)
    }

    private var state = State.statusLine
    /// The line being read, without its LF.
    private var line: [UInt8] = []
    /// Bytes and fields of the header or trailer section being read.
    private var sectionBytes = 0
    private var sectionFields = 0
    private var interimResponses = 0
    private var receivedAnyByte = false

    // The response being read.
    private var isInterim = false
    private var status = 0
    private var reason = ""
    private var minorVersion = 1
    private var headers: [(name: String, value: String)] = []
    private var contentLength: Int?
    private var transferCodings: [String]?
    private var transferEncodingIsMalformed = false
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    /// - Parameter maxBodyBytes: the largest body accepted; a policy fetch
    ///   passes `PolicyParser.maxBodyBytes` (RFC 8461 §3.3's 64 KiB).
    public init(maxBodyBytes: Int = PolicyParser.maxBodyBytes, limits: HTTPParserLimits = HTTPParserLimits()) {
        self.maxBodyBytes = max(0, maxBodyBytes)
        self.limits = limits
    }

    /// Reads the next bytes. Once the result is `.complete` or `.failed`, it
    /// stays so, and further bytes are ignored.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> HTTPParseProgress {
        if case .done(let progress) = state { return progress }
        guard !bytes.isEmpty else { return .needMore }
        receivedAnyByte = true
        let wasContiguous = bytes.withContiguousStorageIfAvailable { consume($0) } != nil
        if !wasContiguous { Array(bytes).withUnsafeBufferPointer { consume($0) } }
        if case .done(let progress) = state { return progress }
        return .needMore
    }

    /// The peer closed the connection: completes a body read until close,
    /// and fails anything else that is unfinished.
    public mutating func finish() -> HTTPParseProgress {
        switch state {
        case .done(let progress):
            return progress
        case .bodyUntilClose:
            complete()
        case .statusLine where !receivedAnyByte:
            fail(.noResponse)
        default:
            fail(.truncated)
        }
        if case .done(let progress) = state { return progress }
        return .needMore
    }

    // MARK: Bytes

    private mutating func consume(_ buffer: UnsafeBufferPointer<UInt8>) {
        var index = 0
        while index < buffer.count {
            switch state {
            case .done:
                return
            case .statusLine, .headerLine, .trailerLine, .chunkSizeLine, .chunkDataEnd:
                index = consumeLine(buffer, from: index)
            case .fixedBody(let remaining):
                let taken = takeBody(buffer, from: index, upTo: remaining)
                index += taken
                if taken == remaining { complete() } else { state = .fixedBody(remaining: remaining - taken) }
            case .chunkData(let remaining):
                let taken = takeBody(buffer, from: index, upTo: remaining)
                index += taken
                state = taken == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - taken)
            case .bodyUntilClose:
                let available = buffer.count - index
                guard available <= maxBodyBytes - body.count else { return fail(.bodyTooLarge) }
                index += takeBody(buffer, from: index, upTo: available)
            }
        }
    }

    /// Appends up to `limit` bytes to the body; the caller has checked the cap.
    private mutating func takeBody(_ buffer: UnsafeBufferPointer<UInt8>, from index: Int, upTo limit: Int) -> Int {
        let count = min(limit, buffer.count - index)
        body.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<(index + count)]))
        return count
    }

    /// Reads line bytes up to and including a LF, within the current line's
    /// allowance; returns the index after what it consumed.
    private mutating func consumeLine(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let allowance = lineAllowance()
        let limit = min(buffer.count, start + max(0, allowance))
        var end = start
        while end < limit, buffer[end] != UInt8(ascii: "\n") { end += 1 }
        let foundLF = end < limit
        // At most `allowance` bytes: the line never outgrows its cap.
        line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<end]))
        // Garbage is a malformed status line before it is an overlong one, so
        // that the reason does not depend on how the bytes were cut: fed at
        // once, 16 KiB of noise would otherwise be `header-too-large`, and
        // fed in pieces `malformed-status-line` (found by fuzzing).
        if case .statusLine = state, !Self.canStartStatusLine(line) {
            fail(.malformedStatusLine)
            return buffer.count
        }
        if !foundLF && end - start >= allowance {
            // The allowance is spent and the line has not ended: fail before buffering more.
            fail(overflowReason)
            return buffer.count
        }
        countSectionBytes(end - start + (foundLF ? 1 : 0))
        guard foundLF else { return end }

        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        processLine()
        line.removeAll(keepingCapacity: true)
        return end + 1
    }

    /// How many more bytes, the LF included, the current line may take.
    private func lineAllowance() -> Int {
        switch state {
        case .statusLine, .headerLine: return limits.maxHeaderBytes - sectionBytes
        case .trailerLine: return limits.maxTrailerBytes - sectionBytes
        case .chunkSizeLine: return limits.maxChunkLineBytes + 1 - line.count
        case .chunkDataEnd: return 2 - line.count   // CR LF, or LF alone
        default: return 0
        }
    }

    private var overflowReason: HTTPParseFailure.Reason {
        switch state {
        case .statusLine, .headerLine: return .headerTooLarge
        case .trailerLine: return .badTrailer
        default: return .badChunk
        }
    }

    private mutating func countSectionBytes(_ count: Int) {
        switch state {
        case .statusLine, .headerLine, .trailerLine: sectionBytes += count
        default: break
        }
    }

    private mutating func processLine() {
        switch state {
        case .statusLine: processStatusLine()
        case .headerLine: processHeaderLine()
        case .chunkSizeLine: processChunkSizeLine()
        case .chunkDataEnd:
            if line.isEmpty { state = .chunkSizeLine } else { fail(.badChunk) }
        case .trailerLine: processTrailerLine()
        default: break
        }
    }

    // MARK: Status line

    private static let versionPrefix = Array("HTTP/1.".utf8)

    /// False as soon as the first bytes cannot begin `HTTP/1.`, so garbage
    /// (a TLS alert read as text, an SMTP banner) fails without waiting for a line break.
    private static func canStartStatusLine(_ line: [UInt8]) -> Bool {
        zip(line, versionPrefix).allSatisfy { $0 == $1 }
    }

    /// `HTTP-version SP status-code SP [reason-phrase]` (RFC 9112 §4); the
    /// second SP may be missing along with the reason.
    private mutating func processStatusLine() {
        guard line.count >= 12,
              ASCII.isDigit(line[7]), line[8] == UInt8(ascii: " "),
              ASCII.isDigit(line[9]), ASCII.isDigit(line[10]), ASCII.isDigit(line[11])
        else { return fail(.malformedStatusLine) }
        let code = Int(line[9] &- 0x30) * 100 + Int(line[10] &- 0x30) * 10 + Int(line[11] &- 0x30)
        guard (100...599).contains(code) else { return fail(.malformedStatusLine) }
        if line.count > 12 {
            guard line[12] == UInt8(ascii: " "), line[13...].allSatisfy(HTTPSyntax.isFieldValueByte) else {
                return fail(.malformedStatusLine)
            }
        }

        isInterim = code < 200
        if code == 101 { return fail(.unexpectedUpgrade) }
        if isInterim {
            interimResponses += 1
            guard interimResponses <= limits.maxInterimResponses else { return fail(.tooManyInterimResponses) }
        } else {
            status = code
            minorVersion = Int(line[7] &- 0x30)
            reason = line.count > 13 ? String(decoding: line[13...], as: UTF8.self) : ""
        }
        state = .headerLine
    }

    // MARK: Header section

    private mutating func processHeaderLine() {
        if line.isEmpty { return endHeaderSection() }
        guard let field = Self.splitField(line) else {
            return fail(ASCII.isWSP(line[0]) ? .obsFold : .malformedHeader)
        }
        sectionFields += 1
        guard sectionFields <= limits.maxHeaderFields else { return fail(.tooManyHeaders) }
        guard !isInterim else { return }

        let name = String(decoding: line[field.name].lazy.map(ASCII.lower), as: UTF8.self)
        let value = line[field.value]
        switch name {
        case "content-length":
            guard let length = Self.contentLength(value), contentLength == nil || contentLength == length else {
                return fail(.badContentLength)
            }
            contentLength = length
        case "transfer-encoding":
            noteTransferCodings(value)
        default:
            break
        }
        headers.append((name, String(decoding: value, as: UTF8.self)))
    }

    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5): the ranges of the
    /// name and the trimmed value, or nil if the line is no such field. A
    /// leading space or tab (obs-fold) or one before the colon fails the token
    /// test on the name.
    private static func splitField(_ line: [UInt8]) -> (name: Range<Int>, value: Range<Int>)? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              line[..<colon].allSatisfy(HTTPSyntax.isTokenByte)
        else { return nil }
        var start = colon + 1
        var end = line.count
        while start < end, ASCII.isWSP(line[start]) { start += 1 }
        while end > start, ASCII.isWSP(line[end - 1]) { end -= 1 }
        guard line[start..<end].allSatisfy(HTTPSyntax.isFieldValueByte) else { return nil }
        return (0..<colon, start..<end)
    }

    /// `Content-Length = 1*DIGIT` (RFC 9110 §8.6). Saturates instead of
    /// overflowing: any value above the body cap fails the same way.
    private static func contentLength(_ value: ArraySlice<UInt8>) -> Int? {
        guard !value.isEmpty, value.allSatisfy(ASCII.isDigit) else { return nil }
        let ceiling = Int.max / 16
        return value.reduce(0) { total, digit in min(ceiling, total * 10 + Int(digit &- 0x30)) }
    }

    /// `Transfer-Encoding = #transfer-coding`; several fields form one list
    /// (RFC 9110 §5.3). Empty list elements are allowed (§5.6.1).
    private mutating func noteTransferCodings(_ value: ArraySlice<UInt8>) {
        var codings = transferCodings ?? []
        for element in value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            var start = element.startIndex
            var end = element.endIndex
            while start < end, ASCII.isWSP(element[start]) { start += 1 }
            while end > start, ASCII.isWSP(element[end - 1]) { end -= 1 }
            if start == end { continue }
            let coding = element[start..<end]
            if !coding.allSatisfy(HTTPSyntax.isTokenByte) { transferEncodingIsMalformed = true }
            codings.append(String(decoding: coding.lazy.map(ASCII.lower), as: UTF8.self))
        }
        transferCodings = codings
    }

    private mutating func endHeaderSection() {
        if isInterim {
            // RFC 9110 §15.2: a client reads on for the final response.
            sectionBytes = 0
            sectionFields = 0
            state = .statusLine
            return
        }
        let head = HTTPResponseHead(status: status, reason: reason, minorVersion: minorVersion, headers: headers)
        self.head = head
        headers = []

        // RFC 9112 §6.3 rule 1: no content, whatever the fields say.
        if status == 204 || status == 304 { return complete() }
        if let transferCodings {
            if contentLength != nil { return fail(.ambiguousLength) }
            guard minorVersion >= 1, !transferEncodingIsMalformed, transferCodings == ["chunked"] else {
                return fail(.badTransferEncoding)
            }
            state = .chunkSizeLine
        } else if let contentLength {
            guard contentLength <= maxBodyBytes else { return fail(.bodyTooLarge, contentLength: contentLength) }
            if contentLength == 0 { return complete() }
            body.reserveCapacity(contentLength)
            state = .fixedBody(remaining: contentLength)
        } else {
            state = .bodyUntilClose
        }
    }

    // MARK: Chunked body (RFC 9112 §7.1)

    /// `chunk-size [ chunk-ext ] CRLF` with `chunk-size = 1*HEXDIG` and
    /// `chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`.
    /// Extensions mean nothing to this client (§7.1.1: "MUST ignore
    /// unrecognized chunk extensions"); they are only checked for control bytes.
    private mutating func processChunkSizeLine() {
        var index = 0
        var size = 0
        let ceiling = Int.max / 32
        while index < line.count, let digit = Self.hexValue(line[index]) {
            size = min(ceiling, size * 16 + digit)
            index += 1
        }
        guard index > 0 else { return fail(.badChunk) }
        while index < line.count, ASCII.isWSP(line[index]) { index += 1 }
        if index < line.count {
            guard line[index] == UInt8(ascii: ";"), line[index...].allSatisfy(HTTPSyntax.isFieldValueByte) else {
                return fail(.badChunk)
            }
        }

        if size == 0 {
            sectionBytes = 0
            sectionFields = 0
            state = .trailerLine
        } else if size > maxBodyBytes - body.count {
            fail(.bodyTooLarge)
        } else {
            state = .chunkData(remaining: size)
        }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        if ASCII.isDigit(byte) { return Int(byte &- 0x30) }
        let lower = ASCII.lower(byte)
        return lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "f") ? Int(lower - UInt8(ascii: "a")) + 10 : nil
    }

    /// Trailer fields are checked like header fields and discarded: nothing in
    /// them may change the response as read (RFC 9110 §6.5.1).
    private mutating func processTrailerLine() {
        if line.isEmpty { return complete() }
        sectionFields += 1
        guard sectionFields <= limits.maxTrailerFields, Self.splitField(line) != nil else { return fail(.badTrailer) }
    }

    // MARK: Ends

    private mutating func complete() {
        guard let head else { return fail(.truncated) }
        state = .done(.complete(HTTPResponse(head: head, body: body)))
        body = []
        line = []
    }

    private mutating func fail(_ reason: HTTPParseFailure.Reason, contentLength: Int? = nil) {
        let finalStatus = status == 0 ? nil : status
        state = .done(.failed(HTTPParseFailure(reason, status: finalStatus, head: head, contentLength: contentLength)))
        body = []
        line = []
        headers = []
    }
}
