/// The one request mtascan sends to an `https:` TLS-RPT report endpoint
/// (RFC 8460 §3): `HEAD` of the URI's path, to see that a server answers
/// there. Never a POST: a scanner must not file reports, even empty ones.
///
/// The request target comes from a `rua` URI that `ReportURI` accepted (URI
/// characters only, no space or line break) and is filtered to visible ASCII
/// again here, so nothing can inject a header or a second request.
public enum ReportEndpointRequest {
    public static func bytes(_ target: ReportEndpointTarget, userAgent: String) -> [UInt8] {
        let path = String(decoding: target.requestTarget.utf8.filter { $0 > 0x20 && $0 < 0x7F }, as: UTF8.self)
        let host = target.port == 443 ? target.host.text : "\(target.host.text):\(target.port)"
        var text = "HEAD \(path.isEmpty ? "/" : path) HTTP/1.1\r\n"
        text += "Host: \(host)\r\n"
        text += "User-Agent: \(userAgent)\r\n"
        text += "Accept-Encoding: identity\r\n"
        text += "Connection: close\r\n"
        text += "\r\n"
        return Array(text.utf8)
    }
}
