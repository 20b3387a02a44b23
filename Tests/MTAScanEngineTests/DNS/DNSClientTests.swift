import MTAScanCore
import Testing
@testable import MTAScanEngine

/// The DNS client against a responder on loopback that misbehaves on purpose:
/// answers with the wrong ID, from the wrong address, for the wrong question,
/// with garbage, truncated, or not at all.
@Suite(.serialized) struct DNSClientTests {
    enum Behaviour {
        case answer
        /// Before the real answer: a spoof with another ID, one for another name, and garbage.
        case spoofFirst
        case silent
        case servfail
        /// The answer comes from a second socket on another address.
        case wrongSource
        /// TC=1 over UDP, and nothing listens on TCP: the retry is refused.
        case truncatedWithoutTCP
    }

    /// Answers A queries for any name with 192.0.2.<n>, by `behaviour`.
    final class Responder {
        let socket: UDPSocket
        let impostor: UDPSocket
        let behaviour: Behaviour
        private(set) var queries = 0

        init(loop: EventLoop, address: String, behaviour: Behaviour) throws {
            self.behaviour = behaviour
            socket = try UDPSocket(on: loop)
            try socket.bind(to: SocketAddress(address, defaultPort: 0)!)
            impostor = try UDPSocket(on: loop)
            try impostor.bind(to: SocketAddress("127.0.0.77", defaultPort: 0)!)
            try socket.startReceiving(onDatagram: { [unowned self] bytes, from in
                self.respond(to: Array(copying: bytes), from: from)
            }, onError: { _ in })
        }

        var address: SocketAddress { (try? socket.localAddress()) ?? SocketAddress("127.0.0.1:9", defaultPort: 53)! }

        private func respond(to query: [UInt8], from client: SocketAddress) {
            queries += 1
            guard case .success(let message) = DNSMessage.parse(query), let question = message.question else { return }
            func reply(id: UInt16, name: String, rcode: UInt16 = 0, truncated: Bool = false) -> [UInt8] {
                let flags: UInt16 = 0x8180 | rcode | (truncated ? 0x0200 : 0)
                var builder = DNSWireBuilder(.init(id: id, flags: flags, answers: rcode == 0 ? 1 : 0))
                builder.question(name, type: question.type.rawValue)
                if rcode == 0 { builder.record(name, type: 1) { $0.raw([192, 0, 2, 7]) } }
                return builder.bytes
            }
            switch behaviour {
            case .answer:
                try? socket.send(reply(id: message.id, name: question.name), to: client)
            case .spoofFirst:
                try? socket.send(reply(id: message.id &+ 1, name: question.name), to: client)
                try? socket.send(reply(id: message.id, name: "evil.example"), to: client)
                try? socket.send([UInt8(message.id >> 8), UInt8(message.id & 0xFF)] + Array(repeating: 0xFF, count: 30), to: client)
                try? socket.send(reply(id: message.id, name: question.name), to: client)
            case .silent:
                break
            case .servfail:
                try? socket.send(reply(id: message.id, name: question.name, rcode: 2), to: client)
            case .wrongSource:
                try? impostor.send(reply(id: message.id, name: question.name), to: client)
            case .truncatedWithoutTCP:
                try? socket.send(reply(id: message.id, name: question.name, truncated: true), to: client)
            }
        }

        func close() {
            socket.close()
            impostor.close()
        }
    }

    /// Runs one client against responders, collects lookups, shuts down clean.
    private func run(
        _ behaviours: [Behaviour], names: [String], configure: (inout DNSClientConfiguration) -> Void = { _ in }
    ) throws -> (lookups: [DNSLookup], statistics: DNSClientStatistics, queries: [Int]) {
        var lookups: [DNSLookup] = []
        var statistics = DNSClientStatistics()
        var queries: [Int] = []
        let report = try EventLoop.run { loop in
            do {
                let responders = try behaviours.enumerated().map { try Responder(loop: loop, address: "127.0.0.\(60 + $0.offset)", behaviour: $0.element) }
                var configuration = DNSClientConfiguration(resolvers: responders.map(\.address))
                configuration.timeout = .milliseconds(100)
                configure(&configuration)
                let client = try DNSClient(loop: loop, configuration: configuration)
                for name in names {
                    client.query(DomainName(name)!, .a) { lookup in
                        lookups.append(lookup)
                        guard lookups.count == names.count else { return }
                        statistics = client.statistics
                        queries = responders.map(\.queries)
                        client.close()
                        responders.forEach { $0.close() }
                        loop.requestShutdown()
                    }
                }
            } catch {
                Issue.record("setup failed: \(error)")
                loop.requestShutdown()
            }
        }
        expectClean(report)
        return (lookups, statistics, queries)
    }

    private func addresses(_ lookup: DNSLookup) -> [String] {
        guard case .answer(let records, _) = lookup.outcome else { return [] }
        return records.compactMap { if case .a(let address) = $0.rdata { address.text } else { nil } }
    }

    @Test func answersAreMatchedAndCompleteOnce() throws {
        let names = (0..<200).map { "host\($0).example" }
        let result = try run([.answer], names: names)
        #expect(result.lookups.count == 200)
        #expect(Set(result.lookups.map(\.name.text)) == Set(names))
        #expect(result.lookups.allSatisfy { addresses($0) == ["192.0.2.7"] })
        #expect(result.statistics.accepted == 200)
        #expect(result.statistics.droppedMismatched == 0)
    }

