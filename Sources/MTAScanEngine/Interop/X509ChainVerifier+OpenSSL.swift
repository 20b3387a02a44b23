#if canImport(Glibc)
internal import Glibc
#endif
internal import COpenSSL
internal import CMTAScanShims

/// PKIX verification of the chain a server sent, run after the handshake with
/// a callback that records every error instead of stopping at the first, so
/// that a certificate both self-signed and expired reports both.
///
/// Settings: the `ssl_server` purpose and trust (what libssl uses for a
/// client), the context's trust store, the current time, and security level 1
/// for keys and signature digests (OpenSSL's default; the handshake itself
/// runs at level 0, see `TLSConfiguration`). No revocation checks: senders do
/// not do them either.
enum X509ChainVerifier {
    static let securityLevel: Int32 = 1
    /// Errors recorded per verification; a hostile chain cannot grow the list.
    static let maxRecordedErrors = 32

    /// One entry per reason (the one nearest the leaf), unsorted.
    /// `leaf` and `peerChain` (an `X509 *` and a `STACK_OF(X509) *` holding the
    /// certificates in the order sent) stay owned by the caller.
    ///
    /// A chain verified before and still inside its validity window is
    /// answered from `cache` (the store's, `VerifiedChainCache`). `leafDigest`
    /// is the leaf's SHA-256 when the caller has it already.
    static func verify(leaf: OpaquePointer, leafDigest: [UInt8]?, peerChain: OpaquePointer?,
                       store: OpaquePointer, cache: VerifiedChainCache) -> [TLSVerificationFailure] {
        let now = Int64(time(nil))
        let key = cacheKey(leaf: leaf, leafDigest: leafDigest, peerChain: peerChain)
        if let key, let failures = cache.failures(for: key, now: now) { return failures }
        var window: (from: Int64, until: Int64)?
        let failures = verifyAfresh(leaf: leaf, peerChain: peerChain, store: store) { built in
            window = key == nil ? nil : validityWindow(of: built)
        }
        if let key, let window {
            cache.record(failures, for: key, validFrom: window.from, validUntil: window.until, now: now)
        }
        return failures
    }

    /// The SHA-256 digests of the certificates sent, in order (the leaf's
    /// first, if the peer's chain does not hold it); nil if one cannot be taken.
    private static func cacheKey(leaf: OpaquePointer, leafDigest: [UInt8]?, peerChain: OpaquePointer?) -> [UInt8]? {
        var key: [UInt8] = []
        key.reserveCapacity(32 * 3)
        func append(_ certificate: OpaquePointer) -> Bool {
            if certificate == leaf, let leafDigest {
                key += leafDigest
                return true
            }
            return X509Fields.appendSHA256(of: certificate, to: &key)
        }
        let count = peerChain.map { Int(max(0, mtascan_sk_X509_num($0))) } ?? 0
        // Identity, not X509_cmp: that would decode every extension first, the
        // work a hit is meant to save. A client's chain starts with the leaf itself.
        if count == 0 || mtascan_sk_X509_value(peerChain, 0) != leaf {
            guard append(leaf) else { return nil }
        }
        for index in 0..<count {
            guard let certificate = mtascan_sk_X509_value(peerChain, Int32(index)), append(certificate) else {
                return nil
            }
        }
        return key
    }

    /// The latest notBefore and earliest notAfter over `chain` (the one built,
    /// trust anchor included); nil if a time cannot be read.
    private static func validityWindow(of chain: OpaquePointer?) -> (from: Int64, until: Int64)? {
        guard let chain else { return nil }
        var from = Int64.min, until = Int64.max
        for index in 0..<max(0, mtascan_sk_X509_num(chain)) {
            guard let certificate = mtascan_sk_X509_value(chain, index),
                  let notBefore = X509Fields.unixSeconds(X509_get0_notBefore(certificate)),
                  let notAfter = X509Fields.unixSeconds(X509_get0_notAfter(certificate))
            else { return nil }
            from = max(from, notBefore)
            until = min(until, notAfter)
        }
        return from < until ? (from, until) : nil
    }

