/// Lower-case hexadecimal text of bytes: fingerprints, TLSA data.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func lowercase(_ bytes: some Collection<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of hexadecimal text (either case, even length); nil for anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        let units = Array(text.utf8)
        guard units.count % 2 == 0 else { return nil }
        func value(_ unit: UInt8) -> UInt8? {
            switch unit {
            case 0x30...0x39: return unit - 0x30
            case 0x61...0x66: return unit - 0x61 + 10
            case 0x41...0x46: return unit - 0x41 + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(units.count / 2)
        var index = 0
        while index < units.count {
            guard let high = value(units[index]), let low = value(units[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
