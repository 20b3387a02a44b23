import MTAScanCore
internal import COpenSSL
internal import CMTAScanShims

/// One TLS connection as a state machine over two memory BIOs: bytes from the
/// network go in with `feed`, bytes for the network come out of
/// `drainOutgoing`, and nothing here blocks or touches a socket. The event
/// loop owns the socket, so every read is bounded in bytes and time there.
///
/// Drive it like this: call `handshake()` (or `read`/`write`), send whatever
/// `drainOutgoing()` returns, and when bytes arrive `feed` them and call
/// again. After *every* call, drain: OpenSSL produces output (alerts, key
/// updates, close_notify) at any step.
///
/// Not Sendable: a session belongs to its loop thread. `deinit` frees the
/// `SSL` object and with it both BIOs, on every path.
public final class TLSSession {
    public let context: TLSContext
    /// The name sent as SNI and checked against the certificate (client only).
    public let serverName: String?

    private let ssl: OpaquePointer
    /// Owned by `ssl` (SSL_set_bio): what the peer sent, not yet consumed.
    private let fromNetwork: OpaquePointer
    /// Owned by `ssl`: what OpenSSL wrote, not yet drained.
    private let toNetwork: OpaquePointer

    /// Set when the handshake completes; kept after a later failure, so that
    /// the certificate of a session that broke afterwards is still recorded.
    public private(set) var outcome: TLSHandshakeOutcome?
    /// Set once the session is dead; every later call reports it.
    private var failure: TLSFailure?
    private var pendingPlaintext: [UInt8] = []
    private var sentCloseNotify = false
    private var receivedEndOfStream = false