    /// `builtChain` sees the chain verification built (a `STACK_OF(X509) *`,
    /// valid only during the call).
    private static func verifyAfresh(leaf: OpaquePointer, peerChain: OpaquePointer?, store: OpaquePointer,
                                     builtChain: (OpaquePointer?) -> Void) -> [TLSVerificationFailure] {
        guard let storeContext = X509_STORE_CTX_new() else {
            return [TLSVerificationFailure(reason: .untrusted, message: "verification could not run: out of memory")]
        }
        defer { X509_STORE_CTX_free(storeContext) }
        let recorder = ErrorRecorder()
        let verified: Int32 = withExtendedLifetime(recorder) {
            guard X509_STORE_CTX_init(storeContext, store, leaf, peerChain) == 1,
                  X509_STORE_CTX_set_default(storeContext, "ssl_server") == 1
            else { return -1 }
            X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(storeContext), securityLevel)
            // Index 0 is OpenSSL's "app data" slot, reserved for applications.
            guard X509_STORE_CTX_set_ex_data(storeContext, 0, Unmanaged.passUnretained(recorder).toOpaque()) == 1
            else { return -1 }
            X509_STORE_CTX_set_verify_cb(storeContext) { preverifyOK, storeContext in
                guard preverifyOK == 0, let storeContext,
                      let recorder = X509_STORE_CTX_get_ex_data(storeContext, 0)
                else { return 1 }
                Unmanaged<ErrorRecorder>.fromOpaque(recorder).takeUnretainedValue().record(
                    code: X509_STORE_CTX_get_error(storeContext), depth: X509_STORE_CTX_get_error_depth(storeContext))
                return 1  // go on: we want every error, the verdict is ours
            }
            return X509_verify_cert(storeContext)
        }
        if verified != 1 && recorder.errors.isEmpty {
            // Not a certificate error: verification itself could not run.
            let code = X509_STORE_CTX_get_error(storeContext)
            recorder.record(code: code == X509_V_OK ? X509_V_ERR_UNSPECIFIED : code, depth: 0)
        }
        OpenSSLErrorQueue.clear()
        builtChain(X509_STORE_CTX_get0_chain(storeContext))

        let leafIssuerSent = issuerIsSent(leaf: leaf, peerChain: peerChain)
        var failures: [TLSVerificationFailure] = []
        for error in recorder.errors {
            let reason = reason(for: error.code, leafIssuerSent: leafIssuerSent)
            let failure = TLSVerificationFailure(
                reason: reason, verifyError: Int(error.code),
                message: String(cString: X509_verify_cert_error_string(Int(error.code))), depth: Int(error.depth))
            if let index = failures.firstIndex(where: { $0.reason == reason }) {
                if let old = failures[index].depth, old > Int(error.depth) { failures[index] = failure }
            } else {
                failures.append(failure)
            }
        }
        return failures
    }

    /// The reason an `X509_V_ERR_*` code is reported under.
    ///
    /// A missing issuer (codes 2, 20, 21) is `incomplete-chain` when the
    /// leaf's own issuer is not among the certificates sent: the server forgot
    /// an intermediate (or, indistinguishably without fetching AIA, the leaf
    /// comes from an unknown CA and was sent alone). When the leaf's issuer
    /// was sent, the chain the server meant to send does not end at a trust
    /// anchor: `untrusted`. Every code without a reason of its own (bad
    /// signature, wrong purpose, weak key, malformed time) is `untrusted`; the
    /// code itself stays in the failure.
    ///
    /// `self-signed` is only error 18: the leaf itself is self-signed, fixed by
    /// a certificate from a CA. Error 19, a chain that ends in a self-signed
    /// root that is no trust anchor (a private CA, its root sent along), is
    /// `untrusted`, as a chain to an unknown root is: fixed by a public CA's chain.
    static func reason(for code: Int32, leafIssuerSent: Bool) -> TLSFailureReason {
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return .expired
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return .notYetValid
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
            return .selfSigned
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            return .untrusted
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return leafIssuerSent ? .untrusted : .incompleteChain
        default:
            return .untrusted
        }
    }

    /// Is a certificate that issued the leaf among those the peer sent?
    private static func issuerIsSent(leaf: OpaquePointer, peerChain: OpaquePointer?) -> Bool {
        guard let peerChain else { return false }
        for index in 0..<max(0, mtascan_sk_X509_num(peerChain)) {
            guard let candidate = mtascan_sk_X509_value(peerChain, index), X509_cmp(candidate, leaf) != 0 else {
                continue
            }
            if X509_check_issued(candidate, leaf) == X509_V_OK { return true }
        }
        return false
    }

    private final class ErrorRecorder {
        private(set) var errors: [(code: Int32, depth: Int32)] = []

        func record(code: Int32, depth: Int32) {
            guard errors.count < X509ChainVerifier.maxRecordedErrors else { return }
            errors.append((code, depth))
        }
    }
}
