import Testing
@testable import MTAScanCore

@Suite struct InputFormatTests {
    @Test func namesAreStable() {
        #expect(InputFormat.allCases.map(\.rawValue) == ["list", "csv", "zone"])
        #expect(InputFormat(rawValue: "zone") == .zone)
    }

    @Test(arguments: [
        (InputFormat.list, "example.com\n# c\nexample.org\n"),
        (.csv, "1,example.com\n2,example.org\n"),
        (.zone, "$ORIGIN com.\n@ SOA a b 1 2 3 4 5\nexample NS ns\nnet. NS ns\n"),
    ])
    func makesTheReaderOfEachFormat(format: InputFormat, text: String) {
        let outcome = readAll(makeDomainReader(format: format, source: MemoryByteSource(text: text)))
        #expect(outcome.names.first == "example.com")
        #expect(outcome.error == nil)
    }

    @Test func passesTheOriginToTheZoneReader() {
        let reader = makeDomainReader(format: .zone, source: MemoryByteSource(text: "a NS ns\n"), origin: DomainName("org"))
        #expect(readAll(reader).names == ["a.org"])
    }
}