    @Test func spoofedGarbageAndWrongQuestionsAreDroppedAndCounted() throws {
        let result = try run([.spoofFirst], names: ["a.example", "b.example"])
        #expect(result.lookups.allSatisfy { addresses($0) == ["192.0.2.7"] })
        // Per query: one wrong ID and one wrong question (mismatched), one garbage datagram.
        #expect(result.statistics.droppedMismatched == 4)
        #expect(result.statistics.droppedMalformed == 2)
        #expect(result.statistics.accepted == 2)
    }

    @Test func anAnswerFromAnotherAddressIsIgnored() throws {
        let result = try run([.wrongSource], names: ["a.example"]) { $0.attempts = 2 }
        #expect(result.lookups.first?.outcome == .timeout)
        #expect(result.statistics.droppedMismatched == 2)
        #expect(result.statistics.accepted == 0)
    }

    @Test func silenceRetriesWithBackoffThenTimesOut() throws {
        let result = try run([.silent], names: ["a.example"]) { $0.attempts = 3 }
        #expect(result.lookups.first?.outcome == .timeout)
        #expect(result.lookups.first?.attempts == 3)
        #expect(result.queries == [3])
        #expect(result.statistics.retries == 2)
        #expect(result.statistics.timeouts == 1)
    }

    @Test func aSilentResolverFailsOverToTheNext() throws {
        let result = try run([.silent, .answer], names: (0..<20).map { "n\($0).example" })
        #expect(result.lookups.allSatisfy { addresses($0) == ["192.0.2.7"] })
        #expect(result.queries[1] == 20)
    }

    @Test func servfailMovesToAnotherResolverAndIsReportedWhenAllFail() throws {
        let rescued = try run([.servfail, .answer], names: ["a.example"]) { $0.attempts = 2 }
        #expect(addresses(rescued.lookups[0]) == ["192.0.2.7"])
        let failed = try run([.servfail], names: ["a.example"])
        #expect(failed.lookups.first?.outcome == .servfail)
    }

    /// A resolver that sets TC but refuses TCP: the name moves on to the next resolver
    /// instead of ending as a timeout; with no other resolver it is a timeout.
    @Test func aFailedTCPRetryFailsOverToTheNextResolver() throws {
        let rescued = try run([.truncatedWithoutTCP, .answer], names: ["a.example", "b.example"]) { $0.attempts = 3 }
        #expect(rescued.lookups.allSatisfy { addresses($0) == ["192.0.2.7"] })
        #expect(rescued.queries[0] >= 1, "the truncating resolver was never asked")
        #expect(rescued.statistics.tcpFallbacks >= 1)
        let alone = try run([.truncatedWithoutTCP], names: ["a.example"])
        #expect(alone.lookups.first?.outcome == .timeout)
    }

    @Test func theInFlightCapQueuesTheRest() throws {
        let result = try run([.answer], names: (0..<300).map { "q\($0).example" }) { $0.maxInFlight = 7 }
        #expect(result.lookups.count == 300)
        #expect(result.statistics.peakInFlight <= 7)
    }

    @Test func cnameChainsAreFollowedAndLoopsBounded() throws {
        func message(_ answers: [(String, String)], final: Bool) -> DNSMessage {
            var builder = DNSWireBuilder(.init(answers: UInt16(answers.count + (final ? 1 : 0))))
            builder.question("a.example", type: 1)
            for (owner, target) in answers { builder.record(owner, type: 5) { $0.name(target) } }
            if final, let last = answers.last { builder.record(last.1, type: 1) { $0.raw([192, 0, 2, 1]) } }
            guard case .success(let parsed) = DNSMessage.parse(builder.bytes) else { fatalError("test message does not parse") }
            return parsed
        }
        let chained = DNSAnswerInterpreter.interpret(
            message([("a.example", "b.example"), ("b.example", "c.example")], final: true), name: "a.example", type: .a, maxChain: 8)
        guard case .done(.answer(let records, let chain)) = chained else {
            Issue.record("\(chained)")
            return
        }
        #expect(chain == ["b.example", "c.example"])
        #expect(records.count == 1)
        let looping = DNSAnswerInterpreter.interpret(
            message([("a.example", "b.example"), ("b.example", "a.example")], final: false), name: "a.example", type: .a, maxChain: 8)
        #expect(looping == .done(.cnameLoop(cnameChain: ["b.example", "a.example"])))
        let dangling = DNSAnswerInterpreter.interpret(message([("a.example", "gone.example")], final: false), name: "a.example", type: .a, maxChain: 8)
        #expect(dangling == .done(.nodata(cnameChain: ["gone.example"])))
    }

    @Test func resolvConfNameservers() {
        let text = "# comment\nnameserver 192.0.2.53\nsearch example\nnameserver 2001:db8::53\nnameserver bogus\noptions ndots:2\n"
        #expect(ResolvConf.nameservers(in: text).map(\.description) == ["192.0.2.53:53", "[2001:db8::53]:53"])
    }
}
