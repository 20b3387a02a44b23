internal import CLibUV
internal import Glibc

// The only place a SocketAddress meets `struct sockaddr`. Pointers handed to the
// closures below are valid only inside them.
extension SocketAddress {
    /// Reads an AF_INET or AF_INET6 address; nil for any other family.
    init?(_ address: UnsafePointer<sockaddr>) {
        let raw = UnsafeRawPointer(address)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let v4 = raw.loadUnaligned(as: sockaddr_in.self)
            self.init(ip: IPAddress(ipv4: UInt32(bigEndian: v4.sin_addr.s_addr)), port: UInt16(bigEndian: v4.sin_port))
        case AF_INET6:
            let v6 = raw.loadUnaligned(as: sockaddr_in6.self)
            let (high, low) = withUnsafeBytes(of: v6.sin6_addr) { bytes in
                (UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                 UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
            self.init(ip: IPAddress(ipv6: high, low, scopeID: v6.sin6_scope_id), port: UInt16(bigEndian: v6.sin6_port))
        default:
            return nil
        }
    }

    /// Calls `body` with this address as a `sockaddr` (a `sockaddr_in` or `sockaddr_in6`).
    func withSockAddr<Result, Failure: Error>(
        _ body: (UnsafePointer<sockaddr>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        switch ip.storage {
        case .v4(let value):
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            v4.sin_addr.s_addr = value.bigEndian
            return try withUnsafePointer(to: &v4) { (pointer) throws(Failure) -> Result in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(Failure) -> Result in
                    try body(address)
                }
            }
        case .v6(let high, let low, let scopeID):
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            v6.sin6_scope_id = scopeID
            withUnsafeMutableBytes(of: &v6.sin6_addr) { bytes in
                bytes.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
                bytes.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            return try withUnsafePointer(to: &v6) { (pointer) throws(Failure) -> Result in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(Failure) -> Result in
                    try body(address)
                }
            }
        }
    }

    /// Reads the address a `getsockname`-style call writes, e.g. `uv_tcp_getsockname`.
    static func fromSocketCall(
        _ call: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<Int32>) -> Int32
    ) throws(UVError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { call($0, &length) }
        }
        try uvCheck(result)
        let address = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress($0) }
        }
        guard let address else { throw UVError.addressFamilyNotSupported }
        return address
    }
}
