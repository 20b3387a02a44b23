/// A `Content-Type` value (RFC 9110 §8.3.1):
/// `type "/" subtype *( OWS ";" OWS [ parameter ] )`,
/// `parameter = name "=" ( token / quoted-string )`.
public struct HTTPContentType: Sendable {
    /// `type/subtype`, lower-cased (both are case-insensitive), without parameters.
    public var mediaType: String
    /// Parameters in order, names lower-cased, values unquoted as sent
    /// (a `charset` value is case-insensitive, but that is the reader's business).
    public var parameters: [(name: String, value: String)]

    public init(mediaType: String, parameters: [(name: String, value: String)] = []) {
        self.mediaType = mediaType
        self.parameters = parameters
    }

    /// The value of parameter `name` (lower-case), or nil.
    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// Nil if `text` is not a media type by the grammar above.
    public static func parse(_ text: String) -> HTTPContentType? {
        let bytes = Array(text.utf8)
        var index = 0
        func skipOWS() { while index < bytes.count, ASCII.isWSP(bytes[index]) { index += 1 } }
        func token() -> [UInt8]? {
            let start = index
            while index < bytes.count, HTTPSyntax.isTokenByte(bytes[index]) { index += 1 }
            return index > start ? bytes[start..<index].map(ASCII.lower) : nil
        }

        skipOWS()
        guard let type = token(), index < bytes.count, bytes[index] == UInt8(ascii: "/") else { return nil }
        index += 1
        guard let subtype = token() else { return nil }
        var result = HTTPContentType(mediaType: String(decoding: type + [UInt8(ascii: "/")] + subtype, as: UTF8.self))

        while true {
            skipOWS()
            if index == bytes.count { return result }
            guard bytes[index] == UInt8(ascii: ";") else { return nil }
            index += 1
            skipOWS()
            // `[ parameter ]`: an empty one, as in `text/plain;`, is allowed.
            if index == bytes.count || bytes[index] == UInt8(ascii: ";") { continue }
            guard let name = token(), index < bytes.count, bytes[index] == UInt8(ascii: "=") else { return nil }
            index += 1
            guard let value = parameterValue(bytes, &index) else { return nil }
            result.parameters.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
    }

    /// `token / quoted-string` (RFC 9110 §5.6.4), unquoted.
    private static func parameterValue(_ bytes: [UInt8], _ index: inout Int) -> [UInt8]? {
        guard index < bytes.count else { return nil }
        if bytes[index] != UInt8(ascii: "\"") {
            let start = index
            while index < bytes.count, HTTPSyntax.isTokenByte(bytes[index]) { index += 1 }
            return index > start ? Array(bytes[start..<index]) : nil
        }
        index += 1
        var value: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return value
            case UInt8(ascii: "\\"):
                guard index < bytes.count, HTTPSyntax.isFieldValueByte(bytes[index]) else { return nil }
                value.append(bytes[index])
                index += 1
            default:
                guard HTTPSyntax.isFieldValueByte(byte) else { return nil }
                value.append(byte)
            }
        }
        return nil
    }
}

extension HTTPContentType: Equatable {
    public static func == (lhs: HTTPContentType, rhs: HTTPContentType) -> Bool {
        lhs.mediaType == rhs.mediaType && lhs.parameters.count == rhs.parameters.count
            && zip(lhs.parameters, rhs.parameters).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
