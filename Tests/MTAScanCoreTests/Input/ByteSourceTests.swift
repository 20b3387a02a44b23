import Testing
@testable import MTAScanCore

@Suite struct ByteSourceTests {
    @Test func memorySourceHandsOutChunksThenZero() throws {
        var source = MemoryByteSource([1, 2, 3, 4, 5], chunkSize: 2)
        var buffer = [UInt8](repeating: 0, count: 8)
        var reads: [[UInt8]] = []
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            reads.append(Array(buffer[..<count]))
        }
        #expect(reads == [[1, 2], [3, 4], [5]])
        #expect(try buffer.withUnsafeMutableBytes { try source.read(into: $0) } == 0)
    }

    @Test func memorySourceNeverOverfillsTheBuffer() throws {
        var source = MemoryByteSource([1, 2, 3, 4, 5])
        var buffer = [UInt8](repeating: 0, count: 3)
        #expect(try buffer.withUnsafeMutableBytes { try source.read(into: $0) } == 3)
        #expect(try buffer.withUnsafeMutableBytes { try source.read(into: $0) } == 2)
        #expect(buffer == [4, 5, 3])
    }

    @Test func chunkedInputStopsAtTheEnd() throws {
        var input = ChunkedInput(source: MemoryByteSource([9, 8, 7], chunkSize: 2), chunkSize: 16)
        var chunks: [[UInt8]] = []
        while try input.refill() {
            chunks.append(Array(UnsafeBufferPointer(start: input.base + input.position, count: input.end - input.position)))
            input.position = input.end
        }
        #expect(chunks == [[9, 8], [7]])
        let again = try input.refill()
        #expect(!again)
    }
}
