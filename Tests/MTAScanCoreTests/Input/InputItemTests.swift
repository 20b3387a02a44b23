import Testing
@testable import MTAScanCore

@Suite struct InputItemTests {
    @Test func boundsTextEvenWhenInvalidBytesGrowIntoReplacementCharacters() {
        let item = InputItem(line: 1, bytes: [UInt8](repeating: 0xFF, count: 2 * InputItem.maxTextLength), name: .failure(InputProblem(.nonASCII)))
        #expect(item.text.utf8.count <= InputItem.maxTextLength)
        #expect(item.text.unicodeScalars.allSatisfy { $0 == "\u{FFFD}" })
        #expect(InputItem(line: 1, bytes: Array("abc".utf8), name: .failure(InputProblem(.empty))).text == "abc")
    }
}
