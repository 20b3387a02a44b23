#if canImport(Glibc)
internal import Glibc
#endif
internal import COpenSSL
internal import CMTAScanShims

/// One OpenSSL `SSL_CTX`: protocol settings and trust anchors shared by the
/// sessions of one event-loop thread.
///
/// Not Sendable: OpenSSL allows an `SSL_CTX` to be shared once configured,
/// but nothing here enforces "once configured", and the architecture gives
/// each loop thread its own context anyway (loading the CA bundle is a few
/// milliseconds per thread). Sessions keep their context alive.
///
/// Client contexts do not verify during the handshake (`SSL_VERIFY_NONE`, and
/// the built-in chain check is replaced by one that accepts everything): the
/// handshake completes so that the certificate can be recorded even when it
/// is invalid, and `TLSSession` then verifies the chain once, with a callback
/// that collects every error (`X509ChainVerifier`), plus our own RFC 8461 name
/// check.
public final class TLSContext {
    let pointer: OpaquePointer
    public let isServer: Bool
    /// Lower-cased; only for server contexts with SNI filtering.
    private let acceptedServerNames: [String]?
    /// PKIX results of chains this context's sessions verified (client contexts).
    let verifiedChains = VerifiedChainCache()
    /// What was read from leaf certificates met before, by their SHA-256: a
    /// certificate's fields are a function of its bytes, and a hosting
    /// provider's certificate comes back for every name it covers. Only
    /// certificates whose names fit `maxCachedNameBytes` are kept, so that
    /// hostile ones with megabytes of names cannot fill memory: at most
    /// 1,024 × 16 KiB of names per loop.
    private(set) var certificateInfos = BoundedCache<[UInt8], CertificateInfo>(capacity: 1024)
    static let maxCachedNameBytes = 16 * 1024

    /// A client context for scans.
    public init(configuration: TLSConfiguration = TLSConfiguration()) throws(OpenSSLError) {
        _ = OpenSSLProcess.usesBuiltinKeyMethods
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw .drainingQueue("SSL_CTX_new") }
        do throws(OpenSSLError) {
            try Self.configureCommon(context, minimum: configuration.minimumVersion,
                                     maximum: configuration.maximumVersion)
            try Self.loadTrustRoots(configuration.trustRoots, into: context)
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        // Skip OpenSSL's own chain verification during the handshake: we verify
        // afterwards with a collecting callback, and doing it twice costs time.
        // Except for a session given TLSA records (`TLSSession.enableDANE`
        // marks it in app data): then the handshake's verification is the DANE
        // check, and its result stays in the session (never fails the handshake).
        SSL_CTX_set_cert_verify_callback(context, { storeContext, _ in
            guard let storeContext,
                  let ssl = X509_STORE_CTX_get_ex_data(storeContext, SSL_get_ex_data_X509_STORE_CTX_idx()),
                  SSL_get_ex_data(OpaquePointer(ssl), 0) != nil
            else { return 1 }
            _ = X509_verify_cert(storeContext)
            return 1
        }, nil)
        // DANE needs its digests registered on the context; sessions without TLSA are unaffected.
        _ = SSL_CTX_dane_enable(context)
        OpenSSLErrorQueue.clear()
        pointer = context
        isServer = false
        acceptedServerNames = nil
    }

    /// A server context, for tests and the local test internet.
    public init(server configuration: TLSServerConfiguration) throws(OpenSSLError) {
        _ = OpenSSLProcess.usesBuiltinKeyMethods
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw .drainingQueue("SSL_CTX_new") }
        do throws(OpenSSLError) {
            try Self.configureCommon(context, minimum: configuration.minimumVersion,
                                     maximum: configuration.maximumVersion)
            guard SSL_CTX_use_certificate_chain_file(context, configuration.certificateChainPath) == 1 else {
                throw .drainingQueue("certificate chain \(configuration.certificateChainPath)")
            }
            guard SSL_CTX_use_PrivateKey_file(context, configuration.privateKeyPath, SSL_FILETYPE_PEM) == 1,
                  SSL_CTX_check_private_key(context) == 1
            else { throw .drainingQueue("private key \(configuration.privateKeyPath)") }
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        pointer = context
        isServer = true
        acceptedServerNames = configuration.acceptedServerNames?.map { Self.lowercasedASCII($0) }
        if acceptedServerNames != nil {
            // The context owns the SSL_CTX, so an unretained reference outlives every callback.
            _ = mtascan_SSL_CTX_set_tlsext_servername_arg(context, Unmanaged.passUnretained(self).toOpaque())
            _ = mtascan_SSL_CTX_set_tlsext_servername_callback(context) { ssl, alert, argument in
                guard let argument else { return SSL_TLSEXT_ERR_OK }
                let context = Unmanaged<TLSContext>.fromOpaque(argument).takeUnretainedValue()
                let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
                if let name, context.acceptsServerName(name) { return SSL_TLSEXT_ERR_OK }
                alert?.pointee = SSL_AD_UNRECOGNIZED_NAME
                return SSL_TLSEXT_ERR_ALERT_FATAL
            }
        }
    }

