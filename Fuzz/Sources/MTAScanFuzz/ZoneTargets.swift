@testable import MTAScanCore

/// `ZoneFileReader` (and so `ZoneTokenizer`, `WireName`, `RecentNames`) over
/// a cut-up source, with a small chunk size, word cap and recent-name
/// window, and an origin given or taken from the file, all chosen by
/// control bytes.
///
/// Checks: the same items and error as reading the whole buffer at once;
/// lines never go back; with a given origin every name is exactly one label
/// below it; among any `recentWindow + 1` consecutive items no two names are
/// the same (the reader's documented de-duplication promise).
enum ZoneFileTarget {
    private static let origins: [DomainName?] = [nil, DomainName("com"), DomainName("example.test"), nil]

    static let target = FuzzTarget(
        name: "zone-reader",
        summary: "zone file reader: chunking-invariant, lines ordered, delegations one label down, recent window"
    ) { input in
        var input = input
        let splits = input.splits()
        let chunk = input.byte()
        let chunkSize = chunk == 0 ? 4096 : Int(chunk)
        let word = input.byte()
        let maxWordLength = word == 0 ? 4096 : Int(word)
        let choice = input.byte()
        let origin = origins[Int(choice) % origins.count]
        let recentWindow = 1 + Int(choice >> 2) % 8
        let payload = input.rest

        var cut = ZoneFileReader(
            source: SplitByteSource(payload, splits), origin: origin, chunkSize: chunkSize,
            maxWordLength: maxWordLength, recentWindow: recentWindow)
        var whole = ZoneFileReader(
            source: MemoryByteSource(payload), origin: origin, chunkSize: payload.count + 1, maxWordLength: maxWordLength,
            recentWindow: recentWindow)
        let run = ReaderRun { try cut.next().map(InputItemSnapshot.init) }
        let expected = ReaderRun { try whole.next().map(InputItemSnapshot.init) }
        Invariant.require(run == expected, "items depend on chunking:\n\(run)\n\(expected)")

        let lines = run.items.map(\.line)
        Invariant.require(lines == lines.sorted(), "lines go back: \(lines)")
        let names = run.items.map { item -> DomainName? in
            if case .success(let name) = item.name { return name }
            return nil
        }
        if let origin {
            for case let name? in names {
                Invariant.require(
                    name.isSubdomain(of: origin) && name.labelCount == origin.labelCount + 1,
                    "\(name) is not a delegation of \(origin)")
            }
        }
        for (index, name) in names.enumerated() {
            guard let name else { continue }
            let window = names[(index + 1)..<min(names.count, index + 1 + recentWindow)]
            Invariant.require(!window.contains(name), "\(name) again within \(recentWindow) items")
        }
    }
}

/// `ZoneTokenizer` alone: tokens, lines and errors, with `skipEntry()`
/// taken after the tokens a control byte marks (the reader skips record data
/// that way).
///
/// Checks: the same tokens, lines and error whether the source is cut or
/// whole; lines never go back; no word longer than `maxWordLength`.
enum ZoneTokenizerTarget {
    private enum Step: Equatable {
        case word([UInt8], quoted: Bool, truncated: Bool, line: Int)
        case endOfEntry(line: Int)
        case skipped(line: Int)
        case endOfInput
        case error(String)
    }

    static let target = FuzzTarget(
        name: "zone-tokenizer",
        summary: "zone tokenizer: chunking-invariant tokens and lines, skipEntry, word cap"
    ) { input in
        var input = input
        let splits = input.splits()
        let chunk = input.byte()
        let word = input.byte()
        let maxWordLength = word == 0 ? 4096 : Int(word)
        let skipMask = input.byte()
        let payload = input.rest

        func steps(_ source: some ByteSource, chunkSize: Int) -> [Step] {
            var tokenizer = ZoneTokenizer(source: source, chunkSize: chunkSize, maxWordLength: maxWordLength)
            var steps: [Step] = []
            do {
                while true {
                    if skipMask & (1 << (steps.count % 8)) != 0 {
                        try tokenizer.skipEntry()
                        steps.append(.skipped(line: tokenizer.line))
                        if try tokenizer.peek() == nil { break }
                        continue
                    }
                    switch try tokenizer.nextToken() {
                    case .word(let word):
                        Invariant.require(word.bytes.count <= maxWordLength, "a word of \(word.bytes.count) bytes")
                        steps.append(.word(Array(word.bytes), quoted: word.isQuoted, truncated: word.isTruncated,
                                           line: tokenizer.line))
                    case .endOfEntry:
                        steps.append(.endOfEntry(line: tokenizer.line))
                    case .endOfInput:
                        steps.append(.endOfInput)
                        return steps
                    }
                }
            } catch {
                steps.append(.error("\(error)"))
            }
            return steps
        }

        let cut = steps(SplitByteSource(payload, splits), chunkSize: chunk == 0 ? 4096 : Int(chunk))
        let whole = steps(MemoryByteSource(payload), chunkSize: payload.count + 1)
        Invariant.require(cut == whole, "tokens depend on chunking:\n\(cut)\n\(whole)")
        var last = 1
        for step in cut {
            let line: Int
            switch step {
            case .word(_, _, _, let at), .endOfEntry(let at), .skipped(let at): line = at
            default: continue
            }
            Invariant.require(line >= last, "line went back from \(last) to \(line)")
            last = line
        }
    }
}
