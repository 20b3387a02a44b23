/// An input as the targets read it: leading control bytes choose parameters
/// (where to split, which limits), and what follows is the payload.
///
/// Controls come from the input itself, not from a random source, so every
/// crash artifact replays exactly.
struct FuzzInput {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The next control byte, 0 once the input is used up.
    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// Everything after the control bytes taken so far.
    var rest: [UInt8] { position < bytes.count ? Array(bytes[position...]) : [] }

    /// A split plan read from one control byte.
    mutating func splits() -> Splits { Splits(control: byte()) }
}

/// Where to cut a payload into the pieces a parser is fed, as a network read
/// or a file read would cut it. Control byte 0 feeds the whole payload at
/// once, 1 a byte at a time, anything else pieces of 1...control bytes in a
/// pattern seeded by the control byte (SplitMix64), so chunk boundaries fall
/// everywhere: inside a CRLF, a multi-byte character, a number, an escape.
struct Splits: Sendable {
    let control: UInt8

    func pieces(of payload: [UInt8]) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var sizes = sizeSequence()
        var start = 0
        while start < payload.count {
            let end = min(payload.count, start + sizes.next())
            pieces.append(payload[start..<end])
            start = end
        }
        return pieces
    }

    func sizeSequence() -> SizeSequence { SizeSequence(control: control) }

    struct SizeSequence {
        private let control: UInt8
        private var state: UInt64

        init(control: UInt8) {
            self.control = control
            state = UInt64(control)
        }

        mutating func next() -> Int {
            switch control {
            case 0: return .max / 2
            case 1: return 1
            default:
                // SplitMix64 (Steele, Lea, Flood 2014): cheap, and every seed gives a full-period stream.
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                return 1 + Int(z % UInt64(control))
            }
        }
    }
}
