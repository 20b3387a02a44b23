#if canImport(Glibc)
internal import Glibc
#endif
internal import CMTAScanShims

/// Process-wide OpenSSL set-up: `mtascan` runs `initialize()` before any
/// subcommand; every `TLSContext` makes sure of the key methods itself (tests
/// make contexts without `main`).
public enum OpenSSLProcess {
    public static func initialize() {
        // No exit-time cleanup of OpenSSL's global state: at exit it would free
        // locks and tables that a thread still ending (not joined: signal and
        // progress threads, Dispatch workers) may yet use while freeing its own
        // OpenSSL objects. A heap corruption detected at exit was seen once in a
        // full test run and never reproduced; this takes away the one exit-time
        // path that frees state shared between threads. Must come first.
        _ = mtascan_OPENSSL_init_without_atexit()
        _ = usesBuiltinKeyMethods
    }

    /// Whether RSA and EC keys go through OpenSSL's built-in methods rather
    /// than a provider decoder per certificate (OpenSSL 3.0 only; the C file
    /// `legacy_keys.c` says why). Decided once, before the first certificate
    /// is loaded. `MTASCAN_OPENSSL_PROVIDER_KEYS=1` keeps the provider path,
    /// to measure the difference.
    public static let usesBuiltinKeyMethods: Bool = {
        if let value = getenv("MTASCAN_OPENSSL_PROVIDER_KEYS"), String(cString: value) == "1" { return false }
        return mtascan_use_builtin_key_methods() == 1
    }()
}
