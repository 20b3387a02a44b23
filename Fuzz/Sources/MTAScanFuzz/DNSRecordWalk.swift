/// The record headers of a DNS message found by a walk that shares no code
/// with `DNSWireFraming` or ldns: names are skipped label by label up to the
/// root or a pointer (never followed), and each record's RDLENGTH says where
/// the next begins. Nil if the bytes do not frame.
struct DNSRecordWalk {
    struct Record: Equatable {
        var type: UInt16
        var ttl: UInt32
    }

    private(set) var questionTypes: [UInt16] = []
    private(set) var answer: [Record] = []
    private(set) var authority: [Record] = []
    private(set) var additional: [Record] = []

    init?(_ wire: [UInt8]) {
        guard wire.count >= 12 else { return nil }
        func u16(_ at: Int) -> UInt16 { UInt16(wire[at]) << 8 | UInt16(wire[at + 1]) }
        func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) << 16 | UInt32(u16(at + 2)) }
        var position = 12

        func skipName() -> Bool {
            while position < wire.count {
                let length = Int(wire[position])
                if length >= 0xC0 {
                    position += 2
                    return position <= wire.count
                }
                if length == 0 {
                    position += 1
                    return true
                }
                position += 1 + length
            }
            return false
        }

        for _ in 0..<u16(4) {
            guard skipName(), position + 4 <= wire.count else { return nil }
            questionTypes.append(u16(position))
            position += 4
        }
        for (section, count) in [(0, u16(6)), (1, u16(8)), (2, u16(10))] {
            for _ in 0..<count {
                guard skipName(), position + 10 <= wire.count else { return nil }
                let record = Record(type: u16(position), ttl: u32(position + 4))
                position += 10 + Int(u16(position + 8))
                guard position <= wire.count else { return nil }
                switch section {
                case 0: answer.append(record)
                case 1: authority.append(record)
                default: additional.append(record)
                }
            }
        }
    }
}
