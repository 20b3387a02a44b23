/// How the byte stream of an established probe connection ended, before the
/// probe had its answer: the peer's FIN, or a socket error on a read or on a
/// write (a write to a peer that reset the connection fails with EPIPE; SIGPIPE
/// is ignored, see `BrokenPipe`).
enum ConnectionEnd: Equatable {
    case closed
    case failed(UVError)

    /// The `error` detail for a broken connection: the system error's name in
    /// lower case (`econnreset`, `epipe`, `etimedout`), as `ConnectFailureReason`
    /// spells the rarer connect errors.
    var errorName: String? {
        guard case .failed(let error) = self else { return nil }
        return error.name.lowercased()
    }
}
