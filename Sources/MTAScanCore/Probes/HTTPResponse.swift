/// The status line and header section of an HTTP/1.x response (RFC 9112 §4, §5).
public struct HTTPResponseHead: Sendable {
    /// 100...599 (RFC 9110 §15).
    public var status: Int
    /// The reason phrase as sent; RFC 9112 §4 has clients ignore it, mtascan reports it.
    public var reason: String
    /// The `1.x` minor version: 0 or 1 (higher minors are read as 1, RFC 9110 §2.5).
    public var minorVersion: Int
    /// Every field in order, names lower-cased (field names are case-insensitive,
    /// RFC 9110 §5.1), values without surrounding whitespace. Values are decoded
    /// as UTF-8 with U+FFFD for other bytes (`obs-text`, RFC 9110 §5.5).
    public var headers: [(name: String, value: String)]

    public init(status: Int, reason: String, minorVersion: Int = 1, headers: [(name: String, value: String)]) {
        self.status = status
        self.reason = reason
        self.minorVersion = minorVersion
        self.headers = headers
    }

    /// The values of every field named `name` (lower-case), in order.
    public func values(of name: String) -> [String] {
        headers.compactMap { $0.name == name ? $0.value : nil }
    }

    /// The first value of the field named `name` (lower-case), or nil.
    public func value(of name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// Any 3xx. RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed", so
    /// every 3xx ends the fetch, whether or not it carries a `Location`.
    public var isRedirect: Bool { (300...399).contains(status) }

    /// The `Location` field, if any.
    public var location: String? { value(of: "location") }

    /// The parsed `Content-Type`; nil if absent, malformed, or given more
    /// than once with different values (it is a singleton field, RFC 9110 §8.3).
    public var contentType: HTTPContentType? {
        let all = values(of: "content-type")
        guard let first = all.first, all.allSatisfy({ $0 == first }) else { return nil }
        return HTTPContentType.parse(first)
    }
}

extension HTTPResponseHead: Equatable {
    public static func == (lhs: HTTPResponseHead, rhs: HTTPResponseHead) -> Bool {
        lhs.status == rhs.status && lhs.reason == rhs.reason && lhs.minorVersion == rhs.minorVersion
            && lhs.headers.count == rhs.headers.count
            && zip(lhs.headers, rhs.headers).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// A complete HTTP/1.x response: the head and the de-chunked body.
public struct HTTPResponse: Sendable, Equatable {
    public var head: HTTPResponseHead
    public var body: [UInt8]

    public init(head: HTTPResponseHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }

    public var status: Int { head.status }
    public var reason: String { head.reason }
    public var headers: [(name: String, value: String)] { head.headers }
    public var contentType: HTTPContentType? { head.contentType }
    public var isRedirect: Bool { head.isRedirect }
    public var location: String? { head.location }
}
