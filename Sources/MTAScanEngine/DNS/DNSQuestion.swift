/// The question of a DNS message (RFC 1035 §4.1.2).
public struct DNSQuestion: Sendable, Equatable {
    /// Lower-case, no trailing dot (`.` for the root); see `DNSNameText`.
    public var name: String
    public var type: DNSRecordType
    /// `DNSClass.internet` in every response to mtascan's own queries.
    public var recordClass: UInt16

    public init(name: String, type: DNSRecordType, recordClass: UInt16 = DNSClass.internet) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
    }
}
