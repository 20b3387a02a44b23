internal import CLibUV
internal import CLDNS
internal import COpenSSL

/// Versions of the C libraries this build runs on, for `mtascan version` and
/// for the scan metadata (results depend on OpenSSL's verifier and ldns's parser).
public enum LibraryVersions {
    public static var libuv: String { String(cString: uv_version_string()) }
    public static var ldns: String { String(cString: ldns_version()) }
    public static var openssl: String { String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }
}

