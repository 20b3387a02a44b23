internal import CLibUV

/// An error reported by libuv: the negative code it returned and a stable name.
///
/// `name` comes from `uv_err_name_r` ("ECONNREFUSED", "ETIMEDOUT", "EOF"): it is the
/// label to log and to map onto findings, because it does not change between libuv
/// versions or platforms, unlike the numeric code (which is `-errno` on Unix) and the
/// human message. Equality is by code.
public struct UVError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The negative libuv error code, e.g. `UV_ECONNREFUSED`.
    public let code: Int32

    public init(code: Int32) {
        self.code = code
    }

    init(_ errno: uv_errno_t) {
        self.code = errno.rawValue
    }

    /// The stable symbolic name, e.g. "ECONNREFUSED"; "Unknown system error N" for codes
    /// libuv does not know.
    public var name: String {
        // uv_err_name() leaks a heap string for unknown codes; the _r variant writes
        // into our buffer instead.
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            guard let base = buffer.baseAddress else { return "E\(code)" }
            return String(cString: uv_err_name_r(code, base, buffer.count))
        }
    }

    /// The human-readable message, e.g. "connection refused". Not stable: log it, never match it.
    public var message: String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 128) { buffer in
            guard let base = buffer.baseAddress else { return name }
            return String(cString: uv_strerror_r(code, base, buffer.count))
        }
    }

    public var description: String { "\(name) (\(message))" }

    public static let connectionRefused = UVError(UV_ECONNREFUSED)
    public static let connectionReset = UVError(UV_ECONNRESET)
    public static let timedOut = UVError(UV_ETIMEDOUT)
    /// An operation that was still pending when its handle was closed.
    public static let canceled = UVError(UV_ECANCELED)
    /// The peer closed its side of a stream.
    public static let endOfFile = UVError(UV_EOF)
    public static let addressInUse = UVError(UV_EADDRINUSE)
    public static let addressNotAvailable = UVError(UV_EADDRNOTAVAIL)
    public static let hostUnreachable = UVError(UV_EHOSTUNREACH)
    public static let networkUnreachable = UVError(UV_ENETUNREACH)
    public static let messageTooLong = UVError(UV_EMSGSIZE)
    public static let invalidArgument = UVError(UV_EINVAL)
    public static let addressFamilyNotSupported = UVError(UV_EAFNOSUPPORT)
    public static let brokenPipe = UVError(UV_EPIPE)
    public static let notConnected = UVError(UV_ENOTCONN)
    /// Used by this layer for an operation on a handle that is already closing or closed.
    public static let handleClosed = UVError(UV_EBADF)
}

/// Turns a libuv return value into a thrown `UVError` when it is negative.
@inline(__always)
func uvCheck(_ result: Int32) throws(UVError) {
    if result < 0 { throw UVError(code: result) }
}
