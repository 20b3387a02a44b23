/// The one request mtascan sends to a policy host (RFC 8461 §3.3):
/// `GET /.well-known/mta-sts.txt` over HTTPS, no redirects, no caching.
///
/// Every byte of it comes from validated values: the host is a `DomainName`
/// (letters, digits, `-`, `_` and dots) and the `User-Agent` is reduced to
/// visible ASCII, so nothing can inject a header or a second request.
public struct PolicyFetchRequest: Sendable, Equatable {
    /// RFC 8461 §3.3: the policy lives at this well-known path (RFC 8615).
    public static let path = "/.well-known/mta-sts.txt"
    /// Where operators who see mtascan in their logs learn what it is; the
    /// deployment passes its own address.
    public static let defaultInfoURL = "https://mtascan.invalid/about"

    /// `mtascan/<version> (+<info URL>)`.
    public let userAgent: String

    public init(version: String, infoURL: String = PolicyFetchRequest.defaultInfoURL) {
        userAgent = "mtascan/\(Self.visible(version)) (+\(Self.visible(infoURL)))"
    }

    /// The request for `host`, normally `mta-sts.<policy domain>`.
    ///
    /// `Accept-Encoding: identity` because a request without it accepts any
    /// content coding (RFC 9110 §12.5.3) and the core has no decompressor;
    /// `Connection: close` because one response is all there is to read, and
    /// it lets a body without `Content-Length` end at the close.
    public func bytes(host: DomainName) -> [UInt8] {
        var text = "GET \(Self.path) HTTP/1.1\r\n"
        text += "Host: \(host.text)\r\n"
        text += "User-Agent: \(userAgent)\r\n"
        text += "Accept: text/plain\r\n"
        text += "Accept-Encoding: identity\r\n"
        text += "Connection: close\r\n"
        text += "\r\n"
        return Array(text.utf8)
    }

    /// The request for a host given as text; nil unless it is a valid `DomainName`.
    public func bytes(host: String) -> [UInt8]? {
        guard case .success(let name) = DomainName.parse(host) else { return nil }
        return bytes(host: name)
    }

    /// `text` with every byte that is not VCHAR (0x21...0x7E) removed:
    /// no spaces, no controls, no line breaks.
    private static func visible(_ text: String) -> String {
        String(decoding: text.utf8.filter { $0 > 0x20 && $0 < 0x7F }, as: UTF8.self)
    }
}
