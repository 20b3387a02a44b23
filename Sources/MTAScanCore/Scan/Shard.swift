/// One share of a scan split over `count` machines (`scan --shard i/n`,
/// docs/scale-out.md). Every shard reads the whole input and scans the lines
/// whose key falls in its share, so the union of the shards' outputs holds one
/// record per input line, and no shard needs to talk to another.
///
/// The key is what a record's `domain` says: the name as mtascan writes it
/// (lower case, A-labels, no final dot) or, for a line that holds no valid
/// name, the line's text. Its share is fixed for ever, on every machine and in
/// every version, with no seed: the 64-bit FNV-1a hash of the key's UTF-8
/// bytes, reduced to `0..<count` by its high bits (`hash × count >> 64`),
/// which are FNV's best mixed. In Python:
///
///     h = 0xcbf29ce484222325
///     for b in key.encode(): h = ((h ^ b) * 0x100000001b3) % 2**64
///     shard = (h * count) >> 64
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    /// `i/n`, as `--shard` and the metadata write it.
    public var description: String { "\(index)/\(count)" }

    /// Parses `i/n` (0-based index, decimal).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Self.decimal(parts[0]), let count = Self.decimal(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    public func owns(_ key: some Sequence<UInt8>) -> Bool {
        Self.index(of: key, count: count) == index
    }

    /// The share of `key` among `count`.
    public static func index(of key: some Sequence<UInt8>, count: Int) -> Int {
        precondition(count >= 1)
        let product = fnv1a64(key).multipliedFullWidth(by: UInt64(count))
        return Int(product.high)
    }

    public static func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The name of the hash in the metadata, so that a reader knows which
    /// function placed the records.
    public static let hashName = "fnv1a64-high"

    private static func decimal(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }
}
