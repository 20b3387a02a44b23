import Testing
@testable import MTAScanCore

@Suite struct DomainNameTests {
    @Test func normalisesCaseAndTrailingDot() {
        #expect(DomainName("Example.COM.")?.text == "example.com")
        #expect(DomainName("_mta-sts.example.com")?.text == "_mta-sts.example.com")
    }

    @Test(arguments: [
        ("", DomainName.Problem.empty),
        (".", .empty),
        ("a..b", .emptyLabel),
        (".a", .emptyLabel),
        ("a.b..", .emptyLabel),
        ("exa mple.com", .invalidCharacter),
        ("bücher.de", .nonASCII),
        (String(repeating: "a", count: 64) + ".com", .labelTooLong),
        (Array(repeating: "abcdefghi", count: 26).joined(separator: "."), .tooLong),
    ])
    func rejects(text: String, problem: DomainName.Problem) {
        #expect(throws: Never.self) {
            guard case .failure(let got) = DomainName.parse(text) else {
                Issue.record("\(text) accepted")
                return
            }
            #expect(got == problem)
        }
    }

    @Test func acceptsMaximalLengths() {
        let label = String(repeating: "a", count: 63)
        #expect(DomainName(label + ".com") != nil)
        let name = [label, label, label, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(name.utf8.count == 253)
        #expect(DomainName(name) != nil)
        #expect(DomainName(name + ".") != nil)
    }

    @Test func subdomainRelation() throws {
        let parent = try #require(DomainName("example.com"))
        #expect(try #require(DomainName("mx.example.com")).isSubdomain(of: parent))
        #expect(!(try #require(DomainName("badexample.com")).isSubdomain(of: parent)))
        #expect(parent.labelCount == 2)
    }
}
