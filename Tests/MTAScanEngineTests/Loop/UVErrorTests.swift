import MTAScanEngine
import Testing

@Suite struct UVErrorTests {
    @Test func namesAreLibuvsStableSymbols() {
        #expect(UVError.connectionRefused.name == "ECONNREFUSED")
        #expect(UVError.timedOut.name == "ETIMEDOUT")
        #expect(UVError.canceled.name == "ECANCELED")
        #expect(UVError.endOfFile.name == "EOF")
        #expect(UVError.connectionReset.name == "ECONNRESET")
        #expect(UVError.handleClosed.name == "EBADF")
    }

    @Test func codesAreNegativeErrnoOnUnix() {
        #expect(UVError.connectionRefused.code == -111)
        #expect(UVError.timedOut.code == -110)
    }

    @Test func equalityIsByCode() {
        #expect(UVError(code: UVError.connectionRefused.code) == .connectionRefused)
        #expect(UVError.connectionRefused != .connectionReset)
    }

    @Test func unknownCodesGetANameWithoutCrashing() {
        let error = UVError(code: -987_654)
        #expect(error.name == "Unknown system error -987654")
        #expect(!error.message.isEmpty)
        #expect(error.description.hasPrefix("Unknown system error"))
    }

    @Test func descriptionCarriesNameAndMessage() {
        #expect(UVError.connectionRefused.description == "ECONNREFUSED (connection refused)")
    }
}
