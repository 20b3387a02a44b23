import Testing
@testable import MTAScanCore

@Suite struct ByteEqualityTests {
    func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in a.bytesEqual(b) } }
    }

    @Test(arguments: [0, 1, 7, 8, 9, 16, 17, 63])
    func comparesEveryByteAtEveryLength(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        #expect(equal(bytes, bytes))
        for index in 0..<length {
            var other = bytes
            other[index] ^= 0x20
            #expect(!equal(bytes, other), "differs at \(index)")
        }
        #expect(!equal(bytes, bytes + [0]))
    }
}
