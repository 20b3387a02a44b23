internal import CLibUV
internal import CLDNS
internal import COpenSSL
internal import CMTAScanShims

/// Versions of the C libraries this build runs on, for `mtascan version` and
/// for the scan metadata (results depend on OpenSSL's verifier and ldns's parser).
public enum LibraryVersions {
    public static var libuv: String { String(cString: uv_version_string()) }
    public static var ldns: String { String(cString: ldns_version()) }
    public static var openssl: String { String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }
}

/// Process-wide OpenSSL set-up, run once before any subcommand.
public enum OpenSSLProcess {
    /// No exit-time cleanup of OpenSSL's global state: at exit it would free
    /// locks and tables that a thread still ending (not joined: signal and
    /// progress threads, Dispatch workers) may yet use while freeing its own
    /// OpenSSL objects. A heap corruption detected at exit was seen once in a
    /// full test run and never reproduced; this takes away the one exit-time
    /// path that frees state shared between threads.
    public static func initialize() {
        _ = mtascan_OPENSSL_init_without_atexit()
    }
}
