/// Serialises `JSONValue`s to compact UTF-8 JSON: no whitespace, keys in their
/// stored order, every string escaped so the output is valid JSON and one line.
///
/// One writer is reused across records; `line(_:)` gives an NDJSON line.
///
/// Also a stream: `beginObject`, `key`, `string`, … write a value as it is
/// built, with no `JSONValue` tree in between (a scan writes a record per
/// domain, by the million), and `value` puts a tree inside it.
///
/// Non-copyable: it owns its buffer and writes into it with plain stores and
/// copies. Through an `Array` each byte cost a uniqueness and a capacity
/// check, and a record of a few hundred tokens about 25,000 instructions.
public struct JSONWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    /// Streaming: a value was just written, so the next key or element needs a comma.
    private var afterValue = false

    public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// The bytes written so far.
    public var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    public mutating func reset() {
        count = 0
        afterValue = false
    }

    // MARK: Streaming

    public mutating func beginObject() {
        separate()
        put(UInt8(ascii: "{"))
        afterValue = false
    }

    public mutating func endObject() {
        put(UInt8(ascii: "}"))
        afterValue = true
    }

    public mutating func beginArray() {
        separate()
        put(UInt8(ascii: "["))
        afterValue = false
    }

    public mutating func endArray() {
        put(UInt8(ascii: "]"))
        afterValue = true
    }

    /// A key of the object being written: a literal of plain ASCII (no escapes), written as it is.
    public mutating func key(_ name: StaticString) {
        // Room made once for the comma, the quotes, the name and the colon:
        // a record writes about fifty keys.
        let length = name.utf8CodeUnitCount
        reserve(length &+ 4)
        if afterValue {
            base[count] = UInt8(ascii: ",")
            count &+= 1
        }
        base[count] = UInt8(ascii: "\"")
        UnsafeMutableRawPointer(base + (count &+ 1)).copyMemory(from: name.utf8Start, byteCount: length)
        base[count &+ 1 &+ length] = UInt8(ascii: "\"")
        base[count &+ 2 &+ length] = UInt8(ascii: ":")
        count &+= length &+ 3
        afterValue = false
    }

    /// A string, or null for nil.
    public mutating func string(_ value: String?) {
        separate()
        if let value { writeString(value) } else { append("null") }
        afterValue = true
    }

    /// Text that came off the network as bytes, as `JSONValue.text` has it.
    public mutating func text<Bytes: Collection>(_ value: Bytes) where Bytes.Element == UInt8 {
        string(String(decoding: value, as: UTF8.self))
    }

    /// An integer, or null for nil.
    public mutating func int(_ value: Int?) {
        separate()
        if let value { writeInteger(value) } else { append("null") }
        afterValue = true
    }

    /// A boolean, or null for nil.
    public mutating func bool(_ value: Bool?) {
        separate()
        switch value {
        case true?: append("true")
        case false?: append("false")
        case nil: append("null")
        }
        afterValue = true
    }

    public mutating func null() {
        separate()
        append("null")
        afterValue = true
    }

    /// An array of strings.
    public mutating func strings(_ values: some Sequence<String>) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// A tree, written whole.
    public mutating func value(_ value: JSONValue) {
        separate()
        write(value)
        afterValue = true
    }

    /// Ends an NDJSON line after a streamed value.
    public mutating func endLine() {
        put(UInt8(ascii: "\n"))
        afterValue = false
    }

    @inline(__always)
    private mutating func separate() {
        if afterValue { put(UInt8(ascii: ",")) }
    }

    // MARK: Trees

    /// One NDJSON line: the value followed by `\n`.
    public mutating func writeLine(_ value: JSONValue) {
        write(value)
        put(UInt8(ascii: "\n"))
    }

    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): writeInteger(i)
        case .double(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let elements):
            put(UInt8(ascii: "["))
            var separator = false
            for element in elements {
                if separator { put(UInt8(ascii: ",")) }
                separator = true
                write(element)
            }
            put(UInt8(ascii: "]"))
        case .object(let object):
            put(UInt8(ascii: "{"))
            var separator = false
            for field in object.fields {
                if separator { put(UInt8(ascii: ",")) }
                separator = true
                writeString(field.key, then: UInt8(ascii: ":"))
                write(field.value)
            }
            put(UInt8(ascii: "}"))
        }
    }

    private mutating func append(_ literal: StaticString) {
        // A StaticString's bytes, without going through String's UTF-8 view.
        put(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Decimal digits straight into the buffer: no String per number.
    private mutating func writeInteger(_ value: Int) {
        if value < 0 { put(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var digitCount = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - digitCount] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                digitCount += 1
            } while magnitude > 0
            put(UnsafeRawBufferPointer(rebasing: buffer[(20 - digitCount)...]))
        }
    }

    private mutating func writeDouble(_ d: Double) {
        // JSON has no NaN or infinity; null is what consumers (DuckDB, pandas) read as missing.
        guard d.isFinite else { return append("null") }
        if d == d.rounded(), abs(d) < 1e15 {
            writeInteger(Int(d))
        } else {
            var text = String(d)
            text.withUTF8 { put(UnsafeRawBufferPointer($0)) }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Escapes `"`, `\`, the C0 controls and DEL, and U+2028/U+2029 (which break
    /// JavaScript consumers). A Swift `String` is always valid Unicode, so
    /// everything else is copied as UTF-8 unchanged.
    private mutating func writeString(_ s: String, then suffix: UInt8? = nil) {
        // Native strings are contiguous UTF-8: copy runs that need no escape at once.
        if s.utf8.withContiguousStorageIfAvailable({ writeQuoted($0, then: suffix) }) == nil {
            var contiguous = s
            contiguous.makeContiguousUTF8()
            contiguous.utf8.withContiguousStorageIfAvailable { writeQuoted($0, then: suffix) }
        }
    }

    /// The string in quotes, and `suffix` after it. A string with nothing to
    /// escape (nearly all: keys, names, codes) is copied in one go.
    private mutating func writeQuoted(_ utf8: UnsafeBufferPointer<UInt8>, then suffix: UInt8?) {
        let plain = Self.isPlain(utf8)
        put(UInt8(ascii: "\""))
        if plain { put(UnsafeRawBufferPointer(utf8)) } else { writeEscaped(utf8) }
        put(UInt8(ascii: "\""))
        if let suffix { put(suffix) }
    }

    /// No byte that `needsAttention`: checked eight bytes at a time (a
    /// string of a record is names, codes and addresses, almost never escaped).
    /// The word tests may say yes for a byte that needs nothing, never no for
    /// one that does; a yes is settled byte by byte.
    @inline(__always)
    private static func isPlain(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return true }
        var index = 0
        while index + 8 <= utf8.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if hasByte(below: 0x20, in: word) || hasByte(0x22, in: word) || hasByte(0x5C, in: word)
                || hasByte(0x7F, in: word) || hasByte(0xE2, in: word)
            {
                break
            }
            index += 8
        }
        while index < utf8.count {
            if needsAttention(utf8[index]) { return false }
            index += 1
        }
        return true
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101

    /// A byte of `word` below `limit` (at most 128): never a false no.
    @inline(__always)
    private static func hasByte(below limit: UInt64, in word: UInt64) -> Bool {
        (word &- ones &* limit) & ~word & (ones &* 0x80) != 0
    }

    @inline(__always)
    private static func hasByte(_ byte: UInt64, in word: UInt64) -> Bool {
        hasByte(below: 1, in: word ^ (ones &* byte))
    }

    /// A byte that may have to be escaped: `"`, `\`, C0 controls, DEL, and
    /// 0xE2, the lead byte of U+2028 and U+2029.
    @inline(__always)
    private static func needsAttention(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F || byte == 0xE2
    }

    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var index = 0
        let count = utf8.count
        func flushRun(upTo end: Int) {
            if runStart < end { put(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<end]))) }
        }
        while index < count {
            let byte = utf8[index]
            if !Self.needsAttention(byte) {
                index += 1
                continue
            }
            if byte == 0xE2 {
                // U+2028 and U+2029 are E2 80 A8 / E2 80 A9; other E2 sequences pass.
                guard index + 2 < count, utf8[index + 1] == 0x80, utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9 else {
                    index += 1
                    continue
                }
                flushRun(upTo: index)
                writeUnicodeEscape(utf8[index + 2] == 0xA8 ? 0x2028 : 0x2029)
                index += 3
                runStart = index
                continue
            }
            flushRun(upTo: index)
            switch byte {
            case UInt8(ascii: "\""): put(0x5C, 0x22)
            case UInt8(ascii: "\\"): put(0x5C, 0x5C)
            case 0x0A: put(0x5C, UInt8(ascii: "n"))
            case 0x0D: put(0x5C, UInt8(ascii: "r"))
            case 0x09: put(0x5C, UInt8(ascii: "t"))
            default: writeUnicodeEscape(UInt16(byte))
            }
            index += 1
            runStart = index
        }
        flushRun(upTo: count)
    }

    private mutating func writeUnicodeEscape(_ unit: UInt16) {
        put(0x5C, UInt8(ascii: "u"))
        put(Self.hexDigits[Int(unit >> 12 & 0xF)])
        put(Self.hexDigits[Int(unit >> 8 & 0xF)])
        put(Self.hexDigits[Int(unit >> 4 & 0xF)])
        put(Self.hexDigits[Int(unit & 0xF)])
    }

    // MARK: Bytes

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(to: count + extra) }
    }

    private mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count &+= 1
    }

    @inline(__always)
    private mutating func put(_ first: UInt8, _ second: UInt8) {
        reserve(2)
        base[count] = first
        base[count &+ 1] = second
        count &+= 2
    }

    @inline(__always)
    private mutating func put(_ source: UnsafeRawBufferPointer) {
        guard let from = source.baseAddress, !source.isEmpty else { return }
        reserve(source.count)
        if source.count <= 16 {
            // Keys, codes, statuses: a loop beats a call to memcpy.
            for index in 0..<source.count { base[count &+ index] = from.load(fromByteOffset: index, as: UInt8.self) }
        } else {
            UnsafeMutableRawPointer(base + count).copyMemory(from: from, byteCount: source.count)
        }
        count &+= source.count
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
