internal import CLibUV

/// One allocation holding a libuv request (`uv_write_t`, `uv_udp_send_t`) followed by a copy
/// of the bytes it sends, which must stay valid until the request's callback. The request's
/// `data` carries the caller's completion, if any; `complete` frees everything in the
/// callback, before calling the completion.
struct OutgoingBytes<Request> {
    let request: UnsafeMutablePointer<Request>
    let buffer: uv_buf_t

    private static var payloadOffset: Int {
        let stride = MemoryLayout<Request>.stride
        return (stride + 15) & ~15
    }

    /// Throws `invalidArgument` for more than 4 GiB, which one `uv_buf_t` cannot describe.
    init(copying bytes: UnsafeRawBufferPointer, completion: ((UVError?) -> Void)?) throws(UVError) {
        guard bytes.count <= Int(UInt32.max) else { throw UVError.invalidArgument }
        let memory = UnsafeMutableRawPointer.allocate(
            byteCount: Self.payloadOffset + max(bytes.count, 1),
            alignment: max(MemoryLayout<Request>.alignment, 16)
        )
        let payload = memory + Self.payloadOffset
        if let source = bytes.baseAddress, !bytes.isEmpty {
            payload.copyMemory(from: source, byteCount: bytes.count)
        }
        request = memory.bindMemory(to: Request.self, capacity: 1)
        buffer = uv_buf_init(payload.assumingMemoryBound(to: CChar.self), UInt32(bytes.count))
        let context = completion.map { Unmanaged.passRetained(RequestCompletion($0)).toOpaque() }
        UnsafeMutablePointer<uv_req_t>(OpaquePointer(request)).pointee.data = context
    }

    /// Frees a request libuv refused, without calling its completion.
    func discard() {
        let data = UnsafeMutablePointer<uv_req_t>(OpaquePointer(request)).pointee.data
        if let data { Unmanaged<RequestCompletion>.fromOpaque(data).release() }
        UnsafeMutableRawPointer(request).deallocate()
    }

    /// In the request's callback: frees the request and its bytes, then reports `status`.
    static func complete(_ request: UnsafeMutablePointer<Request>, status: Int32) {
        let data = UnsafeMutablePointer<uv_req_t>(OpaquePointer(request)).pointee.data
        UnsafeMutableRawPointer(request).deallocate()
        guard let data else { return }
        let completion = Unmanaged<RequestCompletion>.fromOpaque(data).takeRetainedValue()
        completion.callback(status < 0 ? UVError(code: status) : nil)
    }
}
