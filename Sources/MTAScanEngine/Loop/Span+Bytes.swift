extension Array where Element == UInt8 {
    /// Copies the bytes a receive or read callback lends (its `Span` is valid only during the
    /// callback) into an array the caller may keep.
    public init(copying bytes: Span<UInt8>) {
        self = bytes.withUnsafeBufferPointer { Array($0) }
    }
}
