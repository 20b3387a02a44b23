import Testing
@testable import MTAScanCore

extension MemoryByteSource {
    init(text: String, chunkSize: Int = .max) {
        self.init(Array(text.utf8), chunkSize: chunkSize)
    }
}

/// Source read sizes that split an input at every byte, at odd offsets, and not at all.
let boundaryChunkSizes = [1, 2, 3, 7, Int.max]

/// Everything a reader yields: its items, and the error that stopped it, if any.
struct ReadOutcome: Equatable, CustomStringConvertible {
    var items: [InputItem]
    var error: InputError?

    /// `line:name` for a valid name, `line:!reason:text` for a failure.
    var summary: [String] {
        items.map { item in
            switch item.name {
            case .success(let name): "\(item.line):\(name.text)"
            case .failure(let problem): "\(item.line):!\(problem.reason):\(item.text)"
            }
        }
    }

    var names: [String] { items.compactMap { try? $0.name.get().text } }

    var description: String { "\(summary) \(error.map { "\($0.reason)@\($0.line)" } ?? "")" }
}

func readAll(_ reader: any DomainReader) -> ReadOutcome {
    var reader = reader
    var items: [InputItem] = []
    do {
        while let item = try reader.next() { items.append(item) }
    } catch let error as InputError {
        return ReadOutcome(items: items, error: error)
    } catch {
        Issue.record("unexpected error \(error)")
    }
    return ReadOutcome(items: items, error: nil)
}

/// Reads `bytes` split at every boundary size, by the source and by the
/// reader's own buffer, checks every split gives the same outcome, and returns it.
func readAcrossBoundaries(
    _ bytes: [UInt8],
    sourceLocation: SourceLocation = #_sourceLocation,
    _ make: (MemoryByteSource, _ readerChunkSize: Int) -> any DomainReader
) -> ReadOutcome {
    let reference = readAll(make(MemoryByteSource(bytes), 1 << 16))
    for size in boundaryChunkSizes {
        let outcome = readAll(make(MemoryByteSource(bytes, chunkSize: size), 1 << 16))
        #expect(outcome == reference, "source chunk size \(size)", sourceLocation: sourceLocation)
    }
    for size in [1, 2, 5, 64] {
        let outcome = readAll(make(MemoryByteSource(bytes), size))
        #expect(outcome == reference, "reader chunk size \(size)", sourceLocation: sourceLocation)
    }
    return reference
}

func readAcrossBoundaries(
    _ text: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ make: (MemoryByteSource, _ readerChunkSize: Int) -> any DomainReader
) -> ReadOutcome {
    readAcrossBoundaries(Array(text.utf8), sourceLocation: sourceLocation, make)
}

/// Deterministic pseudo-random bytes (a 64-bit LCG), for garbage inputs.
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}

/// A `.com`-style zone with `delegations` delegated names, each with two NS
/// records, every third with a DS record and every tenth with glue.
func generatedZone(delegations: Int) -> String {
    var zone = """
    $ORIGIN COM.
    $TTL 900
    @ IN SOA A.GTLD-SERVERS.NET. NSTLD.VERISIGN-GRS.COM. (
        1700000000 ; serial
        1800 900 604800 86400 )
    @ NS A.GTLD-SERVERS.NET.
      NS B.GTLD-SERVERS.NET.

    """
    for index in 0..<delegations {
        let name = "DOMAIN\(index)"
        zone += "\(name) NS NS1.\(name)\n\(name) NS NS2.EXAMPLE.NET.\n"
        if index % 3 == 0 { zone += "\(name) DS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE\n" }
        if index % 10 == 0 { zone += "NS1.\(name) A 192.0.2.1\n" }
    }
    return zone
}
