#if canImport(Glibc)
internal import Glibc
#endif
internal import COpenSSL
internal import CMTAScanShims
import MTAScanCore

extension CertificateInfo {
    /// What a scan records about `certificate` (an `X509 *` the caller keeps
    /// alive); `chainLength` is how many certificates the peer sent.
    /// `sha256` is the certificate's digest when the caller has it already.
    init(x509 certificate: OpaquePointer, chainLength: Int, sha256: [UInt8]? = nil) {
        let key = X509Fields.publicKey(of: certificate)
        self.init(
            subject: X509Fields.rfc2253(X509_get_subject_name(certificate)),
            issuer: X509Fields.rfc2253(X509_get_issuer_name(certificate)),
            dnsNames: X509Fields.subjectAltDNSNames(of: certificate),
            notBefore: X509Fields.unixSeconds(X509_get0_notBefore(certificate)),
            notAfter: X509Fields.unixSeconds(X509_get0_notAfter(certificate)),
            keyType: key.type,
            keyBits: key.bits,
            keyCurve: key.curve,
            signatureAlgorithm: String(cString: OBJ_nid2ln(X509_get_signature_nid(certificate))),
            sha256Fingerprint: sha256.map { Hex.lowercase($0) } ?? X509Fields.sha256Fingerprint(of: certificate),
            chainLength: chainLength
        )
    }
}

/// Field extraction from an `X509 *`. Certificates come from the network:
/// every field may be absent or malformed, and each extractor then returns an
/// empty or placeholder value rather than failing the whole record.
enum X509Fields {
    /// Longest RFC 2253 text kept (bytes); real subjects are a few hundred.
    static let maxNameTextLength = 1024

    static func rfc2253(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, mtascan_XN_FLAG_RFC2253) >= 0 else { return "" }
        var data: UnsafeMutablePointer<CChar>?
        let length = mtascan_BIO_get_mem_data(bio, &data)
        guard let data, length > 0 else { return "" }
        let kept = min(Int(length), maxNameTextLength)
        return data.withMemoryRebound(to: UInt8.self, capacity: kept) {
            String(decoding: UnsafeBufferPointer(start: $0, count: kept), as: UTF8.self)
        }
    }

    /// subjectAltName dNSName entries, in order. A certificate with a
    /// malformed or duplicated SAN extension has none (OpenSSL returns NULL).
    static func subjectAltDNSNames(of certificate: OpaquePointer) -> [String] {
        guard let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { mtascan_GENERAL_NAMES_free(names) }
        var result: [String] = []
        for index in 0..<max(0, mtascan_sk_GENERAL_NAME_num(names)) {
            guard let name = mtascan_sk_GENERAL_NAME_value(names, index), name.pointee.type == GEN_DNS,
                  let string = name.pointee.d.dNSName
            else { continue }
            result.append(text(of: string))
        }
        return result
    }

    /// An ASN1 string's bytes as UTF-8 (invalid sequences become U+FFFD).
    static func text(of string: UnsafeMutablePointer<ASN1_STRING>) -> String {
        let length = Int(ASN1_STRING_length(string))
        guard length > 0, let bytes = ASN1_STRING_get0_data(string) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }

    /// nil when the time field is malformed.
    static func unixSeconds(_ time: UnsafePointer<ASN1_TIME>?) -> Int64? {
        guard let time else { return nil }
        var fields = tm()
        guard ASN1_TIME_to_tm(time, &fields) == 1 else { return nil }
        return UnixTime.seconds(year: Int(fields.tm_year) + 1900, month: Int(fields.tm_mon) + 1,
                                day: Int(fields.tm_mday), hour: Int(fields.tm_hour), minute: Int(fields.tm_min),
                                second: Int(fields.tm_sec))
    }

    static func publicKey(of certificate: OpaquePointer) -> (type: String, bits: Int, curve: String?) {
        guard let key = X509_get0_pubkey(certificate) else { return ("none", 0, nil) }
        let bits = Int(EVP_PKEY_get_bits(key))
        let type: String
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA: type = "RSA"
        case EVP_PKEY_RSA_PSS: type = "RSA-PSS"
        case EVP_PKEY_EC: type = "EC"
        case EVP_PKEY_ED25519: type = "Ed25519"
        case EVP_PKEY_ED448: type = "Ed448"
        case EVP_PKEY_DSA: type = "DSA"
        default: type = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
        }
        var curve: String?
        if type == "EC" {
            var buffer = [CChar](repeating: 0, count: 80)
            var length = 0
            if EVP_PKEY_get_group_name(key, &buffer, buffer.count, &length) == 1, length > 0, length < buffer.count {
                curve = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        return (type, bits, curve)
    }

    /// SHA-256 over the certificate's DER; nil if it could not be taken.
    static func sha256(of certificate: OpaquePointer) -> [UInt8]? {
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        return appendSHA256(of: certificate, to: &digest) ? digest : nil
    }

    static func sha256Fingerprint(of certificate: OpaquePointer) -> String {
        var digest: [UInt8] = []
        guard appendSHA256(of: certificate, to: &digest) else { return "" }
        return Hex.lowercase(digest)
    }

    /// SHA-256 over the certificate's DER, appended to `bytes`; false if it failed.
    static func appendSHA256(of certificate: OpaquePointer, to bytes: inout [UInt8]) -> Bool {
        var digest = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var length: UInt32 = 0
        let done = withUnsafeMutableBytes(of: &digest) { buffer in
            X509_digest(certificate, sha256, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), &length) == 1
        }
        guard done, length == 32 else { return false }
        withUnsafeBytes(of: &digest) { bytes.append(contentsOf: $0.prefix(32)) }
        return true
    }

    /// Fetched once: `EVP_sha256()` makes OpenSSL 3 look the implementation up
    /// again at every digest (an "implicit fetch", with its locks).
    nonisolated(unsafe) private static let sha256: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256()
}