    /// A session on `context`; for a client context, `serverName` is sent as
    /// SNI (when it is a host name, RFC 6066 §3) and is the name the
    /// certificate must carry (RFC 8461 §3.3, §4.2). nil: no SNI, chain only.
    public init(context: TLSContext, serverName: String? = nil) throws(OpenSSLError) {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.pointer) else { throw .drainingQueue("SSL_new") }
        guard let fromNetwork = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .drainingQueue("BIO_new")
        }
        guard let toNetwork = BIO_new(BIO_s_mem()) else {
            BIO_free(fromNetwork)
            SSL_free(ssl)
            throw .drainingQueue("BIO_new")
        }
        // An empty input BIO means "wait for more", not end of stream
        // (the default for BIO_s_mem, stated here because the session relies on it).
        _ = mtascan_BIO_set_mem_eof_return(fromNetwork, -1)
        SSL_set_bio(ssl, fromNetwork, toNetwork)  // from here on, SSL_free frees the BIOs too
        if context.isServer {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            if let serverName, let wireName = ServerNameIndication.wireName(for: serverName),
               mtascan_SSL_set_tlsext_host_name(ssl, wireName) != 1 {
                SSL_free(ssl)
                throw .drainingQueue("SNI \(wireName)")
            }
        }
        self.ssl = ssl
        self.fromNetwork = fromNetwork
        self.toNetwork = toNetwork
        self.context = context
        self.serverName = context.isServer ? nil : serverName
    }

    deinit { SSL_free(ssl) }

    /// TLSA records given to OpenSSL's DANE verifier (`enableDANE`); 0: DANE is off.
    private var daneRecords = 0

    /// Checks the server's chain against `records` as well (RFC 7672), beside
    /// the PKIX check, before the handshake starts: `baseDomain` is the MX host,
    /// the reference identifier of DANE-TA; DANE-EE ignores names, as RFC 7672
    /// §3.1.1 says. Records OpenSSL cannot use are skipped. Returns how many it
    /// took; with none, the outcome has no DANE result.
    @discardableResult
    public func enableDANE(baseDomain: String, records: [TLSARecordValue]) -> Int {
        guard !context.isServer, !records.isEmpty, SSL_dane_enable(ssl, baseDomain) == 1 else {
            OpenSSLErrorQueue.clear()
            return 0
        }
        _ = SSL_dane_set_flags(ssl, UInt(DANE_FLAG_NO_DANE_EE_NAMECHECKS))
        var taken = 0
        for record in records {
            guard let data = Hex.decode(record.data), (0...255).contains(record.usage),
                  (0...255).contains(record.selector), (0...255).contains(record.matchingType) else { continue }
            let added = data.withUnsafeBufferPointer { bytes in
                SSL_dane_tlsa_add(ssl, UInt8(record.usage), UInt8(record.selector), UInt8(record.matchingType),
                                  bytes.baseAddress, bytes.count)
            }
            if added > 0 { taken += 1 }
        }
        OpenSSLErrorQueue.clear()
        daneRecords = taken
        // The context's verify callback runs the DANE check only for marked sessions.
        if taken > 0 { _ = SSL_set_ex_data(ssl, 0, UnsafeMutableRawPointer(bitPattern: 1)) }
        return taken
    }

    // MARK: Network side

    /// Bytes received from the peer.
    public func feed(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let chunk = Int32(clamping: bytes.count - offset)
            let written = BIO_write(fromNetwork, base + offset, chunk)
            // A memory BIO only refuses a write when allocation fails.
            guard written > 0 else { return }
            offset += Int(written)
        }
    }

    public func feed<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { feed(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { feed($0) } }
    }

    /// The peer closed its side of the stream: OpenSSL sees end of stream once
    /// the bytes already fed are consumed.
    public func receivedEOF() {
        receivedEndOfStream = true
        _ = mtascan_BIO_set_mem_eof_return(fromNetwork, 0)
    }

    public var hasOutgoing: Bool { BIO_ctrl_pending(toNetwork) > 0 }

    /// Everything OpenSSL wants sent, now; empty when there is nothing.
    public func drainOutgoing() -> [UInt8] {
        let pending = Int(BIO_ctrl_pending(toNetwork))
        guard pending > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: pending) { buffer, count in
            let read = BIO_read(toNetwork, buffer.baseAddress, Int32(clamping: pending))
            count = max(0, Int(read))
        }
    }

    // MARK: TLS side

    /// Advance the handshake as far as the bytes fed so far allow.
    public func handshake() -> TLSHandshakeProgress {
        if let failure { return .failed(failure) }
        if let outcome { return .complete(outcome) }
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            let outcome = makeOutcome()
            self.outcome = outcome
            // Plaintext written during the handshake goes out now; a failure
            // here is reported by the next read or write.
            try? flushPendingPlaintext()
            return .complete(outcome)
        }
        let code = SSL_get_error(ssl, result)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return .wantIO }
        let failure = failure(sslError: code)
        self.failure = failure
        return .failed(failure)
    }

    /// Queue plaintext for the peer; it is encrypted into the outgoing bytes at
    /// once when the handshake is complete, otherwise as soon as it completes.
    public func write<Bytes: Collection>(_ plaintext: Bytes) throws(TLSFailure) where Bytes.Element == UInt8 {
        if let failure { throw failure }
        guard !sentCloseNotify else {
            throw TLSFailure(reason: .protocol, message: "write after shutdown")
        }
        pendingPlaintext.append(contentsOf: plaintext)
        if outcome != nil { try flushPendingPlaintext() }
    }

    /// Up to `maxBytes` of decrypted data. Drives the handshake first if it
    /// is not complete (failing with its failure).
    public func read(maxBytes: Int) throws(TLSFailure) -> TLSReadResult {
        switch handshake() {
        case .wantIO: return .wantIO
        case .failed(let failure): throw failure
        case .complete: break
        }
        try flushPendingPlaintext()
        let capacity = max(1, min(maxBytes, 1 << 20))
        OpenSSLErrorQueue.clear()
        var result: Int32 = 0
        let data = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            result = SSL_read(ssl, buffer.baseAddress, Int32(capacity))
            count = max(0, Int(result))
        }
        if result > 0 { return .data(data) }
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantIO
        case SSL_ERROR_ZERO_RETURN:
            return .closed(cleanly: true)
        default:
            let entries = OpenSSLErrorQueue.drain()
            if receivedEndOfStream && (entries.isEmpty || entries.contains(where: \.isUnexpectedEOF)) {
                return .closed(cleanly: false)
            }
            let failure = failure(sslError: code, entries: entries)
            self.failure = failure
            throw failure
        }
    }

    /// Queue a close_notify alert (RFC 8446 §6.1) for the peer; reading stays
    /// possible until the peer's own close_notify. A no-op before the handshake
    /// completes or after a failure: there is nothing to close cleanly.
    public func shutdown() {
        guard outcome != nil, failure == nil, !sentCloseNotify else { return }
        sentCloseNotify = true
        try? flushPendingPlaintext()
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
    }

    // MARK: Internals

    private func flushPendingPlaintext() throws(TLSFailure) {
        while !pendingPlaintext.isEmpty {
            OpenSSLErrorQueue.clear()
            let written = pendingPlaintext.withUnsafeBytes {
                SSL_write(ssl, $0.baseAddress, Int32(clamping: $0.count))
            }
            if written > 0 {
                pendingPlaintext.removeFirst(Int(written))
                continue
            }
            let code = SSL_get_error(ssl, written)
            if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return }
            let failure = failure(sslError: code)
            self.failure = failure
            throw failure
        }
    }

    /// The failure behind an `SSL_get_error` code, with the queue drained.
    private func failure(sslError: Int32, entries: [OpenSSLErrorEntry]? = nil) -> TLSFailure {
        let entries = entries ?? OpenSSLErrorQueue.drain()
        if let entry = entries.first(where: { $0.receivedAlert != nil }), let alert = entry.receivedAlert {
            return TLSFailure(reason: .alert, alert: alert, errors: entries, message: entry.reason)
        }
        if sslError == SSL_ERROR_ZERO_RETURN {
            // A close_notify before the handshake finished: the peer hung up politely.
            return TLSFailure(reason: .alert, alert: TLSAlert(code: 0), errors: entries,
                              message: "close_notify during the handshake")
        }
        if let first = entries.first {
            return TLSFailure(reason: .protocol, errors: entries, message: first.reason)
        }
        if receivedEndOfStream {
            return TLSFailure(reason: .protocol, message: "the peer closed the connection")
        }
        return TLSFailure(reason: .protocol, message: "SSL_get_error \(sslError) without details")
    }

    /// With DANE on, the handshake's own verification was OpenSSL's DANE check
    /// (the session verifies nothing else during the handshake: PKIX runs
    /// afterwards, by `X509ChainVerifier`), so its result is DANE's.
    private func daneOutcome() -> DANEVerification? {
        guard daneRecords > 0 else { return nil }
        let code = Int32(truncatingIfNeeded: SSL_get_verify_result(ssl))
        guard code == X509_V_OK else {
            return DANEVerification(result: .mismatch, verifyError: Int(code),
                                    message: String(cString: X509_verify_cert_error_string(Int(code))))
        }
        var usage: UInt8 = 0, selector: UInt8 = 0, matchingType: UInt8 = 0
        var data: UnsafePointer<UInt8>?
        var length = 0
        let depth = SSL_get0_dane_tlsa(ssl, &usage, &selector, &matchingType, &data, &length)
        guard depth >= 0 else {
            // Verified, but not by a TLSA record: cannot happen with only DANE-TA/EE records given.
            return DANEVerification(result: .mismatch, message: "verified without a TLSA match")
        }
        let matched = data.map { pointer in
            TLSARecordValue(usage: Int(usage), selector: Int(selector), matchingType: Int(matchingType),
                            data: Hex.lowercase(Array(UnsafeBufferPointer(start: pointer, count: length))))
        }
        return DANEVerification(result: .verified, matched: matched, depth: Int(depth))
    }

    private func makeOutcome() -> TLSHandshakeOutcome {
        let version = TLSVersion(wireValue: UInt16(truncatingIfNeeded: SSL_version(ssl)))
        var cipher = ""
        if let current = SSL_get_current_cipher(ssl) {
            if let standard = SSL_CIPHER_standard_name(current) {
                cipher = String(cString: standard)
            } else {
                cipher = String(cString: SSL_CIPHER_get_name(current))
            }
        }
        guard !context.isServer else {
            return TLSHandshakeOutcome(version: version, cipher: cipher, peerCertificate: nil, checkedName: nil,
                                       matchedName: nil, verificationFailures: [])
        }
        guard let leaf = SSL_get0_peer_certificate(ssl) else {
            return TLSHandshakeOutcome(
                version: version, cipher: cipher, peerCertificate: nil, checkedName: serverName, matchedName: nil,
                verificationFailures: [TLSVerificationFailure(reason: .untrusted, message: "no certificate sent")])
        }
        // On the client side the peer's chain includes the leaf.
        let chain = SSL_get_peer_cert_chain(ssl)
        let chainLength = chain.map { Int(max(0, mtascan_sk_X509_num($0))) } ?? 1
        let leafDigest = X509Fields.sha256(of: leaf)
        let certificate = context.certificateInfo(of: leaf, sha256: leafDigest, chainLength: chainLength)
        var failures = X509ChainVerifier.verify(leaf: leaf, leafDigest: leafDigest, peerChain: chain,
                                                store: SSL_CTX_get_cert_store(context.pointer),
                                                cache: context.verifiedChains)
        var matchedName: String?
        if let serverName {
            let check = TLSHandshakeOutcome.nameCheck(certificate, host: serverName)
            matchedName = check.matched
            if let failure = check.failure { failures.append(failure) }
        }
        return TLSHandshakeOutcome(version: version, cipher: cipher, peerCertificate: certificate,
                                   checkedName: serverName, matchedName: matchedName,
                                   verificationFailures: TLSHandshakeOutcome.ordered(failures), dane: daneOutcome())
    }
}

@available(*, unavailable)
extension TLSSession: Sendable {}
