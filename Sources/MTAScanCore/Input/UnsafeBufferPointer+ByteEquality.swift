extension UnsafeBufferPointer<UInt8> {
    /// Byte equality eight bytes at a time: the zone reader compares a name
    /// or two per record, where the generic `elementsEqual` walks iterators.
    func bytesEqual(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        guard let left = baseAddress, let right = other.baseAddress else { return true }
        var index = 0
        while index + 8 <= count {
            let a = UnsafeRawPointer(left + index).loadUnaligned(as: UInt64.self)
            let b = UnsafeRawPointer(right + index).loadUnaligned(as: UInt64.self)
            if a != b { return false }
            index += 8
        }
        while index < count {
            if left[index] != right[index] { return false }
            index += 1
        }
        return true
    }
}
