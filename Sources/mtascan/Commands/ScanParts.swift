import MTAScanCore
import MTAScanEngine

/// The outputs of a sharded scan as `verify` and `merge` read them: each part's
/// metadata side file, and its records one at a time (bounded memory).
enum ScanParts {
    /// A part with its side file (`PART.meta.json`), parsed when readable.
    static func part(_ path: String) -> PartsAgreement.Part {
        let bytes = try? FileDescriptor.readAll(path: path + ".meta.json", maxBytes: 16 << 20)
        return .init(name: path, metadata: bytes.flatMap { try? JSONParser.parse($0) })
    }

    struct Damage {
        /// Complete lines that are not records.
        var malformed = 0
        /// A last line cut short (a scan killed mid-write): its domain has no record.
        var partialLastLine = false
    }

    /// Calls `record` with each record, its `input_line`, its `domain` and,
    /// with `keepingBytes`, the line's bytes as read (else empty).
    static func records(of path: String, keepingBytes: Bool = false,
                        _ record: (JSONValue, Int, String, [UInt8]) throws -> Void) throws -> Damage {
        let file = try FileDescriptor.openForReading(path)
        defer { file.close() }
        var reader = ScanRecordReader(source: file, keepingBytes: keepingBytes)
        var damage = Damage()
        while let item = try reader.next() {
            switch item {
            case .record(let value, _):
                guard let line = value["input_line"]?.intValue, let domain = value["domain"]?.stringValue else {
                    damage.malformed += 1
                    continue
                }
                try record(value, line, domain, reader.lastRecordBytes)
            case .malformed:
                damage.malformed += 1
            case .partialLastLine:
                damage.partialLastLine = true
            }
        }
        return damage
    }
}
