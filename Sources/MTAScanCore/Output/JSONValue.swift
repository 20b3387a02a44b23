/// A JSON value whose objects keep their keys in insertion order, so that output
/// never depends on hash order and records diff cleanly between scans.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Text that came off the network as bytes: valid UTF-8 is kept as is, each
    /// invalid sequence becomes U+FFFD, so the output is always valid JSON.
    public static func text<Bytes: Collection>(_ bytes: Bytes) -> JSONValue where Bytes.Element == UInt8 {
        .string(String(decoding: bytes, as: UTF8.self))
    }

    public static func strings(_ values: some Sequence<String>) -> JSONValue {
        .array(values.map { .string($0) })
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .double(value) }
}

/// A JSON object with ordered keys. Keys are unique: setting an existing key
/// replaces its value in place. Lookup is linear, which beats hashing for the
/// handful of keys a record or finding carries.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(key: String, value: JSONValue)]

    public init() { fields = [] }

    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        fields = []
        fields.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    /// A literal's keys are written by hand and unique: taken as they are,
    /// without the quadratic check (records are built from literals, once per domain).
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        assert(Set(elements.map(\.0)).count == elements.count, "duplicate key in a JSONObject literal")
        fields = elements.map { (key: $0.0, value: $0.1) }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }
    public var keys: [String] { fields.map(\.key) }

    /// Reading gives the value or nil; assigning nil removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            for field in fields where Self.same(field.key, key) { return field.value }
            return nil
        }
        set {
            if let index = fields.firstIndex(where: { Self.same($0.key, key) }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append((key, newValue))
            }
        }
    }

    /// Keys of different lengths are told apart without a string
    /// comparison: records are built by setting keys, many per record.
    @inline(__always)
    private static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a == b
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
