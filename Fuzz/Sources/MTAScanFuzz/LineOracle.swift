/// An independent, whole-buffer reading of what the chunked line readers
/// see, to check their items line by line: lines split at LF, the last one
/// counted if it has any byte, one trailing CR dropped.
enum LineOracle {
    static func lines(_ payload: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines = payload.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { $0.last == 0x0D ? $0.dropLast() : $0 }
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var bytes = bytes
        while let first = bytes.first, isBlank(first) { bytes.removeFirst() }
        while let last = bytes.last, isBlank(last) { bytes.removeLast() }
        return bytes
    }

    static func droppingByteOrderMark(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes
    }
}

/// Reads every item of a domain reader, and the error that ended it if one did.
struct ReaderRun: Equatable {
    var items: [InputItemSnapshot] = []
    var error: String?

    init(_ next: () throws -> InputItemSnapshot?) {
        do {
            while let item = try next() { items.append(item) }
        } catch {
            self.error = "\(error)"
        }
    }
}

import MTAScanCore

/// The parts of an `InputItem` that must not depend on how input was chunked.
struct InputItemSnapshot: Equatable {
    var line: Int
    var text: String
    var name: Result<DomainName, InputProblem>

    init(_ item: InputItem) {
        line = item.line
        text = item.text
        name = item.name
    }
}
