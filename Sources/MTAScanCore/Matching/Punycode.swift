/// Punycode encoding (RFC 3492 §6.3), the bootstring behind IDNA A-labels.
///
/// Only encoding, and only what the Public Suffix List needs: its IDN rules are
/// written in Unicode (already lower-case and NFC, as the list requires), while
/// DNS and mtascan speak A-labels (`xn--…`). No IDNA mapping or validation
/// (RFC 5891) is done here: callers pass labels that are already canonical.
enum Punycode {
    // RFC 3492 §5, parameter values for Punycode.
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 128

    /// A label is at most 63 octets, so anything longer than this many code
    /// points can never become one; the bound also keeps `delta` far from
    /// overflow (0x10FFFF × 257 < 2^29).
    static let maxCodePoints = 256

    /// The Punycode form of `label` (without the `xn--` prefix), or nil when the
    /// label is too long to be one. ASCII upper-case is lower-cased first.
    static func encode(_ label: some Sequence<Unicode.Scalar>) -> [UInt8]? {
        let input = label.map { $0.isASCII ? UInt32(ASCII.lower(UInt8($0.value))) : $0.value }
        guard input.count <= maxCodePoints else { return nil }

        // §6.3: basic code points are copied first, then a delimiter if any were.
        var output = input.filter { $0 < 0x80 }.map { UInt8($0) }
        let basicCount = output.count
        if basicCount > 0 { output.append(UInt8(ascii: "-")) }

        var n = initialN
        var delta = 0
        var bias = initialBias
        var handled = basicCount
        while handled < input.count {
            // The smallest code point not yet handled (one exists: handled < count).
            var next = Int.max
            for c in input where Int(c) >= n && Int(c) < next { next = Int(c) }
            delta += (next - n) * (handled + 1)
            n = next
            for c in input {
                let c = Int(c)
                if c < n { delta += 1 }
                guard c == n else { continue }
                var q = delta
                var k = base
                while true {
                    let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta: delta, points: handled + 1, first: handled == basicCount)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return output
    }

    /// A dotted UTF-8 name with each non-ASCII label turned into its A-label
    /// (`xn--` + Punycode) and ASCII lower-cased. Nil for invalid UTF-8 or a
    /// label too long to encode.
    static func aLabelName(utf8 name: some Collection<UInt8>) -> [UInt8]? {
        var result = [UInt8]()
        result.reserveCapacity(name.count + 8)
        for (index, label) in name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).enumerated() {
            if index > 0 { result.append(UInt8(ascii: ".")) }
            if label.allSatisfy({ $0 < 0x80 }) {
                result.append(contentsOf: label.lazy.map(ASCII.lower))
                continue
            }
            guard let text = String(validating: label, as: UTF8.self),
                  let encoded = encode(text.unicodeScalars)
            else { return nil }
            result.append(contentsOf: "xn--".utf8)
            result.append(contentsOf: encoded)
        }
        return result
    }

    /// §5: digit values 0–25 are `a`–`z`, 26–35 are `0`–`9`.
    private static func digit(_ value: Int) -> UInt8 {
        value < 26 ? UInt8(ascii: "a") + UInt8(value) : UInt8(ascii: "0") + UInt8(value - 26)
    }

    /// §6.1: bias adaptation after each delta.
    private static func adapt(delta: Int, points: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
