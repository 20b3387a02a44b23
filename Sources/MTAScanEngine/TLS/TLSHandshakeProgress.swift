/// What one `TLSSession.handshake()` step came to.
public enum TLSHandshakeProgress: Sendable, Equatable {
    /// Send what `drainOutgoing()` returns, feed what arrives, call again.
    case wantIO
    /// The handshake is done; the certificate verdict is in the outcome.
    case complete(TLSHandshakeOutcome)
    case failed(TLSFailure)
}

/// What one `TLSSession.read(maxBytes:)` came to.
public enum TLSReadResult: Sendable, Equatable {
    /// Decrypted application data, never empty.
    case data([UInt8])
    /// No whole record yet: feed more bytes (and send what `drainOutgoing()` returns).
    case wantIO
    /// The peer ended the session: `cleanly` after its close_notify alert,
    /// otherwise by closing the stream (after `receivedEOF()`), which may have
    /// truncated the data (RFC 8446 §6.1).
    case closed(cleanly: Bool)
}
