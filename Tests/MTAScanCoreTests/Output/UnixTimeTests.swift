import Testing
@testable import MTAScanCore

@Suite struct UnixTimeTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z", [1970, 1, 1, 0, 0, 0]),
        (951_782_400, "2000-02-29T00:00:00Z", [2000, 2, 29, 0, 0, 0]),
        (1_709_251_199, "2024-02-29T23:59:59Z", [2024, 2, 29, 23, 59, 59]),
        (-631_152_000, "1950-01-01T00:00:00Z", [1950, 1, 1, 0, 0, 0]),
        (-1, "1969-12-31T23:59:59Z", [1969, 12, 31, 23, 59, 59]),
        (4_107_542_400, "2100-03-01T00:00:00Z", [2100, 3, 1, 0, 0, 0]),
        (253_402_300_799, "9999-12-31T23:59:59Z", [9999, 12, 31, 23, 59, 59]),
    ])
    func convertsBothWays(seconds: Int64, text: String, fields: [Int]) {
        #expect(UnixTime.rfc3339(seconds) == text)
        #expect(UnixTime.seconds(year: fields[0], month: fields[1], day: fields[2], hour: fields[3],
                                 minute: fields[4], second: fields[5]) == seconds)
    }

    @Test func readsBackWhatItWrites() {
        for seconds: Int64 in [0, 1_767_225_600, 951_782_400, 4_102_444_799] {
            #expect(UnixTime.parseRFC3339(UnixTime.rfc3339(seconds)) == seconds)
        }
        for text in ["", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z", "2026-01-01 00:00:00Z", "2026-01-01T24:00:00Z",
                     "2026-01-01T00:00:00+01:00", "2O26-01-01T00:00:00Z"] {
            #expect(UnixTime.parseRFC3339(text) == nil, "\(text)")
        }
    }
}
