internal import COpenSSL

/// One entry of OpenSSL's per-thread error queue, copied out as text so that
/// it outlives the queue and crosses threads.
public struct OpenSSLErrorEntry: Sendable, Equatable, CustomStringConvertible {
    /// OpenSSL's packed error code (library and reason).
    public let code: UInt
    /// `SSL routines`, `X509 certificate routines`...
    public let library: String
    /// `wrong version number`, `tlsv1 unrecognized name`...
    public let reason: String

    public init(code: UInt, library: String, reason: String) {
        self.code = code
        self.library = library
        self.reason = reason
    }

    public var description: String { library + ": " + reason }

    /// The alert a peer sent, if this entry records one: OpenSSL queues a
    /// received alert as an SSL-library reason of SSL_AD_REASON_OFFSET plus the
    /// alert's code (ssl/record/rec_layer_s3.c), which is how alerts are found
    /// without an info callback.
    var receivedAlert: TLSAlert? {
        guard ERR_GET_LIB(code) == ERR_LIB_SSL else { return nil }
        let alertCode = Int(ERR_GET_REASON(code)) - Int(SSL_AD_REASON_OFFSET)
        guard let byte = UInt8(exactly: alertCode) else { return nil }
        return TLSAlert(code: byte)
    }

    var isUnexpectedEOF: Bool {
        ERR_GET_LIB(code) == ERR_LIB_SSL && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING
    }
}

/// A TLS context could not be set up (unreadable CA file, key not matching the
/// certificate...): the step that failed and OpenSSL's queue.
public struct OpenSSLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let errors: [OpenSSLErrorEntry]

    public init(_ operation: String, errors: [OpenSSLErrorEntry]) {
        self.operation = operation
        self.errors = errors
    }

    /// The failed step with the queue drained now.
    static func drainingQueue(_ operation: String) -> OpenSSLError {
        OpenSSLError(operation, errors: OpenSSLErrorQueue.drain())
    }

    public var description: String {
        errors.isEmpty ? operation : operation + ": " + errors.map(\.description).joined(separator: "; ")
    }
}

/// OpenSSL's error queue is per thread and shared by every session on it, so
/// each call into libssl starts from an empty queue (SSL_get_error(3) requires
/// it) and failures drain it completely.
enum OpenSSLErrorQueue {
    /// OpenSSL keeps at most 16 entries per thread (ERR_NUM_ERRORS).
    static let maxEntries = 16

    static func clear() { ERR_clear_error() }

    /// The queue's entries, oldest first; the queue is empty afterwards.
    static func drain() -> [OpenSSLErrorEntry] {
        var entries: [OpenSSLErrorEntry] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            // Past the cap, keep draining so that nothing leaks into the next call.
            guard entries.count < maxEntries else { continue }
            let library = ERR_lib_error_string(code).map { String(cString: $0) } ?? "lib(\(ERR_GET_LIB(code)))"
            let reason = ERR_reason_error_string(code).map { String(cString: $0) } ?? "reason(\(ERR_GET_REASON(code)))"
            entries.append(OpenSSLErrorEntry(code: code, library: library, reason: reason))
        }
        return entries
    }
}
