/// Serialises `JSONValue`s to compact UTF-8 JSON: no whitespace, keys in their
/// stored order, every string escaped so the output is valid JSON and one line.
///
/// One writer is reused across records; `line(_:)` gives an NDJSON line.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// One NDJSON line: the value followed by `\n`.
    public mutating func writeLine(_ value: JSONValue) {
        write(value)
        bytes.append(UInt8(ascii: "\n"))
    }

    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): append(String(i))
        case .double(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            for (index, field) in object.fields.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(field.key)
                bytes.append(UInt8(ascii: ":"))
                write(field.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func append(_ literal: String) {
        bytes.append(contentsOf: literal.utf8)
    }

    private mutating func writeDouble(_ d: Double) {
        // JSON has no NaN or infinity; null is what consumers (DuckDB, pandas) read as missing.
        guard d.isFinite else { return append("null") }
        if d == d.rounded(), abs(d) < 1e15 {
            append(String(Int(d)))
        } else {
            append(String(d))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Escapes `"`, `\`, the C0 controls and DEL, and U+2028/U+2029 (which break
    /// JavaScript consumers). A Swift `String` is always valid Unicode, so
    /// everything else is copied as UTF-8 unchanged.
    private mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var utf8 = s.utf8.makeIterator()
        var pending: [UInt8] = []
        while let byte = utf8.next() {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20, 0x7F:
                writeUnicodeEscape(UInt16(byte))
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 / E2 80 A9.
                pending.removeAll(keepingCapacity: true)
                pending.append(byte)
                if let second = utf8.next() {
                    pending.append(second)
                    if second == 0x80, let third = utf8.next() {
                        if third == 0xA8 || third == 0xA9 {
                            writeUnicodeEscape(third == 0xA8 ? 0x2028 : 0x2029)
                            continue
                        }
                        pending.append(third)
                    }
                }
                bytes.append(contentsOf: pending)
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeUnicodeEscape(_ unit: UInt16) {
        bytes.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        bytes.append(Self.hexDigits[Int(unit >> 12 & 0xF)])
        bytes.append(Self.hexDigits[Int(unit >> 8 & 0xF)])
        bytes.append(Self.hexDigits[Int(unit >> 4 & 0xF)])
        bytes.append(Self.hexDigits[Int(unit & 0xF)])
    }
}

extension JSONValue {
    /// The compact JSON text of this value.
    public var jsonText: String {
        var writer = JSONWriter(capacity: 256)
        writer.write(self)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
