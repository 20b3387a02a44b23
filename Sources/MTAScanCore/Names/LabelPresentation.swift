/// RFC 1035 §5.1 presentation of label bytes: printable ASCII as is, the label
/// separator and the escape character escaped with `\`, every other byte as
/// `\DDD`, so a hostile label can neither forge a label boundary nor smuggle
/// control characters into output. Zone-file text also escapes the characters
/// that are special in master files.
public enum LabelPresentation {
    public static func append(_ byte: UInt8, to text: inout [UInt8], escapingZoneSpecials: Bool) {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "\\"):
            text.append(UInt8(ascii: "\\"))
            text.append(byte)
        case UInt8(ascii: "\""), UInt8(ascii: ";"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "@"),
             UInt8(ascii: "$"):
            if escapingZoneSpecials { text.append(UInt8(ascii: "\\")) }
            text.append(byte)
        case 0x21...0x7E:
            text.append(byte)
        default:
            text.append(UInt8(ascii: "\\"))
            text.append(UInt8(ascii: "0") + byte / 100)
            text.append(UInt8(ascii: "0") + byte / 10 % 10)
            text.append(UInt8(ascii: "0") + byte % 10)
        }
    }
}