    deinit { SSL_CTX_free(pointer) }

    /// What a record says about `leaf` (an `X509 *` the caller keeps alive),
    /// read once per certificate: `sha256` is its digest, nil if it could
    /// not be taken (then it is read every time).
    func certificateInfo(of leaf: OpaquePointer, sha256: [UInt8]?, chainLength: Int) -> CertificateInfo {
        if let sha256, let known = certificateInfos[sha256] { return known.withChainLength(chainLength) }
        let certificate = CertificateInfo(x509: leaf, chainLength: chainLength, sha256: sha256)
        if let sha256, certificate.dnsNames.reduce(0, { $0 + $1.utf8.count }) <= Self.maxCachedNameBytes {
            certificateInfos.insert(certificate, for: sha256)
        }
        return certificate
    }

    private func acceptsServerName(_ name: String) -> Bool {
        acceptedServerNames?.contains(Self.lowercasedASCII(name)) ?? true
    }

    private static func configureCommon(_ context: OpaquePointer, minimum: TLSVersion,
                                        maximum: TLSVersion?) throws(OpenSSLError) {
        guard mtascan_SSL_CTX_set_min_proto_version(context, Int32(minimum.wireValue)) == 1,
              mtascan_SSL_CTX_set_max_proto_version(context, Int32(maximum?.wireValue ?? 0)) == 1
        else { throw .drainingQueue("protocol versions \(minimum)...\(maximum?.name ?? "newest")") }
        // OpenSSL's DEFAULT list, whatever the system configuration says, at
        // security level 0: TLS 1.0/1.1 handshakes need it in OpenSSL 3.0, and a
        // scanner wants to see the certificate behind weak parameters. DEFAULT
        // excludes anonymous suites, so servers always present a certificate.
        guard SSL_CTX_set_cipher_list(context, "DEFAULT") == 1 else {
            throw .drainingQueue("cipher list")
        }
        SSL_CTX_set_security_level(context, 0)
        // Renegotiation is an attack surface and no probe needs it; compression
        // is off by default in 3.0 and stays off (CRIME).
        _ = SSL_CTX_set_options(context, mtascan_SSL_OP_NO_RENEGOTIATION | mtascan_SSL_OP_NO_COMPRESSION)
        // Partial writes and a moving buffer let TLSSession keep unsent plaintext
        // in a Swift array; released buffers keep thousands of idle sessions small.
        _ = mtascan_SSL_CTX_set_mode(
            context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
    }

    /// Trust anchors are loaded into memory up front. The system default is
    /// OpenSSL's default CA *file* only, not its hashed directory
    /// (`SSL_CTX_set_default_verify_paths` adds both): directory lookups read
    /// files during verification, on the loop thread, for every unknown issuer.
    private static func loadTrustRoots(_ roots: TLSConfiguration.TrustRoots,
                                       into context: OpaquePointer) throws(OpenSSLError) {
        let path: String
        switch roots {
        case .pemFile(let file):
            path = file
        case .systemDefault:
            let fromEnvironment = getenv(String(cString: X509_get_default_cert_file_env())).map { String(cString: $0) }
            path = fromEnvironment ?? String(cString: X509_get_default_cert_file())
        }
        guard SSL_CTX_load_verify_file(context, path) == 1 else {
            throw .drainingQueue("trust anchors \(path) (use --ca-file PATH for a PEM bundle)")
        }
    }

    private static func lowercasedASCII(_ name: String) -> String {
        String(decoding: name.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

@available(*, unavailable)
extension TLSContext: Sendable {}
