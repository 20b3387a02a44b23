import MTAScanCore
import Testing
@testable import MTAScanEngine

/// Issue 13 item 7: a CNAME chain served whole that loops or is too long is
/// cut with the chain as served, so the core can say which and how long.
@Suite struct DNSAnswerInterpreterTests {
    /// An answer to `a.example A` holding the CNAME links, then an A record at the end if `final`.
    private func message(_ links: [(String, String)], final: Bool) throws -> DNSMessage {
        var builder = DNSWireBuilder(.init(answers: UInt16(links.count + (final ? 1 : 0))))
        builder.question("a.example", type: 1)
        for (owner, target) in links { builder.record(owner, type: 5) { $0.name(target) } }
        if final, let last = links.last { builder.record(last.1, type: 1) { $0.raw([192, 0, 2, 1]) } }
        return try DNSMessage.parse(builder.bytes).get()
    }

    private func chain(_ length: Int) -> [(String, String)] {
        (0..<length).map { ($0 == 0 ? "a.example" : "h\($0).example", "h\($0 + 1).example") }
    }

    @Test func aChainWithinTheBoundIsFollowed() throws {
        let verdict = DNSAnswerInterpreter.interpret(try message(chain(8), final: true), name: "a.example", type: .a, maxChain: 8)
        guard case .done(.answer(let records, let followed)) = verdict else {
            Issue.record("\(verdict)")
            return
        }
        #expect(followed.count == 8)
        #expect(records.count == 1)
    }

    @Test func aChainTooLongIsCutAndCountedWhole() throws {
        let verdict = DNSAnswerInterpreter.interpret(try message(chain(11), final: true), name: "a.example", type: .a, maxChain: 8)
        #expect(verdict == .done(.cnameLoop(cnameChain: (1...11).map { "h\($0).example" })))
        let result = LookupResult<String>.cutCNAMEChain(name: "a.example", chain: (1...11).map { "h\($0).example" })
        #expect(result.status == .cnameChainTooLong)
        #expect(result.cnameLength == 11)
        #expect(result.values.isEmpty)
    }

    @Test func aLoopIsCutAtTheRepeat() throws {
        let links = [("a.example", "b.example"), ("b.example", "c.example"), ("c.example", "b.example")]
        let verdict = DNSAnswerInterpreter.interpret(try message(links, final: false), name: "a.example", type: .a, maxChain: 8)
        #expect(verdict == .done(.cnameLoop(cnameChain: ["b.example", "c.example", "b.example"])))
        let result = LookupResult<String>.cutCNAMEChain(name: "a.example", chain: ["b.example", "c.example", "b.example"])
        #expect(result.status == .cnameLoop)
        #expect(result.cnameLength == 3)
        // Back to the name asked is a loop too.
        #expect(LookupResult<String>.cutCNAMEChain(name: "A.example.", chain: ["b.example", "a.example"]).status == .cnameLoop)
    }

    @Test func aLongLoopIsALoopNotAChainTooLong() throws {
        var links = chain(20)
        links.append(("h20.example", "h3.example"))
        let verdict = DNSAnswerInterpreter.interpret(try message(links, final: false), name: "a.example", type: .a, maxChain: 8)
        guard case .done(.cnameLoop(let cut)) = verdict else {
            Issue.record("\(verdict)")
            return
        }
        #expect(cut.count == 21)
        let result = LookupResult<String>.cutCNAMEChain(name: "a.example", chain: cut)
        #expect(result.status == .cnameLoop)
        #expect(result.cnameLength == 21)
        #expect(result.cnameChain.count == CNAMEChainCut.maxReported)
    }
}
